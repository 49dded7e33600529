import { describe, expect, it } from "vitest";
import type { LoadProgress, ModelSpec } from "../../../app/protocol/worker-protocol";
import { memoryArtifactStore } from "../../../workers/model-cache/artifact-store";
import { ensureModelFiles } from "../../../workers/model-cache/download";
import { modelFolderUrl } from "../../../workers/model-cache/layout";
import { makeModel, type FixtureModel } from "../../fixtures/model-files/make-model";

const BASE = "https://models.example/";

function setup(model: FixtureModel, tamper: (path: string, n: number) => boolean = () => false) {
  const fetched: string[] = [];
  const fetchFn = (async (input: RequestInfo | URL) => {
    const path = String(input).slice(BASE.length);
    fetched.push(path);
    const data = model.files.get(path);
    if (!data) return new Response("missing", { status: 404 });
    const body = new Uint8Array(data);
    if (tamper(path, fetched.filter((p) => p === path).length)) body[0] = (body[0] ?? 0) ^ 1;
    return new Response(body);
  }) as typeof fetch;
  const spec: ModelSpec = {
    id: model.id,
    engine: "test",
    requiredFeatures: [],
    modelUrl: BASE + model.entry.modelPath,
    modelLibUrl: BASE + model.entry.modelLibPath,
    integrity: model.entry.integrity,
  };
  return { fetched, fetchFn, spec };
}

