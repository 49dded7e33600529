import type { MLCEngine } from "@mlc-ai/web-llm";
import { importWebLlmCopy, type WebLlmModule } from "../webllm/bundle-copy";
import { cuteGptTemplate } from "../../model-build/template";

/**
 * Runs web-llm's own generation code in Node, without a model or a GPU, so tests can observe
 * what the pinned version really does (the order of resetChat, resetState, processLogits and
 * processSampledToken, when the interrupt flag is read, what unload() does to a reload)
 * instead of matching its source text.
 *
 * What is real: everything web-llm runs on the CPU, i.e. MLCEngine, the completions API, its
 * async generator, LLMChatPipeline (prefill, decode, sampling bookkeeping, stop handling,
 * logit-processor calls) and its Conversation. What is fake: the TVM runtime under it. The
 * "GPU" holds token ids instead of embeddings, asks `FakeModel.next` for the logits of the
 * next token and samples greedily (argmax), so a logit processor's changes decide the reply.
 *
 * web-llm exports neither LLMChatPipeline nor its lock, and its engine accepts only pipelines
 * of that class, so the test loads the copy of the bundle that test/webllm/bundle-copy.ts
 * makes (web-llm's code with the internals exported).
 */

export type { WebLlmModule } from "../webllm/bundle-copy";

interface Internals {
  webllm: WebLlmModule;
  LLMChatPipeline: new (...args: unknown[]) => Pipeline;
  CustomLock: new () => unknown;
}

/** The parts of web-llm's LLMChatPipeline the tests look at. */
export interface Pipeline {
  resetChat(keepStats?: boolean): void;
  stopTokens: number[];
}

/** web-llm's module, with its two internal classes reachable. */
export async function webLlmInternals(): Promise<Internals> {
  const module = await importWebLlmCopy();
  return {
    webllm: module,
    LLMChatPipeline: module.__LLMChatPipeline as Internals["LLMChatPipeline"],
    CustomLock: module.__CustomLock,
  };
}

/** A tokenizer over a fixed vocabulary: longest match first, so `<end>` is one token. */
export class VocabTokenizer {
  constructor(readonly vocab: readonly string[]) {}

  id(token: string): number {
    const id = this.vocab.indexOf(token);
    if (id === -1) throw new Error(`"${token}" is not in the test vocabulary`);
    return id;
  }

  encode(text: string): Int32Array {
    const ids: number[] = [];
    let rest = text;
    while (rest.length > 0) {
      let best = -1;
      for (let id = 0; id < this.vocab.length; id++) {
        const token = this.vocab[id]!;
        if (rest.startsWith(token) && (best === -1 || token.length > this.vocab[best]!.length)) {
          best = id;
        }
      }
      if (best === -1) throw new Error(`cannot encode "${rest[0]}" with the test vocabulary`);
      ids.push(best);
      rest = rest.slice(this.vocab[best]!.length);
    }
    return Int32Array.from(ids);
  }

  decode(ids: Int32Array): string {
    return Array.from(ids, (id) => this.vocab[id] ?? "").join("");
  }

  dispose(): void {}

  /** tokenizer.json as model-build reads it, so the chat config uses the real template code. */
  json(): unknown {
    return {
      added_tokens: ["<end>", "<s>", "</s>"].map((content) => ({ id: this.id(content), content })),
    };
  }
}

export interface FakeModel {
  /** Logits of the next token, given every token in the KV cache (prompt, then reply). */
  next(tokens: readonly number[]): ArrayLike<number>;
  /**
   * Awaited wherever web-llm waits for the GPU (device.sync()), e.g. between a prefill and
   * its sampling: a test can hold the engine "in prefill" here.
   */
  sync?(): Promise<void>;
}

/** Logits that make `token` the argmax by `margin`, everything else 0. */
export function favour(vocabSize: number, token: number, margin = 1): Float32Array {
  const logits = new Float32Array(vocabSize);
  logits[token] = margin;
  return logits;
}

class FakeTensor {
  data: number[];
  constructor(
    data: ArrayLike<number>,
    public shape: number[],
    public dtype = "float32",
  ) {
    this.data = Array.from(data);
  }
  copyFrom(source: FakeTensor | ArrayLike<number>): this {
    this.data = source instanceof FakeTensor ? [...source.data] : Array.from(source);
    return this;
  }
  copyFromRawBytes(): this {
    return this;
  }
  toArray(): Float32Array | Int32Array {
    return this.dtype.startsWith("int") ? Int32Array.from(this.data) : Float32Array.from(this.data);
  }
  /** A view reads its tensor's current data (prototype chain), as a GPU view would. */
  view(shape: number[]): FakeTensor {
    const view = Object.create(this) as FakeTensor;
    view.shape = shape;
    return view;
  }
  get(index: number): unknown {
    return index === 0 ? this : undefined;
  }
  dispose(): void {}
}

function disposable<T extends object>(value: T): T & { dispose(): void } {
  return Object.assign(value, { dispose: () => undefined });
}

