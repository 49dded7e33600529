/**
 * The typed protocol between the main thread and the LLM worker.
 *
 * Invariants:
 * - Every request carries a `requestId`; every reply except `ready` and `pong` names the
 *   request it belongs to, so the client can keep a map of pending requests.
 * - A request ends with exactly one terminal reply: `loaded`, `done`, `ok` or `error`.
 * - Errors cross the boundary as plain `{code, message}` objects, never as thrown strings,
 *   so the UI can react to each kind.
 * This module is imported by both sides; it must stay free of DOM and worker globals.
 */
import type { DownloadSource } from "./download-sources";

export const ENGINE_ERROR_CODES = [
  "no-webgpu",
  "missing-gpu-feature",
  "model-files-not-found",
  "model-library-invalid",
  "device-lost",
  "context-window-exceeded",
  "worker-crashed",
  "not-loaded",
  "busy",
  "network",
  "quota-exceeded",
  "integrity",
  "cancelled",
  "unknown",
] as const;
export type EngineErrorCode = (typeof ENGINE_ERROR_CODES)[number];

export interface EngineErrorInfo {
  code: EngineErrorCode;
  message: string;
  /** Values the UI's sentence for the code names (app/i18n/error-text.ts); the message is the detail. */
  params?: Record<string, string | number>;
}

/** What the worker needs to know to load one model; built from a catalog entry. */
export interface ModelSpec {
  id: string;
  /** Which engine runs it. `test` exists only in test builds. */
  engine: "webllm" | "test";
  /** Absolute URL of the model folder (web-llm appends `resolve/main/` when needed). */
  modelUrl?: string;
  /** Absolute URL of the compiled model library (.wasm). */
  modelLibUrl?: string;
  /** Take URLs from web-llm's own prebuilt list for this id instead of the two above. */
  prebuilt?: boolean;
  /** WebGPU features the model library needs, e.g. `shader-f16`. */
  requiredFeatures: string[];
  contextWindow?: number;
  /** Known total download size, used for MB figures when the engine gives only a fraction. */
  downloadBytes?: number;
  /** Decode the Hugging Face way (top-k, prompt-wide repetition penalty) via a logit processor. */
  hfDecoding?: boolean;
  /** Options for the test engine (ignored by web-llm). */
  testEngine?: TestEngineOptions;
  /**
   * Hashes from model-build. With `shards` present the worker downloads and verifies the
   * model's files itself before the engine loads them from web-llm's cache.
   */
  integrity?: ModelFilesIntegrity;
  /**
   * Where to fetch files whose canonical URL is on Hugging Face or raw.githubusercontent.com
   * (the Settings' download source). The URLs above stay canonical: they are the cache keys.
   */
  downloadSource?: DownloadSource;
}

/** SRI strings (`sha256-<base64>`); `shards` is keyed by the file name in tensor-cache.json. */
export interface ModelFilesIntegrity {
  config?: string;
  modelLib?: string;
  tokenizer?: string;
  shards?: Record<string, string>;
}

/** One model folder found in web-llm's caches (see workers/model-cache/inventory.ts). */
export interface CachedModelInfo {
  /** The model folder URL, as web-llm keys it (ends in `resolve/<rev>/`). */
  folderUrl: string;
  /** Catalog id when the folder belongs to a model the client asked about. */
  modelId?: string;
  /** Bytes of the stored records (shards, manifest, config, tokenizer, library). */
  bytes: number;
  shardsCached: number;
  shardsTotal: number;
  /** Epoch ms of the last load through the app, if known. */
  lastUsed?: number;
}

/** A model the client knows from its catalog, so the worker can name cached folders. */
export interface KnownModel {
  id: string;
  modelUrl: string;
  modelLibUrl?: string;
}

/** One file of a folder picked for import; `path` is relative to the picked folder. */
export interface ImportFile {
  path: string;
  file: Blob;
}

export interface TestEngineOptions {
  tokensPerSecond?: number;
  /** Fail the load with this error after the fetch phase starts. */
  loadFailure?: EngineErrorCode;
  /** Simulated download size in bytes. */
  downloadBytes?: number;
}

export type ChatRole = "system" | "user" | "assistant";
export interface ChatTurn {
  role: ChatRole;
  content: string;
}

/**
 * Tokens of chat messages as the loaded model's chat template renders them (web-llm encodes
 * each rendered message on its own and adds the counts, so they add up exactly).
 */
