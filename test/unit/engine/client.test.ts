import { afterEach, describe, expect, it, vi } from "vitest";
import { EngineClient } from "../../../app/engine/client";
import { EngineClientError } from "../../../app/engine/errors";
import type { ChatUsage, LoadProgress, ModelSpec } from "../../../app/engine/protocol";
import { EngineError, type Engine } from "../../../workers/engine";
import { fakeGpu, InProcessWorker } from "./in-process-worker";

const spec: ModelSpec = { id: "m", engine: "test", requiredFeatures: [] };
const usage: ChatUsage = {
  promptTokens: 3,
  completionTokens: 2,
  prefillTokensPerSecond: 10,
  decodeTokensPerSecond: 5,
  finishReason: "stop",
};

function scriptedEngine(overrides: Partial<Engine> = {}): Engine {
  return {
    async load(_spec, onProgress: (p: LoadProgress) => void) {
      onProgress({ phase: "fetching", fraction: 0.5, bytesDone: 5, bytesTotal: 10, text: "half" });
    },
    async chat(_input, _options, onDelta) {
      onDelta("Hel");
      onDelta("lo");
      return usage;
    },
    async countTokens(texts) {
      return texts.map((t) => t.length);
    },
    // One token per character and 4 per message's role header and separator.
    async countChatTokens(messages) {
      return { fixed: 4, messages: messages.map((m) => m.content.length + 4) };
    },
    stop() {},
    async reset() {},
    async unload() {},
    ...overrides,
  };
}

afterEach(() => vi.useRealTimers());

