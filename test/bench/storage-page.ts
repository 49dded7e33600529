import { idbArtifactStore } from "../../workers/model-cache/artifact-store";
import { MB, payload, timeCachedModelRead } from "./cached-model-page";

/**
 * Runs in Chromium for storage.bench.ts: writes and reads synthetic shards through IndexedDB
 * (web-llm's layout, through the app's own adapter), the Cache API and OPFS, then times the
 * app's own "load cached model" path (readCachedModel) over the IndexedDB copy of the shards
 * web-llm could store (ArrayBuffers under Chromium's IndexedDB value limit).
 */
type Backend = "indexeddb" | "cache-api" | "opfs";
interface Timing {
  backend: Backend;
  shardMB: number;
  shards: number;
  writeMs: number;
  readMs: number;
}

const IDB_VALUE_LIMIT = 120 * MB;
const BASE = `${location.origin}/bench-model/resolve/main/`;

async function run(plan: { shardMB: number; shards: number }[]): Promise<{
  timings: Timing[];
  loadCachedMs: number;
  loadCachedBytes: number;
}> {
  const store = idbArtifactStore();
  const cache = await caches.open("bench");
  const opfs = await navigator.storage.getDirectory();
  const timings: Timing[] = [];
  const records: { dataPath: string; nbytes: number }[] = [];
  for (const { shardMB, shards } of plan) {
    const data = payload(shardMB * MB);
    const name = (i: number) => `params_shard_${shardMB}_${i}.bin`;
    const asBlob = shardMB * MB > IDB_VALUE_LIMIT;
    for (const backend of ["indexeddb", "cache-api", "opfs"] as Backend[]) {
      const t0 = performance.now();
      for (let i = 0; i < shards; i++) {
        const url = BASE + name(i);
        // Chromium refuses IndexedDB values over ~127 MB ("serialized value too large"), so
        // bigger shards go in as Blobs, which are stored out of line. web-llm stores
        // ArrayBuffers only: with its IndexedDB cache a shard must stay under that limit.
        if (backend === "indexeddb") {
          await store.put("webllm/model", url, asBlob ? new Blob([data]) : data.buffer.slice(0));
        } else if (backend === "cache-api") await cache.put(url, new Response(data));
        else {
          const handle = await opfs.getFileHandle(name(i), { create: true });
          const writable = await handle.createWritable();
          await writable.write(data);
          await writable.close();
        }
      }
      const t1 = performance.now();
      let read = 0;
      for (let i = 0; i < shards; i++) {
        const url = BASE + name(i);
        let buffer: ArrayBuffer;
        if (backend === "indexeddb") {
          const value = await store.get("webllm/model", url);
          buffer = value instanceof Blob ? await value.arrayBuffer() : (value as ArrayBuffer);
        } else if (backend === "cache-api") buffer = await (await cache.match(url))!.arrayBuffer();
        else buffer = await (await (await opfs.getFileHandle(name(i))).getFile()).arrayBuffer();
        read += buffer.byteLength;
      }
      const t2 = performance.now();
      if (read !== shards * shardMB * MB) throw new Error(`${backend} read ${read} bytes`);
      timings.push({ backend, shardMB, shards, writeMs: t1 - t0, readMs: t2 - t1 });
      // Keep only the IndexedDB copy (the model for the load timing); free the rest now.
      if (backend === "cache-api")
        for (let i = 0; i < shards; i++) await cache.delete(BASE + name(i));
      if (backend === "opfs") for (let i = 0; i < shards; i++) await opfs.removeEntry(name(i));
    }
    if (!asBlob) {
      for (let i = 0; i < shards; i++) records.push({ dataPath: name(i), nbytes: shardMB * MB });
    }
  }
  const { ms: loadCachedMs, bytes: loadCachedBytes } = await timeCachedModelRead(
    store,
    BASE,
    records,
  );
  return { timings, loadCachedMs, loadCachedBytes };
}

(window as unknown as { storageBench: typeof run }).storageBench = run;
