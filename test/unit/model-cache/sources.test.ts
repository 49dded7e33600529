import { describe, expect, it } from "vitest";
import type { ModelSpec } from "../../../app/protocol/worker-protocol";
import { memoryArtifactStore } from "../../../workers/model-cache/artifact-store";
import { ensureModelFiles } from "../../../workers/model-cache/download";
import { managesFiles, sourceFetch } from "../../../workers/model-cache";
import { makeModel } from "../../fixtures/model-files/make-model";

const CANONICAL = "https://huggingface.co/org/";

/** One host with Hugging Face's layout; `failAfter` requests it drops the connection. */
function host(origin: string, files: Map<string, Buffer>, failAfter = Infinity) {
  const fetched: string[] = [];
  const fetchFn = (async (input: RequestInfo | URL) => {
    const url = String(input);
    if (!url.startsWith(origin + "/org/")) throw new TypeError(`unexpected host: ${url}`);
    if (fetched.length >= failAfter) throw new TypeError("Failed to fetch");
    const path = url.slice(origin.length + "/org/".length);
    fetched.push(path);
    const data = files.get(path);
    return data ? new Response(new Uint8Array(data)) : new Response("missing", { status: 404 });
  }) as typeof fetch;
  return { fetched, fetchFn };
}

describe("download sources in the worker", () => {
  it("a model half-downloaded from one source is finished from another; nothing twice", async () => {
    const model = makeModel({ id: "src", shards: 4, shardBytes: 1000 });
    const spec = (modelBase: string): ModelSpec => ({
      id: model.id,
      engine: "test",
      requiredFeatures: [],
      modelUrl: CANONICAL + model.entry.modelPath,
      modelLibUrl: CANONICAL + model.entry.modelLibPath,
      integrity: model.entry.integrity,
      downloadSource: { modelBase, library: "github" },
    });
    const store = memoryArtifactStore();
    const deps = { store, signal: new AbortController().signal, onProgress: () => undefined };
    // Config, library, tokenizer, manifest and two shards, then the first source goes away.
    const a = host("https://a.example", model.files, 6);
    const first = spec("https://a.example");
    await expect(
      ensureModelFiles(first, { ...deps, fetch: sourceFetch(first, a.fetchFn) }),
    ).rejects.toMatchObject({ code: "network" });

    const b = host("https://b.example", model.files);
    const second = spec("https://b.example");
    await ensureModelFiles(second, { ...deps, fetch: sourceFetch(second, b.fetchFn) });

    const shardsFrom = (list: string[]) => list.filter((p) => p.includes("params_shard_"));
    expect(shardsFrom(a.fetched)).toHaveLength(2);
    expect(shardsFrom(b.fetched)).toHaveLength(2);
    expect(b.fetched.filter((p) => a.fetched.includes(p))).toEqual([]);
    // Every key is the canonical URL, whichever host the bytes came from.
    const keys = [...store.dump().keys()].filter((k) => !k.startsWith("cutegpt/"));
    expect(keys.length).toBe(8);
    for (const key of keys) expect(key.split(" ")[1]).toMatch(/^https:\/\/huggingface\.co\/org\//);
  });

  it("downloads prebuilt and Hugging Face models itself, so the source applies to them", () => {
    const base = { id: "m", engine: "webllm" as const, requiredFeatures: [] };
    expect(
      managesFiles({ ...base, modelUrl: "https://huggingface.co/mlc-ai/m", prebuilt: true }),
    ).toBe(true);
    expect(managesFiles({ ...base, modelUrl: "https://huggingface.co/org/m/" })).toBe(true);
    // A deploy's own host without hashes stays web-llm's to fetch, as before.
    expect(managesFiles({ ...base, modelUrl: "https://models.example/m/" })).toBe(false);
  });
});
