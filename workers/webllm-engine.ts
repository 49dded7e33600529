import {
  MLCEngine,
  prebuiltAppConfig,
  type AppConfig,
  type ChatCompletionChunk,
  type Completion,
  type CompletionUsage,
  type ModelRecord,
} from "@mlc-ai/web-llm";
import type {
  ChatInput,
  ChatOptions,
  ChatTokenCounts,
  ChatTurn,
  ChatUsage,
  FinishReason,
  LoadProgress,
  ModelFilesIntegrity,
  ModelSpec,
} from "../app/protocol/worker-protocol";
import { EngineError, type Engine } from "./engine";
import { parseWebLlmProgress } from "./progress";
import { countChatTokens, type ConversationLike } from "./chat-token-count";
import { HfDecodingProcessor } from "./hf-decoding";
import { contextTokens, replyEndedOnStopToken } from "./kv-reuse";
import { TRAINING_LAYOUT_CONV_CONFIG } from "../app/prompt/training-layout";
import { idbArtifactStore, type ArtifactStore } from "./model-cache/artifact-store";
import { listCachedModels } from "./model-cache/inventory";
import { modelFolderUrl } from "./model-cache/layout";

/** What the adapter reads from web-llm's loaded pipeline (internals, see loadedPipeline). */
interface LoadedPipeline {
  tokenizer: { encode(text: string): ArrayLike<number> };
  stopTokens?: readonly number[];
  /** web-llm's Conversation of the loaded model (see workers/chat-token-count.ts). */
  conversation?: ConversationLike;
  /** tvmjs's instance; its WebGPU context holds the device web-llm asked for. */
  tvm?: { lib?: { webGPUContext?: { device?: GPUDevice } } };
}

/** How long a failed reply waits for its device's `lost` to settle (it follows at once). */
const DEVICE_LOST_GRACE_MS = 1000;

/** The production engine: one web-llm MLCEngine, weights cached in IndexedDB. */
export class WebLlmEngine implements Engine {
  private readonly mlc = new MLCEngine();
  /** Set for models loaded with hfDecoding (CuteGPT); see workers/hf-decoding.ts. */
  private hf: HfDecodingProcessor | undefined;
  /**
   * Stop was asked for during the current chat(). web-llm clears its own interrupt flag when
   * the generation starts and honours one raised during prefill only after streaming the
   * prefill's token (both pinned in test/unit/webllm-contract.test.ts), so the adapter keeps
   * its own: nothing that arrives after a Stop is passed on, and the interrupt is raised
   * again until web-llm has seen it.
   */
  private stopRequested = false;
  /** Cancel was pressed during the current load(). */
  private loadCancelled = false;
  /** Ends the current load()'s wait for web-llm's reload when Cancel is pressed. */
  private stopWaiting: (() => void) | undefined;
  /** The current reload, settled either way: unload() waits for it (see load). */
  private reloadSettled: Promise<void> = Promise.resolve();
  /** The last unload(): after a cancel both this adapter and the host ask for one. */
  private unloading: Promise<void> = Promise.resolve();
  /** The loaded model's GPUDevice.lost (see deviceLossOr). */
  private deviceLost: Promise<unknown> | undefined;

  constructor(
    /** Where web-llm keeps the files; read after a cancel to say what was kept. */
    private readonly files: () => ArtifactStore = idbArtifactStore,
  ) {}

