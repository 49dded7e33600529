import { describe, expect, it, vi } from "vitest";
import { prebuiltAppConfig, type MLCEngine } from "@mlc-ai/web-llm";
import type { ChatOptions, ModelSpec } from "../../../app/protocol/worker-protocol";
import { memoryArtifactStore } from "../../../workers/model-cache/artifact-store";
import { modelFolderUrl } from "../../../workers/model-cache/layout";
import { WebLlmEngine } from "../../../workers/webllm-engine";
import { favour, installFakeModel, VocabTokenizer, type FakeModel } from "../webllm-harness";

// The adapter runs over web-llm's own code (a copy with its internal classes exported), on a
// fake GPU: see webllm-harness.ts.
vi.mock("@mlc-ai/web-llm", async () => {
  const { webLlmInternals } = await import("../webllm-harness");
  return (await webLlmInternals()).webllm;
});

const tokenizer = new VocabTokenizer([
  "<s>",
  "</s>",
  "<end>",
  "x",
  "y",
  "z",
  "问",
  "答",
  "：",
  "\n",
]);
const V = tokenizer.vocab.length;
const id = (token: string) => tokenizer.id(token);
const PROMPT = "问：x\n答：\n";
const PROMPT_LENGTH = tokenizer.encode(PROMPT).length;

const cutegpt: ModelSpec = {
  id: "cutegpt-test",
  engine: "webllm",
  modelUrl: "https://models.example/cutegpt/",
  modelLibUrl: "https://models.example/cutegpt.wasm",
  requiredFeatures: [],
  hfDecoding: true,
};

/** As the chat slice asks for CuteGPT with the reference preset. */
const reference: ChatOptions = {
  maxTokens: 16,
  temperature: 0,
  topP: 1,
  repetitionPenalty: 1.1,
  stop: ["<end>", "<s>", "</s>", "\n问："],
  topK: 50,
  repetitionOverPrompt: true,
};

/** A model whose logits depend on how many reply tokens it has produced so far. */
function scripted(steps: ((position: number) => Float32Array)[]): FakeModel {
  return {
    next: (tokens) => {
      const step = tokens.length - PROMPT_LENGTH;
      return (steps[step] ?? (() => favour(V, id("<end>"))))(step);
    },
  };
}

async function loadedEngine(model: FakeModel, gpuDevice?: unknown): Promise<WebLlmEngine> {
  const engine = new WebLlmEngine();
  const mlc = (engine as unknown as { mlc: MLCEngine }).mlc;
  // What reload() does before the pipeline exists (fetching files, compiling the library)
  // needs a GPU; it ends as installFakeModel does, with the registered processor bound.
  mlc.reload = async (modelId: string) => {
    await installFakeModel(mlc, modelId, tokenizer, model, gpuDevice ? { gpuDevice } : {});
  };
  await engine.load(cutegpt, () => undefined);
  return engine;
}

async function reply(engine: WebLlmEngine, options: ChatOptions = reference) {
  let text = "";
  const usage = await engine.chat({ kind: "prompt", prompt: PROMPT }, options, (d) => {
    text += d;
  });
  return { text, finishReason: usage.finishReason };
}

describe("CuteGPT's reference decoding on web-llm's real generation code", () => {
  it("penalises tokens of the prompt, as Hugging Face does, not only the reply's", async () => {
    // "x" is in the prompt and barely the model's favourite: 2.0 / 1.1 < 1.9.
    const first = () => {
      const logits = new Float32Array(V);
      logits[id("x")] = 2.0;
      logits[id("y")] = 1.9;
      return logits;
    };
    const engine = await loadedEngine(scripted([first]));
    expect(await reply(engine)).toEqual({ text: "y", finishReason: "stop" });
    // Again: the second reply starts from its own prompt, not from the first reply's state.
    expect(await reply(engine)).toEqual({ text: "y", finishReason: "stop" });
  });

  it("never ends a reply on its first token (min_length = prompt + 1)", async () => {
    const first = () => {
      const logits = favour(V, id("<end>"), 5);
      logits[id("z")] = 1;
      return logits;
    };
    const engine = await loadedEngine(scripted([first]));
    expect(await reply(engine)).toEqual({ text: "z", finishReason: "stop" });
  });

  it("lets a reply end on any later token", async () => {
    const engine = await loadedEngine(scripted([() => favour(V, id("z"))]));
    expect(await reply(engine)).toEqual({ text: "z", finishReason: "stop" });
  });
});