function fakeTvm(model: FakeModel) {
  let cache: number[] = [];
  const device = { sync: () => model.sync?.() ?? Promise.resolve() };
  const forward = (embeddings: FakeTensor) => {
    cache = [...cache, ...embeddings.data];
    return { get: () => new FakeTensor(model.next(cache), [1, 1, 0]) };
  };
  const argmax = (values: number[]) =>
    values.reduce((best, v, i) => (v > (values[best] ?? -Infinity) ? i : best), 0);
  const vmFunctions: Record<string, (...args: never[]) => unknown> = {
    _metadata: () => ({ toString: () => JSON.stringify({ params: [], prefill_chunk_size: 4096 }) }),
    embed: (ids: FakeTensor) => new FakeTensor(ids.data, [ids.data.length, 1]),
    prefill: forward,
    decode: forward,
    create_tir_paged_kv_cache: () => disposable({}),
    softmax_with_temperature: (logits: FakeTensor) => new FakeTensor(logits.data, logits.shape),
    argsort_probs: (probs: FakeTensor) => ({
      get: (i: number) => (i === 0 ? probs : new FakeTensor([argmax(probs.data)], [1], "int32")),
    }),
    sample_with_top_p: (_sorted: FakeTensor, indices: FakeTensor) =>
      new FakeTensor([indices.data[0] ?? -1], [1], "int32"),
    apply_bitmask_inplace: () => undefined,
    apply_penalty_inplace: () => undefined,
    apply_logit_bias_inplace: () => undefined,
  };
  const globalFunctions: Record<string, () => void> = {
    "vm.builtin.kv_state_clear": () => {
      cache = [];
    },
  };
  return disposable({
    webgpu: () => device,
    cpu: () => device,
    beginScope: () => undefined,
    endScope: () => undefined,
    detachFromCurrentScope: <T>(value: T) => value,
    attachToCurrentScope: <T>(value: T) => value,
    empty: (shape: number[], dtype = "float32") => new FakeTensor([], shape, dtype),
    uniform: () => new FakeTensor([0.5], [1]),
    makeShapeTuple: (values: number[]) => values,
    getParamsFromCacheByName: () => disposable({}),
    getGlobalFunc: (name: string) => disposable(globalFunctions[name] ?? (() => undefined)),
    asyncLoadWebGPUPipelines: async () => undefined,
    createVirtualMachine: () =>
      disposable({
        getInternalModule: () => ({}),
        getFunction: (name: string) => {
          const fn = vmFunctions[name];
          if (!fn) throw new Error(`no ${name}`);
          return disposable(fn);
        },
      }),
  });
}

/**
 * Runs tvmjs's own `Instance.initWebGPU` on the fake TVM, which gets only what that method
 * touches besides the device (no FFI: nothing registered is ever called).
 */
async function initWebGpu(tvm: object, device: unknown): Promise<void> {
  const { __tvmjs } = await importWebLlmCopy();
  Object.assign(tvm, {
    lib: {},
    memory: {},
    registerFunc: () => undefined,
    registerAsyncServerFunc: () => undefined,
    asyncifyHandler: { enabled: () => false },
  });
  (__tvmjs.Instance.prototype.initWebGPU as (device: unknown) => void).call(tvm, device);
}

/**
 * Puts a CuteGPT-shaped model (its chat config from model-build's template, unless another
 * template is given) into an engine,
 * as the end of web-llm's reloadInternal does: the logit processor registered for the id is
 * bound to the new pipeline.
 */
export async function installFakeModel(
  engine: MLCEngine,
  modelId: string,
  tokenizer: VocabTokenizer,
  model: FakeModel,
  /**
   * Another model's chat template (as in its mlc-chat-config.json) and context window; a
   * GPUDevice stand-in handed to the fake TVM through tvmjs's real `initWebGPU`, as
   * reloadInternal does with the device it asked for.
   */
  options: { convTemplate?: unknown; contextWindow?: number; gpuDevice?: unknown } = {},
): Promise<Pipeline> {
  const { LLMChatPipeline, CustomLock, webllm } = await webLlmInternals();
  const internals = engine as unknown as {
    logitProcessorRegistry?: Map<string, unknown>;
    loadedModelIdToPipeline: Map<string, unknown>;
    loadedModelIdToChatConfig: Map<string, unknown>;
    loadedModelIdToModelType: Map<string, unknown>;
    loadedModelIdToLock: Map<string, unknown>;
  };
  const config = {
    vocab_size: tokenizer.vocab.length,
    conv_template: options.convTemplate ?? cuteGptTemplate(tokenizer.json()),
    conv_config: {},
    context_window_size: options.contextWindow ?? 2048,
    sliding_window_size: -1,
    attention_sink_size: -1,
    temperature: 1,
    top_p: 1,
    repetition_penalty: 1,
    frequency_penalty: 0,
    presence_penalty: 0,
    tokenizer_info: { token_postproc_method: "byte_fallback", prepend_space_in_encode: false },
  };
  const tvm = fakeTvm(model);
  if (options.gpuDevice) await initWebGpu(tvm, options.gpuDevice);
  const pipeline = new LLMChatPipeline(
    tvm,
    tokenizer,
    config,
    internals.logitProcessorRegistry?.get(modelId),
  );
  internals.loadedModelIdToPipeline.set(modelId, pipeline);
  internals.loadedModelIdToChatConfig.set(modelId, config);
  internals.loadedModelIdToModelType.set(modelId, webllm.ModelType.LLM);
  internals.loadedModelIdToLock.set(modelId, new CustomLock());
  return pipeline;
}
