import type { ModelSpec } from "../../app/protocol/worker-protocol";
import { idbArtifactStore } from "../../workers/model-cache/artifact-store";
import { readCachedModel } from "../../workers/model-cache/read-cached";

/**
 * Runs in Chromium for shard-size.bench.ts. For one shard size at a time: stores a model of
 * about `totalMB` as web-llm's IndexedDB cache holds it (one ArrayBuffer value per shard,
 * tensor-cache.json, config), then times the app's "load cached model" read of every shard
 * (readCachedModel, the same path the test engine loads through), then deletes the shards
 * so the next size starts from the same disk.
 */
const MB = 1024 * 1024;
const BASE = `${location.origin}/shard-bench/resolve/main/`;

function payload(bytes: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(bytes);
  const chunk = new Uint8Array(65536);
  crypto.getRandomValues(chunk);
  for (let i = 0; i < bytes; i += chunk.length) out.set(chunk.subarray(0, bytes - i), i);
  return out;
}

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
  const config = new TextEncoder().encode(JSON.stringify({ tokenizer_files: [] }));
  await store.put("webllm/config", BASE + "mlc-chat-config.json", config.buffer);
  await store.put("webllm/model", BASE + "tensor-cache.json", { metadata: {}, records });
  const spec: ModelSpec = {
    id: "shard-bench",
    engine: "test",
    requiredFeatures: [],
    modelUrl: BASE,
  };
  const t1 = performance.now();
  const bytes = await readCachedModel(store, spec, () => undefined);
  const readMs = performance.now() - t1;
  for (let i = 0; i < shards; i++) await store.delete("webllm/model", BASE + name(i));
  return { readMs, bytes, writeMs };
}

(window as unknown as { shardSizeBench: typeof run }).shardSizeBench = run;
