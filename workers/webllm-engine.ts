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
  ChatUsage,
  FinishReason,
  LoadProgress,
  ModelFilesIntegrity,
  ModelSpec,
} from "../app/engine/protocol";
import { EngineError, type Engine } from "./engine";
import { parseWebLlmProgress } from "./progress";
import { HfDecodingProcessor } from "./hf-decoding";
import { contextTokens, replyEndedOnStopToken } from "./kv-reuse";
import { TRAINING_LAYOUT_CONV_CONFIG } from "../app/prompt/training-layout";

/** The production engine: one web-llm MLCEngine, weights cached in IndexedDB. */
export class WebLlmEngine implements Engine {
  private readonly mlc = new MLCEngine();
  /** Set for models loaded with hfDecoding (CuteGPT); see workers/hf-decoding.ts. */
  private hf: HfDecodingProcessor | undefined;

  async load(spec: ModelSpec, onProgress: (progress: LoadProgress) => void): Promise<void> {
    const appConfig: AppConfig = {
      model_list: [modelRecordFor(spec)],
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
    await this.mlc.reload(spec.id, {
      ...(spec.contextWindow && {
        context_window_size: spec.contextWindow,
        sliding_window_size: -1,
      }),
      // CuteGPT's chat-API turns arrive rendered (app/prompt/training-layout.ts): the
      // template must add nothing, whatever the model's own config says.
      ...(spec.hfDecoding && { conv_config: { ...TRAINING_LAYOUT_CONV_CONFIG } }),
    });
  }

  async chat(
    input: ChatInput,
    options: ChatOptions,
    onDelta: (text: string) => void,
  ): Promise<ChatUsage> {
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
      const hfPenalty = options.repetitionOverPrompt === true;
      const tokenizer = this.loadedTokenizer();
      const context = !hfPenalty
        ? []
        : input.kind === "prompt"
          ? tokenizer.encode(input.prompt)
          : contextTokens(tokenizer, input.messages);
      this.hf.begin(context, {
        repetitionPenalty: hfPenalty ? (options.repetitionPenalty ?? 1) : 1,
        ...(options.topK !== undefined && { topK: options.topK }),
      });
      // The processor already penalised prompt and reply; web-llm must not do it again.
      if (hfPenalty) common.repetition_penalty = 1;
    }
    let finish: FinishReason = "stop";
    let usage: CompletionUsage | undefined;
    const take = (text: string | null | undefined, reason: string | null | undefined) => {
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
      prefillTokensPerSecond: usage?.extra.prefill_tokens_per_s ?? 0,
      decodeTokensPerSecond: usage?.extra.decode_tokens_per_s ?? 0,
      finishReason: finish,
    };
  }

  async countTokens(texts: string[]): Promise<number[]> {
    const tokenizer = this.loadedTokenizer();
    return texts.map((text) => tokenizer.encode(text).length);
  }

  /**
   * web-llm has no public tokenize call; the pipeline's tokenizer is reached through an
   * internal map (pinned by test/unit/webllm-contract.test.ts). It encodes without special
   * tokens, which is how CuteGPT's prompts are encoded (add_special_tokens=False).
   */
  private loadedTokenizer(): { encode(text: string): ArrayLike<number> } {
    const internals = this.mlc as unknown as {
      loadedModelIdToPipeline?: Map<
        string,
        { tokenizer?: { encode(text: string): ArrayLike<number> } }
      >;
    };
    const pipeline = internals.loadedModelIdToPipeline?.values().next().value;
    if (!pipeline?.tokenizer) throw new EngineError("not-loaded", "No model is loaded.");
    return pipeline.tokenizer;
  }

  stop(): void {
    this.mlc.interruptGenerate();
  }

  async reset(): Promise<void> {
    await this.mlc.resetChat();
  }

  async unload(): Promise<void> {
    await this.mlc.unload();
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

function toFinishReason(reason: string): FinishReason {
  return reason === "length" ? "length" : reason === "abort" ? "abort" : "stop";
}
