import type {
  ChatInput,
  ChatTokenCounts,
  ChatTurn,
  ChatOptions,
  ChatUsage,
  EngineErrorCode,
  LoadProgress,
  ModelSpec,
} from "../app/protocol/worker-protocol";

/**
 * What the engine host needs from a model runtime. Production: web-llm's MLCEngine behind
 * an adapter. Test builds add a deterministic engine. Everything around it is shared code.
 */
export interface Engine {
  /** Called only after the host's own WebGPU preflight passed. */
  load(spec: ModelSpec, onProgress: (progress: LoadProgress) => void): Promise<void>;
  /**
   * Stops a load() in progress (the downloads an engine runs itself, such as web-llm's for
   * its prebuilt models); that load() then rejects with the code "cancelled".
   */
  cancelLoad?(): void;
  /** Streams text deltas; resolves with usage when the reply ends (also after stop()). */
  chat(input: ChatInput, options: ChatOptions, onDelta: (text: string) => void): Promise<ChatUsage>;
  /** Token counts with the loaded model's own tokenizer, no special tokens added. */
  countTokens(texts: string[]): Promise<number[]>;
  /** Tokens of chat messages as the loaded model's chat template renders them. */
  countChatTokens(messages: ChatTurn[]): Promise<ChatTokenCounts>;
  /** Ends the current reply early; the pending chat() resolves with finishReason "abort". */
  stop(): void;
  /** Forgets the conversation state (KV cache) but keeps the model loaded. */
  reset(): Promise<void>;
  unload(): Promise<void>;
}

/** An error the host passes to the client as `{code, message}`. */
export class EngineError extends Error {
  constructor(
    readonly code: EngineErrorCode,
    message: string,
    /** For the sentence the UI words in its language (see app/i18n/error-text.ts). */
    readonly params?: Record<string, string | number>,
  ) {
    super(message);
    this.name = "EngineError";
  }
}

export type EngineFactory = (spec: ModelSpec) => Promise<Engine>;