describe("Stop on web-llm's real generation code", () => {
  it("stops during prefill with nothing streamed: not even the prefill's token", async () => {
    let stopDuringPrefill = true;
    const engine: WebLlmEngine = await loadedEngine({
      ...scripted([() => favour(V, id("x")), () => favour(V, id("y"))]),
      sync: async () => {
        if (stopDuringPrefill) {
          stopDuringPrefill = false;
          engine.stop();
        }
      },
    });
    expect(await reply(engine)).toEqual({ text: "", finishReason: "abort" });
    // The next reply is not affected.
    expect(await reply(engine)).toEqual({ text: "xy", finishReason: "stop" });
  });
});

describe("A lost GPU device", () => {
  /** A GPUDevice stand-in whose destroy() fails later GPU work and settles `lost`. */
  function gpuDevice() {
    let destroyed = false;
    let settle = (_info: unknown) => undefined as void;
    const lost = new Promise((resolve) => (settle = resolve));
    return {
      device: { lost, addEventListener: () => undefined },
      destroy: () => {
        destroyed = true;
        settle({ reason: "destroyed", message: "" });
      },
      get destroyed() {
        return destroyed;
      },
    };
  }

  it("turns the GPU call that failed into a device loss, read from web-llm's own device", async () => {
    const gpu = gpuDevice();
    const engine = await loadedEngine(
      {
        next: () => {
          if (gpu.destroyed) throw new Error("Buffer was unmapped before mapping was resolved.");
          return favour(V, id("<end>"));
        },
      },
      gpu.device,
    );
    gpu.destroy();
    await expect(reply(engine)).rejects.toMatchObject({
      name: "DeviceLostError",
      message: expect.stringContaining("Buffer was unmapped"),
    });
  });

  it("leaves a plain failure plain while the device lives", async () => {
    const gpu = gpuDevice();
    const engine = await loadedEngine(
      {
        next: () => {
          throw new Error("something else");
        },
      },
      gpu.device,
    );
    await expect(reply(engine)).rejects.toMatchObject({ message: "something else" });
  });
});