describe("ensureModelFiles", () => {
  it("stores every file under the keys web-llm reads, and skips them the next time", async () => {
    const model = makeModel({ id: "u1", shards: 3, shardBytes: 1000 });
    const { fetched, fetchFn, spec } = setup(model);
    const store = memoryArtifactStore();
    const progress: LoadProgress[] = [];
    const deps = {
      store,
      fetch: fetchFn,
      signal: new AbortController().signal,
      onProgress: (p: LoadProgress) => progress.push(p),
    };
    await ensureModelFiles(spec, deps);
    const folder = modelFolderUrl(spec.modelUrl!);
    expect(await store.get("webllm/config", folder + "mlc-chat-config.json")).toBeInstanceOf(
      ArrayBuffer,
    );
    expect(await store.has("webllm/wasm", spec.modelLibUrl!)).toBe(true);
    expect(await store.get("webllm/model", folder + "tensor-cache.json")).toMatchObject({
      records: expect.any(Array),
    });
    expect(await store.has("webllm/model", folder + "params_shard_2.bin")).toBe(true);
    expect(progress.at(-1)).toMatchObject({ phase: "fetching", bytesDone: 3000, bytesTotal: 3000 });

    fetched.length = 0;
    await ensureModelFiles(spec, deps);
    expect(fetched).toEqual([]);
  });

  it("fetches a shard that fails its hash once more and says so; a second failure is an error", async () => {
    const model = makeModel({ id: "u2", shards: 2, shardBytes: 1000 });
    const shard = model.shardPaths[1]!;
    const once = setup(model, (path, n) => path === shard && n === 1);
    const notices: string[] = [];
    await ensureModelFiles(once.spec, {
      store: memoryArtifactStore(),
      fetch: once.fetchFn,
      signal: new AbortController().signal,
      onProgress: (p) => p.notice && notices.push(p.notice),
    });
    expect(notices).toEqual([expect.stringContaining("params_shard_1.bin did not match")]);

    const always = setup(model, (path) => path === shard);
    const store = memoryArtifactStore();
    await expect(
      ensureModelFiles(always.spec, {
        store,
        fetch: always.fetchFn,
        signal: new AbortController().signal,
        onProgress: () => undefined,
      }),
    ).rejects.toMatchObject({ code: "integrity" });
    expect(await store.has("webllm/model", BASE + shard)).toBe(false);
  });

  it("reports a full disk with the space still needed and keeps the finished shards", async () => {
    const model = makeModel({ id: "u3", shards: 3, shardBytes: 2 * 1024 * 1024 });
    const { fetchFn, spec } = setup(model);
    const store = memoryArtifactStore();
    const put = store.put.bind(store);
    // Shards download in parallel, so any of them may be the one that fits. Its write is
    // slow, so the others meet the full disk while it is still landing.
    let fits: string | undefined;
    store.put = async (scope, url, data) => {
      if (scope === "webllm/model" && url.includes("params_shard_")) {
        if (fits !== undefined) throw new DOMException("full", "QuotaExceededError");
        fits = url;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await put(scope, url, data);
    };
    await expect(
      ensureModelFiles(spec, {
        store,
        fetch: fetchFn,
        signal: new AbortController().signal,
        onProgress: () => undefined,
      }),
    ).rejects.toMatchObject({ code: "quota-exceeded", message: expect.stringMatching(/ 4 MB/) });
    const kept = [];
    for (const path of model.shardPaths) {
      if (await store.has("webllm/model", BASE + path)) kept.push(BASE + path);
    }
    expect(kept).toEqual([fits]);
  });

  it("refuses before downloading when the browser's estimate shows too little space", async () => {
    const model = makeModel({ id: "u4", shards: 2, shardBytes: 1024 * 1024 });
    const { fetched, fetchFn, spec } = setup(model);
    await expect(
      ensureModelFiles(spec, {
        store: memoryArtifactStore(),
        fetch: fetchFn,
        signal: new AbortController().signal,
        onProgress: () => undefined,
        estimate: async () => ({ usage: 0, quota: 1024 * 1024 }),
      }),
    ).rejects.toMatchObject({ code: "quota-exceeded" });
    expect(fetched.filter((p) => p.includes("params_shard_"))).toEqual([]);
  });
});

describe("ensureModelFiles with shards in parallel", () => {
  /** A server whose shard bodies arrive 1000 bytes every 5 ms, honouring the abort signal. */
  function slowServer(model: FixtureModel) {
    let inFlight = 0;
    let most = 0;
    const aborted: string[] = [];
    const fetchFn = (async (input: RequestInfo | URL, init?: RequestInit) => {
      const path = String(input).slice(BASE.length);
      const data = model.files.get(path);
      if (!data) return new Response("missing", { status: 404 });
      if (!path.includes("params_shard_")) return new Response(new Uint8Array(data));
      inFlight++;
      most = Math.max(most, inFlight);
      const signal = init?.signal;
      const body = new ReadableStream<Uint8Array>({
        async start(controller) {
          const piece = 1000;
          try {
            for (let at = 0; at < data.length; at += piece) {
              await new Promise((resolve) => setTimeout(resolve, 5));
              if (signal?.aborted) {
                aborted.push(path);
                controller.error(new DOMException("aborted", "AbortError"));
                return;
              }
              controller.enqueue(new Uint8Array(data.subarray(at, at + piece)));
            }
            controller.close();
          } finally {
            inFlight--;
          }
        },
      });
      return new Response(body, { headers: { "content-length": String(data.length) } });
    }) as typeof fetch;
    return { fetchFn, most: () => most, aborted };
  }

  function specOf(model: FixtureModel): ModelSpec {
    return {
      id: model.id,
      engine: "test",
      requiredFeatures: [],
      modelUrl: BASE + model.entry.modelPath,
      modelLibUrl: BASE + model.entry.modelLibPath,
      integrity: model.entry.integrity,
    };
  }

  it("keeps the configured number of shards in flight, with byte progress that adds up", async () => {
    const model = makeModel({ id: "p1", shards: 7, shardBytes: 4000 });
    const server = slowServer(model);
    const store = memoryArtifactStore();
    const done: number[] = [];
    await ensureModelFiles(specOf(model), {
      store,
      fetch: server.fetchFn,
      signal: new AbortController().signal,
      onProgress: (p) => p.bytesDone !== undefined && done.push(p.bytesDone),
      concurrency: 3,
    });
    expect(server.most()).toBe(3);
    for (const path of model.shardPaths)
      expect(await store.has("webllm/model", BASE + path)).toBe(true);
    // Parallel shards add into one figure that only grows and ends at the total.
    expect(done).toEqual([...done].sort((a, b) => a - b));
    expect(done.at(-1)).toBe(7 * 4000);
  });

  it("fetches one shard at a time when asked to", async () => {
    const model = makeModel({ id: "p2", shards: 3, shardBytes: 4000 });
    const server = slowServer(model);
    await ensureModelFiles(specOf(model), {
      store: memoryArtifactStore(),
      fetch: server.fetchFn,
      signal: new AbortController().signal,
      onProgress: () => undefined,
      concurrency: 1,
    });
    expect(server.most()).toBe(1);
  });

  it("stops the other downloads when one shard is damaged, keeping what was stored", async () => {
    const model = makeModel({ id: "p3", shards: 6, shardBytes: 4000 });
    const bad = model.shardPaths[1]!;
    const server = slowServer(model);
    const tampered = (async (input: RequestInfo | URL, init?: RequestInit) => {
      const response = await server.fetchFn(input, init);
      if (!String(input).endsWith(bad)) return response;
      const bytes = new Uint8Array(await response.arrayBuffer());
      bytes[0] = (bytes[0] ?? 0) ^ 1;
      return new Response(bytes);
    }) as typeof fetch;
    const store = memoryArtifactStore();
    await expect(
      ensureModelFiles(specOf(model), {
        store,
        fetch: tampered,
        signal: new AbortController().signal,
        onProgress: () => undefined,
        concurrency: 3,
      }),
    ).rejects.toMatchObject({ code: "integrity" });
    expect(await store.has("webllm/model", BASE + bad)).toBe(false);
    // Nothing after the failure was started, and what was running was aborted or finished.
    expect(await store.has("webllm/model", BASE + model.shardPaths[5]!)).toBe(false);
  });

  it("cancels every shard in flight and resumes with the finished ones", async () => {
    // Shard 2 is long, so it is still streaming when the cancel comes.
    const model = makeModel({ id: "p4", shardSizes: [4000, 4000, 40_000, 4000, 4000, 4000] });
    const server = slowServer(model);
    const store = memoryArtifactStore();
    const cancel = new AbortController();
    let stored = 0;
    const put = store.put.bind(store);
    store.put = async (scope, url, data) => {
      await put(scope, url, data);
      // Shards only: the verified-hash note of a shard is a put too ("cutegpt/model-meta").
      if (scope === "webllm/model" && url.includes("params_shard_") && ++stored === 2)
        cancel.abort();
    };
    await expect(
      ensureModelFiles(specOf(model), {
        store,
        fetch: server.fetchFn,
        signal: cancel.signal,
        onProgress: () => undefined,
        concurrency: 3,
      }),
    ).rejects.toMatchObject({ code: "cancelled" });
    expect(server.aborted.length).toBeGreaterThan(0);
    const kept: string[] = [];
    for (const path of model.shardPaths) {
      if (await store.has("webllm/model", BASE + path)) kept.push(path);
    }
    expect(kept.length).toBeGreaterThanOrEqual(2);
    expect(kept.length).toBeLessThan(6);

    const fetched: string[] = [];
    const again = (async (input: RequestInfo | URL, init?: RequestInit) => {
      fetched.push(String(input).slice(BASE.length));
      return server.fetchFn(input, init);
    }) as typeof fetch;
    await ensureModelFiles(specOf(model), {
      store,
      fetch: again,
      signal: new AbortController().signal,
      onProgress: () => undefined,
    });
    expect(fetched.filter((p) => p.includes("params_shard_")).sort()).toEqual(
      model.shardPaths.filter((p) => !kept.includes(p)).sort(),
    );
  });
});
