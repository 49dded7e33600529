import { describe, expect, it, vi } from "vitest";
import { EngineClient } from "../../../app/engine/client";
import type { ModelSpec } from "../../../app/protocol/worker-protocol";
import { EngineError } from "../../../workers/engine";
import { gate, scriptedEngine } from "../chat/app-harness";
import { InProcessWorker } from "./in-process-worker";

const spec: ModelSpec = { id: "m", engine: "test", requiredFeatures: [] };

describe("the engine host's Stop", () => {
  it("stops a reply still queued behind another request: the engine never starts it", async () => {
    const counting = gate<number[]>();
    const chat = vi.fn(scriptedEngine().chat);
    const engine = scriptedEngine({ chat, countTokens: () => counting.promise });
    const client = new EngineClient(() => new InProcessWorker(engine) as unknown as Worker);
    await client.load(spec, () => undefined);
    const counted = client.countTokens(["x"]);
    let text = "";
    const reply = client.chat({ kind: "prompt", prompt: "x" }, {}, (d) => (text += d));
    await client.stop();
    counting.open([1]);
    await counted;
    await expect(reply).resolves.toMatchObject({ finishReason: "abort", completionTokens: 0 });
    expect(text).toBe("");
    expect(chat).not.toHaveBeenCalled();
    client.dispose();
  });

  it("does not carry a Stop over to a reply asked for after it", async () => {
    const client = new EngineClient(
      () => new InProcessWorker(scriptedEngine()) as unknown as Worker,
    );
    await client.load(spec, () => undefined);
    await client.stop();
    let text = "";
    await expect(
      client.chat({ kind: "prompt", prompt: "x" }, {}, (d) => (text += d)),
    ).resolves.toMatchObject({ finishReason: "stop" });
    expect(text).toBe("Hello");
    client.dispose();
  });
});

describe("the engine host's Cancel", () => {
  it("reaches a download the engine runs itself, and the load ends as cancelled", async () => {
    let cancel = () => undefined as void;
    const cancelLoad = vi.fn(() => cancel());
    const engine = scriptedEngine({
      load: () =>
        new Promise<void>((_, reject) => {
          cancel = () => reject(new EngineError("cancelled", "Download cancelled. 2 of 3 kept."));
        }),
      cancelLoad,
    });
    const client = new EngineClient(() => new InProcessWorker(engine) as unknown as Worker);
    const progress: string[] = [];
    const load = client.load(spec, (p) => progress.push(p.text));
    await vi.waitFor(() => expect(cancel).not.toBe(undefined));
    await new Promise((r) => setTimeout(r, 5));
    await client.cancelLoad();
    await expect(load).rejects.toMatchObject({
      code: "cancelled",
      message: "Download cancelled. 2 of 3 kept.",
    });
    expect(cancelLoad).toHaveBeenCalledOnce();
    client.dispose();
  });

  it("passes on what was kept, and starts the next load only once the cancelled one let go", async () => {
    // web-llm cannot abort its shader compile: the cancelled engine is unloaded once that
    // ends, and a second model on the GPU meanwhile might not fit.
    const letGo = gate<void>();
    let cancel = () => undefined as void;
    const loads: string[] = [];
    const engine = scriptedEngine({
      load: async () => {
        loads.push(loads.length === 0 ? "cancelled one" : "next one");
        if (loads.length > 1) return;
        await new Promise<void>((_, reject) => {
          cancel = () =>
            reject(new EngineError("cancelled", "1 of 2 kept.", { kept: 1, total: 2, gb: 1 }));
        });
      },
      cancelLoad: () => cancel(),
      unload: () => letGo.promise,
    });
    const client = new EngineClient(() => new InProcessWorker(engine) as unknown as Worker);
    const first = client.load(spec, () => undefined);
    await vi.waitFor(() => expect(loads).toEqual(["cancelled one"]));
    await client.cancelLoad();
    await expect(first).rejects.toMatchObject({
      code: "cancelled",
      params: { kept: 1, total: 2, gb: 1 },
    });
    const next = client.load(spec, () => undefined);
    // Time for the host to have started the next load, were it not waiting.
    await new Promise((r) => setTimeout(r, 50));
    expect(loads).toEqual(["cancelled one"]);
    letGo.open();
    await next;
    expect(loads).toEqual(["cancelled one", "next one"]);
    client.dispose();
  });
});
