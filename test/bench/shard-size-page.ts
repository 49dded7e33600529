import { idbArtifactStore } from "../../workers/model-cache/artifact-store";
import { MB, payload, timeCachedModelRead } from "./cached-model-page";

/**
 * Runs in Chromium for shard-size.bench.ts. For one shard size at a time: stores a model of
 * about `totalMB` as web-llm's IndexedDB cache holds it (one ArrayBuffer value per shard,
 * tensor-cache.json, config), then times the app's "load cached model" read of every shard
 * (readCachedModel, the same path the test engine loads through), then deletes the shards
 * so the next size starts from the same disk.
 */
const BASE = `${location.origin}/shard-bench/resolve/main/`;

async function run(
  shardMB: number,
  totalMB: number,
): Promise<{ readMs: number; bytes: number; writeMs: number }> {
  const store = idbArtifactStore();
  const shards = Math.max(1, Math.round(totalMB / shardMB));
  const data = payload(shardMB * MB);
  const name = (i: number) => `params_shard_${shardMB}_${i}.bin`;
  const t0 = performance.now();
  for (let i = 0; i < shards; i++)
    await store.put("webllm/model", BASE + name(i), data.buffer.slice(0));
  const writeMs = performance.now() - t0;
  const records = Array.from({ length: shards }, (_, i) => ({
    dataPath: name(i),
    nbytes: shardMB * MB,
  }));
  const { ms: readMs, bytes } = await timeCachedModelRead(store, BASE, records);
  for (let i = 0; i < shards; i++) await store.delete("webllm/model", BASE + name(i));
  return { readMs, bytes, writeMs };
}

(window as unknown as { shardSizeBench: typeof run }).shardSizeBench = run;