describe("engine client and host", () => {
  it("loads with progress and streams a reply with usage", async () => {
    const client = new EngineClient(
      () => new InProcessWorker(scriptedEngine()) as unknown as Worker,
    );
    const progress: LoadProgress[] = [];
    await client.load(spec, (p) => progress.push(p));
    expect(progress).toEqual([
      { phase: "fetching", fraction: 0.5, bytesDone: 5, bytesTotal: 10, text: "half" },
    ]);
    let text = "";
    const result = await client.chat({ kind: "prompt", prompt: "hi" }, {}, (d) => (text += d));
    expect(text).toBe("Hello");
    expect(result).toEqual(usage);
    client.dispose();
  });

  it("passes engine errors through as codes with their messages", async () => {
    const engine = scriptedEngine({
      async chat() {
        throw new EngineError("context-window-exceeded", "too long");
      },
    });
    const client = new EngineClient(() => new InProcessWorker(engine) as unknown as Worker);
    await client.load(spec, () => undefined);
    await expect(
      client.chat({ kind: "prompt", prompt: "x" }, {}, () => undefined),
    ).rejects.toMatchObject({ code: "context-window-exceeded", message: "too long" });
    client.dispose();
  });

  it("refuses to chat before a model is loaded", async () => {
    const client = new EngineClient(
      () => new InProcessWorker(scriptedEngine()) as unknown as Worker,
    );
    await expect(
      client.chat({ kind: "prompt", prompt: "x" }, {}, () => undefined),
    ).rejects.toMatchObject({ code: "not-loaded" });
    client.dispose();
  });

  it("checks WebGPU and required features before the engine is asked to load", async () => {
    const load = vi.fn();
    const noGpu = new EngineClient(
      () => new InProcessWorker(scriptedEngine({ load }), "none") as unknown as Worker,
    );
    await expect(noGpu.load(spec, () => undefined)).rejects.toMatchObject({ code: "no-webgpu" });
    const noF16 = new EngineClient(
      () => new InProcessWorker(scriptedEngine({ load }), fakeGpu([])) as unknown as Worker,
    );
    await expect(
      noF16.load({ ...spec, requiredFeatures: ["shader-f16"] }, () => undefined),
    ).rejects.toMatchObject({ code: "missing-gpu-feature" });
    expect(load).not.toHaveBeenCalled();
    noGpu.dispose();
    noF16.dispose();
  });

  it("stop reaches the engine while a reply streams", async () => {
    let release: () => void = () => undefined;
    const engine = scriptedEngine({
      chat: (_i, _o, onDelta) =>
        new Promise<ChatUsage>((resolve) => {
          onDelta("partial");
          release = () => resolve({ ...usage, finishReason: "abort" });
        }),
      stop: () => release(),
    });
    const client = new EngineClient(() => new InProcessWorker(engine) as unknown as Worker);
    await client.load(spec, () => undefined);
    let text = "";
    const reply = client.chat({ kind: "prompt", prompt: "x" }, {}, (d) => (text += d));
    await vi.waitFor(() => expect(text).toBe("partial"));
    await client.stop();
    await expect(reply).resolves.toMatchObject({ finishReason: "abort" });
    client.dispose();
  });

  it("notices a worker that went silent mid-reply, reports a crash, and starts a new one", async () => {
    vi.useFakeTimers();
    const workers: InProcessWorker[] = [];
    const engine = scriptedEngine({ chat: () => new Promise<ChatUsage>(() => undefined) });
    const client = new EngineClient(
      () => {
        const w = new InProcessWorker(engine);
        workers.push(w);
        return w as unknown as Worker;
      },
      { heartbeatMs: 100, deadAfterMs: 500 },
    );
    const crashes: EngineClientError[] = [];
    client.onCrash((e) => crashes.push(e));
    const loading = client.load(spec, () => undefined);
    await vi.advanceTimersByTimeAsync(10);
    await loading;
    const reply = client.chat({ kind: "prompt", prompt: "x" }, {}, () => undefined);
    const outcome = expect(reply).rejects.toMatchObject({ code: "worker-crashed" });
    // A healthy but busy worker keeps answering pings: no crash.
    await vi.advanceTimersByTimeAsync(2000);
    expect(crashes).toHaveLength(0);
    workers[0]?.freeze();
    await vi.advanceTimersByTimeAsync(1000);
    await outcome;
    expect(crashes.map((e) => e.code)).toEqual(["worker-crashed"]);
    expect(workers[0]?.terminated).toBe(true);
    const reload = client.load(spec, () => undefined);
    await vi.advanceTimersByTimeAsync(10);
    await reload;
    expect(workers).toHaveLength(2);
    client.dispose();
  });

  it("does not declare a worker dead because a hidden tab's timers ran a minute late", async () => {
    vi.useFakeTimers();
    const engine = scriptedEngine({ chat: () => new Promise<ChatUsage>(() => undefined) });
    const workers: InProcessWorker[] = [];
    const client = new EngineClient(
      () => {
        const w = new InProcessWorker(engine);
        workers.push(w);
        return w as unknown as Worker;
      },
      { heartbeatMs: 1000, deadAfterMs: 8000 },
    );
    const crashes: EngineClientError[] = [];
    client.onCrash((e) => crashes.push(e));
    const loading = client.load(spec, () => undefined);
    await vi.advanceTimersByTimeAsync(10);
    await loading;
    void client.chat({ kind: "prompt", prompt: "x" }, {}, () => undefined).catch(() => undefined);
    await vi.advanceTimersByTimeAsync(1000);
    // A long prefill in a tab hidden for five minutes: the clock moves on by a minute between
    // two runs of the heartbeat, and the worker, which answered every ping, posted nothing.
    vi.setSystemTime(Date.now() + 60_000);
    await vi.advanceTimersByTimeAsync(1000);
    vi.setSystemTime(Date.now() + 60_000);
    await vi.advanceTimersByTimeAsync(1000);
    expect(crashes).toHaveLength(0);
    // A ping that really went out and got no answer still counts.
    workers[0]?.freeze();
    await vi.advanceTimersByTimeAsync(1000);
    vi.setSystemTime(Date.now() + 60_000);
    await vi.advanceTimersByTimeAsync(1000);
    expect(crashes.map((e) => e.code)).toEqual(["worker-crashed"]);
    client.dispose();
  });
});
