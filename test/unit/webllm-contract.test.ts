import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { prebuiltAppConfig, type Completion } from "@mlc-ai/web-llm";
import { parseWebLlmProgress } from "../../workers/progress";
import { classifyWebLlmError } from "../../workers/webllm-errors";
import { favour, installFakeModel, VocabTokenizer, webLlmInternals } from "./webllm-harness";

/**
 * The app relies on web-llm internals that no semver promise covers: error class names,
 * progress wording, cache error text and the prebuilt model list. These tests read the
 * installed package itself, so an upgrade that changes any of them fails here first.
 */
const pkgJson = JSON.parse(
  readFileSync(new URL("../../node_modules/@mlc-ai/web-llm/package.json", import.meta.url), "utf8"),
) as { version: string };
const bundle = readFileSync(
  new URL("../../node_modules/@mlc-ai/web-llm/lib/index.js", import.meta.url),
  "utf8",
);
const appPackage = JSON.parse(
  readFileSync(new URL("../../package.json", import.meta.url), "utf8"),
) as { dependencies: Record<string, string> };
const catalog = JSON.parse(
  readFileSync(new URL("../../public/models/catalog.json", import.meta.url), "utf8"),
) as {
  models: Array<{
    id: string;
    prebuilt?: boolean;
    requiredFeatures: string[];
    modelPath?: string;
    modelLibPath?: string;
  }>;
};

