import type { ModelSpec } from "../../app/protocol/worker-protocol";
import type { ArtifactStore } from "../../workers/model-cache/artifact-store";
import { readCachedModel } from "../../workers/model-cache/read-cached";

/** Shared by the storage bench pages, which run in Chromium. */
export const MB = 1024 * 1024;

/** `bytes` of random-looking data (64 KB of randomness repeated: incompressible enough). */
export function payload(bytes: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(bytes);
  const chunk = new Uint8Array(65536);
  crypto.getRandomValues(chunk);
  for (let i = 0; i < bytes; i += chunk.length) out.set(chunk.subarray(0, bytes - i), i);
  return out;
}

/**
 * Writes the config and tensor-cache.json web-llm keeps beside shards already stored under
 * `base`, then times the app's "load cached model" read of them all (readCachedModel, the path
 * the test engine loads through).
 */
export async function timeCachedModelRead(
  store: ArtifactStore,
  base: string,
  records: { dataPath: string; nbytes: number }[],
): Promise<{ ms: number; bytes: number }> {
  const config = new TextEncoder().encode(JSON.stringify({ tokenizer_files: [] }));
  await store.put("webllm/config", base + "mlc-chat-config.json", config.buffer);
  await store.put("webllm/model", base + "tensor-cache.json", { metadata: {}, records });
  const spec: ModelSpec = { id: "bench", engine: "test", requiredFeatures: [], modelUrl: base };
  const t0 = performance.now();
  const bytes = await readCachedModel(store, spec, () => undefined);
  return { ms: performance.now() - t0, bytes };
}