export interface ChatTokenCounts {
  /**
   * Tokens there whatever turns are kept: the template's prefix tokens, the system prompt (the
   * one sent, or the model's own when none is) and the header the reply starts after.
   */
  fixed: number;
  /** Per message sent, in order: its role header, text and separator; 0 for a system message. */
  messages: number[];
}

export interface ChatOptions {
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  repetitionPenalty?: number;
  stop?: string[];
  /** Keep only the k most likely tokens (web-llm has none; models with hfDecoding only). */
  topK?: number;
  /**
   * Penalise repeats of prompt tokens too, as Hugging Face does (web-llm counts only the
   * reply); honoured for models loaded with hfDecoding.
   */
  repetitionOverPrompt?: boolean;
  /**
   * How long the worker may gather streamed text before sending it (default 16 ms; the first
   * token always goes at once). 0 sends every token as its own message: only the streaming
   * benchmark's naive baseline asks for that.
   */
  streamIntervalMs?: number;
}

export type ChatInput =
  | { kind: "messages"; messages: ChatTurn[] }
  | { kind: "prompt"; prompt: string }
  /**
   * CuteGPT's training layout as chat turns whose contents are already rendered
   * (app/prompt/training-layout.ts); web-llm's chat API keeps the KV cache between turns.
   */
  | { kind: "training-layout"; messages: ChatTurn[] };

export type LoadPhase = "preparing" | "fetching" | "loading-cache" | "compiling";

export interface LoadProgress {
  phase: LoadPhase;
  /** 0..1 within the current phase (phases restart at 0). */
  fraction: number;
  bytesDone?: number;
  bytesTotal?: number;
  text: string;
  /** Download speed and time left, while the app's own downloader is fetching. */
  bytesPerSecond?: number;
  secondsLeft?: number;
  /** Something the user should hear about even though the load goes on (a refetched shard). */
  notice?: string;
}

export type FinishReason = "stop" | "length" | "abort";

export interface ChatUsage {
  promptTokens: number;
  completionTokens: number;
  prefillTokensPerSecond: number;
  decodeTokensPerSecond: number;
  finishReason: FinishReason;
  /**
   * Set by the app, not the engine: past question/answer pairs left out of this reply's
   * prompt so that it fit the model's context window (shown under the reply).
   */
  droppedTurns?: number;
}

export type WorkerRequest =
  | { type: "load"; requestId: number; model: ModelSpec }
  | { type: "chat"; requestId: number; input: ChatInput; options: ChatOptions }
  | { type: "stop"; requestId: number }
  | { type: "unload"; requestId: number }
  | { type: "reset"; requestId: number }
  | { type: "count-tokens"; requestId: number; texts: string[] }
  | { type: "count-chat-tokens"; requestId: number; messages: ChatTurn[] }
  | { type: "ping"; requestId: number }
  // Model files; served out of the queue so they work while a model loads or a reply streams.
  | { type: "cancel-load"; requestId: number }
  | { type: "list-cached"; requestId: number; known: KnownModel[] }
  | { type: "delete-cached"; requestId: number; folderUrl: string; modelLibUrl?: string }
  | { type: "import-model"; requestId: number; files: ImportFile[]; baseUrl: string };

export type WorkerReply =
  | { type: "ready" }
  | { type: "pong"; requestId: number }
  | { type: "progress"; requestId: number; progress: LoadProgress }
  | { type: "loaded"; requestId: number; modelId: string }
  /** Streamed text; `tokens` is how many engine deltas the worker coalesced into it. */
  | { type: "delta"; requestId: number; text: string; tokens: number }
  | { type: "done"; requestId: number; usage: ChatUsage }
  | { type: "ok"; requestId: number }
  | { type: "token-counts"; requestId: number; counts: number[] }
  | { type: "chat-token-counts"; requestId: number; counts: ChatTokenCounts }
  | { type: "cached-models"; requestId: number; models: CachedModelInfo[] }
  /** Catalog entries (JSON, as in catalog.json) for the imported models, URLs made absolute. */
  | { type: "imported"; requestId: number; entries: Record<string, unknown>[] }
  | { type: "error"; requestId: number; error: EngineErrorInfo };

export function isEngineErrorCode(value: unknown): value is EngineErrorCode {
  return typeof value === "string" && (ENGINE_ERROR_CODES as readonly string[]).includes(value);
}