describe("web-llm contract", () => {
  it("is pinned to exactly the version these facts were read from", () => {
    expect(appPackage.dependencies["@mlc-ai/web-llm"]).toBe("0.2.86");
    expect(pkgJson.version).toBe("0.2.86");
  });

  it.each([
    "DeviceLostError",
    "ContextWindowSizeExceededError",
    "ShaderF16SupportError",
    "FeatureSupportError",
    "WebGPUNotAvailableError",
    "ModelNotFoundError",
    "MissingModelError",
  ])("still names its error class %s", (name) => {
    expect(bundle).toContain(`this.name = "${name}"`);
  });

  it("still words its progress reports the way the parser expects", () => {
    for (const fragment of [
      '"Fetching param cache["',
      '"MB fetched. "',
      '"Loading model from cache["',
      '"MB loaded. "',
      '"Loading GPU shader modules["',
    ]) {
      expect(bundle).toContain(fragment);
    }
  });

  it("still reports an HTTP error from its IndexedDB cache with the text the classifier reads", () => {
    expect(bundle).toContain("throw new Error('Network response was not ok')");
    expect(bundle).toContain('throw Error("Failed to store " + url + " with error: " + error)');
  });

  it("still keeps each loaded pipeline and its tokenizer where countTokens reads them", () => {
    expect(bundle).toContain("this.loadedModelIdToPipeline = new Map()");
    expect(bundle).toContain("this.tokenizer = tokenizer;");
  });

  it("still keeps a CuteGPT follow-up's cache the way app/prompt/training-layout.ts relies on", () => {
    // Reuse: a request extending the previous conversation after a reply that stopped.
    expect(bundle).toContain('previousFinishReason === "abort" ||');
    expect(bundle).toContain("!compareConversationObject(oldConv, newConv)");
    // A follow-up renders only its own message and the reply header.
    expect(bundle).toContain(
      "return this.getPromptArrayInternal(false, this.messages.length - 2, config);",
    );
    // A stop token is never appended to the output, so it is never fed to the model.
    expect(bundle).toMatch(/if \(!this\.stopTriggered\) \{\s*this\.outputIds\.push\(nextToken\);/);
    // conv_config from reload's options is merged over the model's conv_template.
    expect(bundle).toContain(
      "return new Conversation(Object.assign(Object.assign({}, conv_template), conv_config), isTextCompletion);",
    );
    // What workers/kv-reuse.ts reads after a reply.
    expect(bundle).toContain("this.outputMessage = outputMessage;");
    expect(bundle).toContain("getFinishReason() {");
  });

  it("still runs a registered logit processor on raw CPU logits before its own penalties", () => {
    const processor = bundle.indexOf("this.logitProcessor.processLogits(logitsOnCPUArray)");
    const penalties = bundle.indexOf("// 3. Apply penalties to logits on GPU");
    expect(processor).toBeGreaterThan(0);
    expect(penalties).toBeGreaterThan(processor);
    expect(bundle).toContain("processSampledToken(sampledToken)");
    expect(bundle).toMatch(/logitProcessorRegistry[^;]*\.get\(modelId\)/);
  });

  it("still lists every prebuilt model the catalog offers; the catalog asks for at least its features", () => {
    const prebuilt = catalog.models.filter((m) => m.prebuilt);
    expect(prebuilt.length).toBeGreaterThan(0);
    for (const entry of prebuilt) {
      const record = prebuiltAppConfig.model_list.find((m) => m.model_id === entry.id);
      expect(record, entry.id).toBeDefined();
      // web-llm's own records omit shader-f16 and fail only after the download; the
      // catalog names it so the app can refuse before downloading.
      for (const feature of record?.required_features ?? []) {
        expect(entry.requiredFeatures, entry.id).toContain(feature);
      }
      expect(entry.requiredFeatures.includes("shader-f16"), entry.id).toBe(
        entry.id.includes("f16"),
      );
    }
  });

  it("gives each prebuilt model the exact URLs web-llm uses, since they are the cache keys", () => {
    // The app downloads prebuilt models itself (from the chosen download source) into web-llm's
    // cache under these URLs; web-llm then finds every file only if they match its record.
    for (const entry of catalog.models.filter((m) => m.prebuilt)) {
      const record = prebuiltAppConfig.model_list.find((m) => m.model_id === entry.id);
      expect(entry.modelPath, entry.id).toBe(record?.model);
      expect(entry.modelLibPath, entry.id).toBe(record?.model_lib);
    }
  });
});

/**
 * What web-llm does around a reply, observed by running its own code (MLCEngine, the
 * completions API, LLMChatPipeline) over a fake GPU: see webllm-harness.ts. The worker's
 * logit processor (workers/hf-decoding.ts) and its Stop (workers/webllm-engine.ts) are built
 * on exactly these facts.
 */
describe("web-llm's generation lifecycle, observed", () => {
  const tokenizer = new VocabTokenizer([
    "<s>",
    "</s>",
    "<end>",
    "a",
    "b",
    "c",
    "问",
    "答",
    "：",
    "\n",
  ]);
  const PROMPT = "问：a\n答：\n";

  /** A model that replies "abc" and then `<end>`, and a log of what web-llm calls. */
  async function engineWithLog(hooks: { onSync?: () => Promise<void> } = {}) {
    const { webllm } = await webLlmInternals();
    const log: string[] = [];
    const processor = {
      processLogits: (logits: Float32Array) => {
        log.push("processLogits");
        return logits;
      },
      processSampledToken: (token: number) =>
        log.push(`processSampledToken ${tokenizer.vocab[token]}`),
      resetState: () => log.push("resetState"),
    };
    const engine = new webllm.MLCEngine({ logitProcessorRegistry: new Map([["m", processor]]) });
    const script = ["a", "b", "c", "<end>"];
    const pipeline = await installFakeModel(engine, "m", tokenizer, {
      next: (tokens) => {
        const replied = tokens.length - tokenizer.encode(PROMPT).length;
        return favour(tokenizer.vocab.length, tokenizer.id(script[Math.min(replied, 3)]!));
      },
      ...(hooks.onSync && { sync: hooks.onSync }),
    });
    const resetChat = pipeline.resetChat.bind(pipeline);
    pipeline.resetChat = (keepStats) => {
      log.push("resetChat");
      resetChat(keepStats);
    };
    log.length = 0; // the pipeline's constructor resets once too
    return { engine, log };
  }

  async function reply(stream: AsyncIterable<Completion>) {
    let text = "";
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.text ?? "";
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    return { text, finish };
  }

  it("resets the logit processor inside completions.create, before the first processLogits", async () => {
    const { engine, log } = await engineWithLog();
    const stream = await engine.completions.create({ prompt: PROMPT, stream: true });
    // Nothing runs until the stream is read: a processor armed before create() is still
    // reset before the prompt's logits reach it.
    expect(log).toEqual([]);
    expect(await reply(stream)).toEqual({ text: "abc", finish: "stop" });
    expect(log).toEqual([
      "resetChat",
      "resetState",
      "processLogits",
      "processSampledToken a",
      "processLogits",
      "processSampledToken b",
      "processLogits",
      "processSampledToken c",
      "processLogits",
      // The stop token is reported as sampled too, then the reply ends.
      "processSampledToken <end>",
    ]);
  });

  it("forgets an interruptGenerate() made before the stream is first read", async () => {
    const { engine } = await engineWithLog();
    const stream = await engine.completions.create({ prompt: PROMPT, stream: true });
    await engine.interruptGenerate();
    expect(await reply(stream)).toEqual({ text: "abc", finish: "stop" });
  });

  it("honours an interrupt raised during prefill only after streaming the prefill's token", async () => {
    let interrupt = () => undefined as unknown;
    const { engine } = await engineWithLog({
      onSync: async () => {
        interrupt();
      },
    });
    interrupt = () => void engine.interruptGenerate();
    const stream = await engine.completions.create({ prompt: PROMPT, stream: true });
    expect(await reply(stream)).toEqual({ text: "a", finish: "abort" });
  });
});

describe("progress parsing", () => {
  it("reads the fetch phase with its MB figure and derives the total", () => {
    const p = parseWebLlmProgress({
      progress: 0.25,
      text: "Fetching param cache[3/100]: 1000MB fetched. 25% completed, 12 secs elapsed. It can take a while when we first visit this page to populate the cache. Later refreshes will become faster.",
    });
    expect(p.phase).toBe("fetching");
    expect(p.bytesDone).toBe(1000 * 1024 * 1024);
    expect(p.bytesTotal).toBe(4000 * 1024 * 1024);
  });

  it("prefers the catalog's known download size for the total", () => {
    const p = parseWebLlmProgress(
      {
        progress: 0.5,
        text: "Loading model from cache[50/100]: 2000MB loaded. 50% completed, 3 secs elapsed.",
      },
      5e9,
    );
    expect(p.phase).toBe("loading-cache");
    expect(p.bytesTotal).toBe(5e9);
  });

  it("recognises shader compilation and anything else as preparing", () => {
    expect(
      parseWebLlmProgress({
        progress: 0.4,
        text: "Loading GPU shader modules[4/10]: 40% completed, 1 secs elapsed.",
      }).phase,
    ).toBe("compiling");
    const other = parseWebLlmProgress({ progress: Number.NaN, text: "Start to fetch params" });
    expect(other).toEqual({ phase: "preparing", fraction: 0, text: "Start to fetch params" });
  });
});

describe("error classification", () => {
  const named = (name: string, message = "x") => Object.assign(new Error(message), { name });

  it.each([
    [named("DeviceLostError"), "device-lost"],
    [named("ContextWindowSizeExceededError"), "context-window-exceeded"],
    [named("ShaderF16SupportError"), "missing-gpu-feature"],
    [named("WebGPUNotAvailableError"), "no-webgpu"],
    [
      named("CompileError", "WebAssembly.instantiate(): expected magic word 00 61 73 6d"),
      "model-library-invalid",
    ],
    [new Error("expected magic word 00 61 73 6d, found 3c 21 64 6f"), "model-library-invalid"],
    [
      new Error(
        "Failed to store http://127.0.0.1/x/mlc-chat-config.json with error: Error: Network response was not ok",
      ),
      "model-files-not-found",
    ],
    [new Error("Failed to store http://h/x with error: TypeError: Failed to fetch"), "network"],
    [named("QuotaExceededError"), "quota-exceeded"],
    [new Error("something new"), "unknown"],
  ] as const)("maps %s to %s", (error, code) => {
    expect(classifyWebLlmError(error).code).toBe(code);
  });

  it("never leaves the user without a message", () => {
    expect(classifyWebLlmError("").message.length).toBeGreaterThan(10);
  });
});

/**
 * The web-llm internals WebLlmEngine reaches into besides the pipeline map: the GPUDevice of
 * the loaded model (its `lost` tells a device loss from a plain failure, see deviceLossOr)
 * and the reload's AbortController (Cancel aborts it, see cancelLoad). Observed on web-llm's
 * own code where it runs without a GPU, read from the source of reloadInternal where not.
 */
describe("web-llm internals the worker reads, observed", () => {
  const tokenizer = new VocabTokenizer(["<s>", "</s>", "<end>", "a"]);
  const model = { next: () => favour(tokenizer.vocab.length, tokenizer.id("<end>")) };
  type Internals = {
    loadedModelIdToPipeline: Map<
      string,
      { tvm?: { lib?: { webGPUContext?: { device?: unknown } } } }
    >;
    reloadController?: AbortController;
    reloadInternal(id: string): Promise<void>;
  };

  it("keeps the loaded model's GPUDevice at pipeline.tvm.lib.webGPUContext.device", async () => {
    const { webllm } = await webLlmInternals();
    const engine = new webllm.MLCEngine();
    // What tvmjs's initWebGPU touches on a device: its error events and its `lost`.
    const device = { lost: new Promise(() => undefined), addEventListener: () => undefined };
    await installFakeModel(engine, "m", tokenizer, model, { gpuDevice: device });
    const pipeline = (engine as unknown as Internals).loadedModelIdToPipeline.get("m");
    expect(pipeline?.tvm?.lib?.webGPUContext?.device).toBe(device);
  });

  it("gives the pipeline the tvm instance that was handed the device reload asked for", async () => {
    const { webllm } = await webLlmInternals();
    const reloadInternal = String(webllm.MLCEngine.prototype["reloadInternal" as never]);
    const gpu = /const (\w+) = yield [\w$]+\.detectGPUDevice\(\)/.exec(reloadInternal)?.[1];
    expect(gpu).toBeDefined();
    expect(reloadInternal).toContain(`tvm.initWebGPU(${gpu}.device)`);
    expect(reloadInternal).toMatch(/new LLMChatPipeline\(tvm,/);
  });

  it("keeps one AbortController per reload; unload() aborts it and forgets it", async () => {
    const { webllm } = await webLlmInternals();
    const engine = new webllm.MLCEngine();
    const internals = engine as unknown as Internals;
    let entered = () => undefined as void;
    const inside = new Promise<void>((resolve) => (entered = resolve));
    let seen: AbortController | undefined;
    internals.reloadInternal = async () => {
      seen = internals.reloadController;
      entered();
      await new Promise((_, reject) =>
        seen?.signal.addEventListener("abort", () => reject(new Error("aborted"))),
      );
    };
    const reload = engine.reload("m").catch(() => undefined);
    await inside;
    expect(seen).toBeInstanceOf(AbortController);
    expect(seen?.signal.aborted).toBe(false);
    await engine.unload();
    // Why cancelLoad aborts the controller itself: after unload() the reload's later fetches
    // would read no controller, hence no signal.
    expect(seen?.signal.aborted).toBe(true);
    expect(internals.reloadController).toBeUndefined();
    await reload;
  });

  it("reads the reload's controller anew for every fetch, so one aborted early also stops later ones", async () => {
    const { webllm } = await webLlmInternals();
    const reloadInternal = String(webllm.MLCEngine.prototype["reloadInternal" as never]);
    const fetches = reloadInternal.match(/\(\w+ = this\.reloadController\) === null \|\|/g) ?? [];
    // The config, the library and the weights (tensor-cache.json and every shard).
    expect(fetches.length).toBeGreaterThanOrEqual(3);
    expect(reloadInternal).toMatch(
      /tvm\.fetchTensorCache\([^;]*signal: \(\w+ = this\.reloadController\)/,
    );
  });
});