  async load(spec: ModelSpec, onProgress: (progress: LoadProgress) => void): Promise<void> {
    this.loadCancelled = false;
    const record = modelRecordFor(spec);
    const appConfig: AppConfig = {
      model_list: [record],
      cacheBackend: "indexeddb",
    };
    this.mlc.setAppConfig(appConfig);
    // web-llm binds logit processors to a model id when it loads the model.
    this.hf = spec.hfDecoding ? new HfDecodingProcessor() : undefined;
    this.mlc.setLogitProcessorRegistry(this.hf ? new Map([[spec.id, this.hf]]) : undefined);
    this.mlc.setInitProgressCallback((report) =>
      onProgress(parseWebLlmProgress(report, spec.downloadBytes)),
    );
    onProgress({
      phase: "preparing",
      fraction: 0,
      text: "Fetching model configuration and library",
    });
    const reload = this.mlc.reload(spec.id, {
      ...(spec.contextWindow && {
        context_window_size: spec.contextWindow,
        sliding_window_size: -1,
      }),
      // CuteGPT's chat-API turns arrive rendered (app/prompt/training-layout.ts): the
      // template must add nothing, whatever the model's own config says.
      ...(spec.hfDecoding && { conv_config: { ...TRAINING_LAYOUT_CONV_CONFIG } }),
    });
    this.reloadSettled = reload.then(
      () => undefined,
      () => undefined,
    );
    const cancelled = new Promise<void>((resolve) => (this.stopWaiting = resolve));
    try {
      await Promise.race([reload, cancelled]);
    } catch (error) {
      // A cancelled download fails inside web-llm's IndexedDB cache ("Failed to store … with
      // error: AbortError …"), which is no fault of the files.
      if (!this.loadCancelled) throw error;
    } finally {
      this.stopWaiting = undefined;
    }
    if (this.loadCancelled) {
      // web-llm cannot abort what follows its downloads (uploading to the GPU, compiling
      // shaders: tens of seconds on SwiftShader or a slow GPU), so the reload may run on. The
      // user's Cancel takes effect now; the model is unloaded as soon as the reload settles
      // (unload() waits for it, and the host waits for that before the next load).
      void this.unload().catch(() => undefined);
      throw await keptFilesError(this.files(), record);
    }
    this.deviceLost = this.loadedDevice()?.lost;
  }

  /**
   * Stops web-llm's own downloads (those of prebuilt models are not the app's downloader's, so
   * the host's abort signal never reaches them) by aborting its reload's AbortController.
   * Finished files stay in its cache; the half-fetched one is lost. Not through unload(),
   * which aborts the controller and forgets it: the fetches the reload starts after that (the
   * weights, when Cancel comes while the library compiles or the tokenizer loads) would then
   * have no signal and download in full behind the user's back.
   */
  cancelLoad(): void {
    this.loadCancelled = true;
    const controller = reloadControllerOf(this.mlc);
    if (controller) controller.abort();
    else void this.mlc.unload();
    this.stopWaiting?.();
  }

  async chat(
    input: ChatInput,
    options: ChatOptions,
    onDelta: (text: string) => void,
  ): Promise<ChatUsage> {
    try {
      return await this.generate(input, options, onDelta);
    } catch (error) {
      throw await this.deviceLossOr(error);
    }
  }

  /**
   * A device lost during a reply (seen with GPUDevice.destroy() on the real engine, see
   * test/e2e/real-engine-controls.spec.ts) fails the generation with whatever GPU call it was
   * in, e.g. "Failed to execute 'mapAsync' on 'GPUBuffer': Buffer was unmapped before mapping
   * was resolved.", which names no device. web-llm unloads the model when the device's `lost`
   * settles, so the app must hear "device-lost" and load again, not a plain failure.
   */
  private async deviceLossOr(error: unknown): Promise<unknown> {
    const lost = this.deviceLost;
    if (!lost) return error;
    const settled = await Promise.race([
      lost.then(() => true),
      new Promise<false>((resolve) => setTimeout(() => resolve(false), DEVICE_LOST_GRACE_MS)),
    ]);
    if (!settled) return error;
    const detail = error instanceof Error ? error.message : String(error);
    return Object.assign(new Error(`The GPU device was lost. (${detail})`), {
      name: "DeviceLostError",
    });
  }