describe("Cancel of a download web-llm runs itself", () => {
  const prebuilt: ModelSpec = {
    id: "Qwen2.5-0.5B-Instruct-q4f16_1-MLC",
    engine: "webllm",
    prebuilt: true,
    requiredFeatures: [],
  };

  /**
   * web-llm's real reload() and unload(); only the download inside reloadInternal is a
   * stand-in, failing on the reload's abort signal the way web-llm's IndexedDB cache does.
   */
  function downloadingEngine(files = memoryArtifactStore()) {
    const engine = new WebLlmEngine(() => files);
    const mlc = (engine as unknown as { mlc: MLCEngine }).mlc;
    const internals = mlc as unknown as {
      reloadController?: AbortController;
      reloadInternal(id: string): Promise<void>;
    };
    let started = () => undefined as void;
    const downloading = new Promise<void>((resolve) => (started = resolve));
    internals.reloadInternal = async (modelId) => {
      const signal = internals.reloadController!.signal;
      started();
      await new Promise((_, reject) =>
        signal.addEventListener("abort", () =>
          reject(
            new Error(
              `Failed to store ${modelId}/params_shard_2.bin with error: ${String(signal.reason)}`,
            ),
          ),
        ),
      );
    };
    return { engine, downloading };
  }

  it("stops the download and says how many files were kept", async () => {
    const files = memoryArtifactStore();
    const record = prebuiltAppConfig.model_list.find((m) => m.model_id === prebuilt.id)!;
    const folder = modelFolderUrl(record.model);
    await files.put("webllm/model", `${folder}tensor-cache.json`, {
      records: [0, 1, 2].map((i) => ({ dataPath: `params_shard_${i}.bin`, nbytes: 400e6 })),
    });
    await files.put("webllm/model", `${folder}params_shard_0.bin`, new ArrayBuffer(8));
    await files.put("webllm/model", `${folder}params_shard_1.bin`, new ArrayBuffer(8));
    const { engine, downloading } = downloadingEngine(files);
    const load = engine.load(prebuilt, () => undefined);
    await downloading;
    engine.cancelLoad();
    await expect(load).rejects.toMatchObject({
      code: "cancelled",
      message: expect.stringContaining("2 of 3 weight files"),
    });
  });

  it("counts what was kept for the UI's own words, not only in English", async () => {
    const { engine, downloading } = downloadingEngine();
    const load = engine.load(prebuilt, () => undefined);
    await downloading;
    engine.cancelLoad();
    await expect(load).rejects.toMatchObject({ params: { kept: 0, total: 0 } });
  });

  /**
   * web-llm's real reload() and unload() over a stand-in reloadInternal that, like the real
   * one, waits on something no signal reaches (compiling the library, loading the tokenizer,
   * compiling shaders) and reads `this.reloadController` anew for each later fetch.
   */
  function slowPhaseEngine() {
    const engine = new WebLlmEngine(() => memoryArtifactStore());
    const mlc = (engine as unknown as { mlc: MLCEngine }).mlc;
    const internals = mlc as unknown as {
      reloadController?: AbortController | undefined;
      reloadInternal(id: string): Promise<void>;
      loadedModelIdToPipeline: Map<string, unknown>;
    };
    let entered = () => undefined as void;
    const inSlowPhase = new Promise<void>((resolve) => (entered = resolve));
    let release = () => undefined as void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const weights: string[] = [];
    internals.reloadInternal = async (modelId) => {
      entered();
      await released;
      const signal = internals.reloadController?.signal;
      if (signal?.aborted) throw new Error(`Failed to store params_shard_0.bin: ${signal.reason}`);
      weights.push(signal ? "fetched with a live signal" : "fetched with no signal");
      const pipeline = (await installFakeModel(mlc, modelId, tokenizer, scripted([]))) as {
        dispose?: () => void;
      };
      const dispose = pipeline.dispose?.bind(pipeline);
      pipeline.dispose = () => {
        disposed.push(modelId);
        dispose?.();
      };
    };
    const disposed: string[] = [];
    return { engine, internals, inSlowPhase, release, weights, disposed };
  }

  it("takes effect at once during a phase web-llm cannot abort, and unloads the model once that phase ends", async () => {
    const { engine, internals, inSlowPhase, release, disposed } = slowPhaseEngine();
    const load = engine.load(prebuilt, () => undefined);
    await inSlowPhase;
    // Past its fetches (a compile, say), the reload has nothing left to abort.
    internals.reloadController = undefined;
    engine.cancelLoad();
    // Rejected while the slow phase still runs (it is only released below).
    await expect(load).rejects.toMatchObject({ code: "cancelled" });
    release();
    // The adapter's own unload after the cancel and the host's: the model is disposed once.
    await engine.unload();
    expect(internals.loadedModelIdToPipeline.size).toBe(0);
    expect(disposed).toEqual([prebuilt.id]);
  });

  it("also stops the weights a reload fetches after the Cancel, not only the fetch in flight", async () => {
    const { engine, inSlowPhase, release, weights } = slowPhaseEngine();
    const load = engine.load(prebuilt, () => undefined);
    await inSlowPhase;
    engine.cancelLoad();
    release();
    await expect(load).rejects.toMatchObject({ code: "cancelled" });
    await engine.unload();
    // unload() would abort the controller and forget it: the weights then download unasked.
    expect(weights).toEqual([]);
  });

  it("reports a cancel with nothing finished as such, not as missing files", async () => {
    const { engine, downloading } = downloadingEngine();
    const load = engine.load(prebuilt, () => undefined);
    await downloading;
    engine.cancelLoad();
    await expect(load).rejects.toMatchObject({
      code: "cancelled",
      message: expect.stringContaining("none was kept"),
    });
  });
});
