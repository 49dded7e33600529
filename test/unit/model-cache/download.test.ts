import { describe, expect, it } from "vitest";
import type { LoadProgress, ModelSpec } from "../../../app/engine/protocol";
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
    let shardsStored = 0;
    store.put = async (scope, url, data) => {
      if (scope === "webllm/model" && url.includes("params_shard_") && ++shardsStored > 1) {
        throw new DOMException("full", "QuotaExceededError");
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
    ).rejects.toMatchObject({ code: "quota-exceeded", message: expect.stringMatching(/4 MB/) });
    expect(await store.has("webllm/model", BASE + model.shardPaths[0])).toBe(true);
    expect(await store.has("webllm/model", BASE + model.shardPaths[1])).toBe(false);
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