  private async generate(
    input: ChatInput,
    options: ChatOptions,
    onDelta: (text: string) => void,
  ): Promise<ChatUsage> {
    this.stopRequested = false;
    const common = {
      stream: true as const,
      stream_options: { include_usage: true },
      ...(options.maxTokens !== undefined && { max_tokens: options.maxTokens }),
      ...(options.temperature !== undefined && { temperature: options.temperature }),
      ...(options.topP !== undefined && { top_p: options.topP }),
      ...(options.repetitionPenalty !== undefined && {
        repetition_penalty: options.repetitionPenalty,
      }),
      ...(options.stop && { stop: options.stop }),
    };
    if (this.hf && input.kind !== "messages") {
      // Armed for every reply, so one never inherits the previous reply's prompt. web-llm
      // resets the processor before the prefill; it keeps what begin() gave it.
      const pipeline = this.loadedPipeline();
      const hfPenalty = options.repetitionOverPrompt === true;
      const context = !hfPenalty
        ? []
        : input.kind === "prompt"
          ? pipeline.tokenizer.encode(input.prompt)
          : contextTokens(pipeline.tokenizer, input.messages);
      this.hf.begin(context, {
        repetitionPenalty: hfPenalty ? (options.repetitionPenalty ?? 1) : 1,
        ...(options.topK !== undefined && { topK: options.topK }),
        // The chat config's stop_token_ids (<end>, <s>, </s> for CuteGPT).
        stopTokens: pipeline.stopTokens ?? [],
      });
      // The processor already penalised prompt and reply; web-llm must not do it again.
      if (hfPenalty) common.repetition_penalty = 1;
    }
    let finish: FinishReason = "stop";
    let usage: CompletionUsage | undefined;
    const take = (text: string | null | undefined, reason: string | null | undefined) => {
      if (this.stopRequested) {
        finish = "abort";
        void this.mlc.interruptGenerate();
        return;
      }
      if (text) onDelta(text);
      if (reason) finish = toFinishReason(reason);
    };
    if (input.kind !== "prompt") {
      let finished = false;
      try {
        const stream = await this.mlc.chat.completions.create({
          ...common,
          messages: input.messages,
        });
        for await (const chunk of stream as AsyncIterable<ChatCompletionChunk>) {
          const choice = chunk.choices[0];
          take(choice?.delta.content, choice?.finish_reason);
          if (chunk.usage) usage = chunk.usage;
        }
        finished = true;
      } finally {
        // The next turn may reuse this cache only if it holds exactly what the text says; a
        // reply that failed half-way would otherwise leave web-llm the last turn's "stop".
        if (input.kind === "training-layout" && !(finished && replyEndedOnStopToken(this.mlc))) {
          await this.mlc.resetChat().catch(() => undefined);
        }
      }
    } else {
      const stream = await this.mlc.completions.create({ ...common, prompt: input.prompt });
      for await (const chunk of stream as AsyncIterable<Completion>) {
        const choice = chunk.choices[0];
        take(choice?.text, choice?.finish_reason);
        if (chunk.usage) usage = chunk.usage;
      }
    }
    return {
      promptTokens: usage?.prompt_tokens ?? 0,
      completionTokens: usage?.completion_tokens ?? 0,
      prefillTokensPerSecond: rate(usage?.extra.prefill_tokens_per_s),
      decodeTokensPerSecond: rate(usage?.extra.decode_tokens_per_s),
      finishReason: finish,
    };
  }

  async countTokens(texts: string[]): Promise<number[]> {
    const { tokenizer } = this.loadedPipeline();
    return texts.map((text) => tokenizer.encode(text).length);
  }

  async countChatTokens(messages: ChatTurn[]): Promise<ChatTokenCounts> {
    const { tokenizer, conversation } = this.loadedPipeline();
    if (!conversation) throw new EngineError("not-loaded", "No model is loaded.");
    return countChatTokens({ tokenizer, conversation }, messages);
  }

  /**
   * web-llm has no public tokenize call; the pipeline's tokenizer is reached through an
   * internal map (pinned by test/unit/webllm-contract.test.ts). It encodes without special
   * tokens, which is how CuteGPT's prompts are encoded (add_special_tokens=False). The
   * pipeline's `stopTokens` are its chat config's stop_token_ids.
   */
  private loadedPipeline(): LoadedPipeline {
    const internals = this.mlc as unknown as {
      loadedModelIdToPipeline?: Map<string, Partial<LoadedPipeline>>;
    };
    const pipeline = internals.loadedModelIdToPipeline?.values().next().value;
    if (!pipeline?.tokenizer) throw new EngineError("not-loaded", "No model is loaded.");
    return {
      tokenizer: pipeline.tokenizer,
      ...(pipeline.stopTokens && { stopTokens: pipeline.stopTokens }),
      ...(pipeline.conversation && { conversation: pipeline.conversation }),
    };
  }

  /** The GPUDevice web-llm runs the loaded model on (internal, like loadedPipeline). */
  private loadedDevice(): GPUDevice | undefined {
    const internals = this.mlc as unknown as {
      loadedModelIdToPipeline?: Map<string, Partial<LoadedPipeline>>;
    };
    return internals.loadedModelIdToPipeline?.values().next().value?.tvm?.lib?.webGPUContext
      ?.device;
  }

  stop(): void {
    this.stopRequested = true;
    void this.mlc.interruptGenerate();
  }

  async reset(): Promise<void> {
    await this.mlc.resetChat();
  }

  async unload(): Promise<void> {
    // Its device is destroyed on purpose now: no later failure is a device loss.
    this.deviceLost = undefined;
    // A cancelled reload still running would otherwise install its model after this; and
    // one unload at a time, since web-llm's disposes each pipeline it finds.
    const previous = this.unloading.catch(() => undefined);
    this.unloading = previous.then(() => this.reloadSettled).then(() => this.mlc.unload());
    await this.unloading;
  }
}

/**
 * web-llm's AbortController of the reload in progress (internal, pinned by
 * test/unit/webllm-contract.test.ts): every fetch of the reload passes its signal.
 */
function reloadControllerOf(mlc: MLCEngine): AbortController | undefined {
  return (mlc as unknown as { reloadController?: AbortController }).reloadController;
}

/**
 * What a cancel kept, counted in web-llm's own cache: in words (English, for the details) and
 * as params (`kept`, `total` weight files, `gb`), so the UI says it in its own language.
 */
async function keptFilesError(store: ArtifactStore, record: ModelRecord): Promise<EngineError> {
  const resume = "Loading the model again downloads only what is missing.";
  try {
    const folder = modelFolderUrl(record.model);
    const [cached] = await listCachedModels(store, [
      { id: record.model_id, modelUrl: record.model },
    ]).then((models) => models.filter((m) => m.folderUrl === folder));
    const kept = cached?.shardsCached ?? 0;
    const total = cached?.shardsTotal ?? 0;
    const gb = ((cached?.bytes ?? 0) / 1e9).toLocaleString("en-US", { maximumFractionDigits: 2 });
    const message =
      kept === 0
        ? "Download cancelled. No weight file had finished downloading, so none was kept."
        : `Download cancelled. ${kept} of ${total} weight files (${gb} GB) are kept in this ` +
          `browser. ${resume}`;
    return new EngineError("cancelled", message, { kept, total, gb });
  } catch {
    return new EngineError(
      "cancelled",
      `Download cancelled. Files that finished downloading are kept. ${resume}`,
    );
  }
}

function modelRecordFor(spec: ModelSpec): ModelRecord {
  if (spec.prebuilt) {
    const record = prebuiltAppConfig.model_list.find((m) => m.model_id === spec.id);
    if (!record) {
      throw new EngineError(
        "model-files-not-found",
        `The model "${spec.id}" is not in web-llm's list of prebuilt models.`,
      );
    }
    return record;
  }
  if (!spec.modelUrl || !spec.modelLibUrl) {
    throw new EngineError(
      "model-files-not-found",
      `The catalog entry for "${spec.id}" names no model folder or library.`,
    );
  }
  return {
    model: spec.modelUrl,
    model_id: spec.id,
    model_lib: spec.modelLibUrl,
    required_features: spec.requiredFeatures,
    ...(spec.integrity && { integrity: webLlmIntegrity(spec.integrity) }),
  };
}

/** web-llm checks config, library and tokenizer itself; shards are the app's job. */
function webLlmIntegrity(integrity: ModelFilesIntegrity): NonNullable<ModelRecord["integrity"]> {
  return {
    ...(integrity.config !== undefined && { config: integrity.config }),
    ...(integrity.modelLib !== undefined && { model_lib: integrity.modelLib }),
    ...(integrity.tokenizer !== undefined && {
      tokenizer: { "tokenizer.json": integrity.tokenizer },
    }),
  };
}

/**
 * web-llm divides decoded tokens by decode time; a reply stopped after the prefill's token has
 * decoded none in no time, and 0/0 would show as "NaN tok/s". Such a speed is unknown: 0.
 */
function rate(value: number | undefined): number {
  return value !== undefined && Number.isFinite(value) ? value : 0;
}

function toFinishReason(reason: string): FinishReason {
  return reason === "length" ? "length" : reason === "abort" ? "abort" : "stop";
}
