import type { CachedModelInfo, KnownModel } from "../../app/protocol/worker-protocol";
import type { ArtifactStore } from "./artifact-store";
import { CONFIG_FILE, MANIFEST_FILE, fileUrl, modelFolderUrl, parseManifest } from "./layout";
import { forgetFolder, lastUsed } from "./meta";

/**
 * Every model folder found in web-llm's caches, with the size of what is really stored.
 * Shard sizes come from the stored tensor-cache.json (`nbytes`) for the shards whose records
 * exist, so listing never reads gigabytes; the small files are measured directly.
 */
export async function listCachedModels(
  store: ArtifactStore,
  known: KnownModel[],
): Promise<CachedModelInfo[]> {
  const modelKeys = await store.keys("webllm/model");
  const configKeys = await store.keys("webllm/config");
  const present = new Set(modelKeys);
  const folders = new Set<string>();
  for (const key of [...modelKeys, ...configKeys]) {
    if (key.endsWith("/" + MANIFEST_FILE) || key.endsWith("/" + CONFIG_FILE)) {
      folders.add(key.slice(0, key.lastIndexOf("/") + 1));
    }
  }
  const byFolder = new Map(known.map((m) => [modelFolderUrl(m.modelUrl), m]));
  const wasmKeys = new Set(await store.keys("webllm/wasm"));
  const out: CachedModelInfo[] = [];
  for (const folder of [...folders].sort()) {
    const model = byFolder.get(folder);
    let bytes = 0;
    let shardsCached = 0;
    let shardsTotal = 0;
    const manifestData = await store.get("webllm/model", fileUrl(folder, MANIFEST_FILE));
    const shardUrls = new Set<string>();
    if (manifestData !== undefined) {
      bytes += JSON.stringify(manifestData).length;
      try {
        for (const shard of parseManifest(manifestData).records) {
          const url = fileUrl(folder, shard.dataPath);
          shardUrls.add(url);
          shardsTotal += 1;
          if (present.has(url)) {
            shardsCached += 1;
            bytes += shard.nbytes;
          }
        }
      } catch {
        // A damaged manifest still leaves a folder worth listing (and deleting).
      }
    }
    for (const key of modelKeys) {
      if (key.startsWith(folder) && !shardUrls.has(key) && !key.endsWith("/" + MANIFEST_FILE)) {
        bytes += byteLength(await store.get("webllm/model", key));
      }
    }
    bytes += byteLength(await store.get("webllm/config", fileUrl(folder, CONFIG_FILE)));
    if (model?.modelLibUrl && wasmKeys.has(model.modelLibUrl)) {
      bytes += byteLength(await store.get("webllm/wasm", model.modelLibUrl));
    }
    const info: CachedModelInfo = { folderUrl: folder, bytes, shardsCached, shardsTotal };
    if (model) info.modelId = model.id;
    const used = await lastUsed(store, folder);
    if (used !== undefined) info.lastUsed = used;
    out.push(info);
  }
  return out;
}

/**
 * Deletes every record of a model folder from web-llm's caches (weights, manifest, tokenizer,
 * config, stale shards of older builds) and its library, then checks that none is left.
 */
export async function deleteCachedModel(
  store: ArtifactStore,
  folderUrl: string,
  modelLibUrl?: string,
): Promise<void> {
  for (const scope of ["webllm/model", "webllm/config"] as const) {
    for (const key of await store.keys(scope)) {
      if (key.startsWith(folderUrl)) await store.delete(scope, key);
    }
  }
  if (modelLibUrl) await store.delete("webllm/wasm", modelLibUrl);
  await forgetFolder(store, folderUrl);
  for (const scope of ["webllm/model", "webllm/config"] as const) {
    if ((await store.keys(scope)).some((key) => key.startsWith(folderUrl))) {
      throw new Error(`Some files of ${folderUrl} could not be deleted.`);
    }
  }
}

function byteLength(data: unknown): number {
  if (data instanceof ArrayBuffer) return data.byteLength;
  if (ArrayBuffer.isView(data)) return data.byteLength;
  if (data === undefined) return 0;
  return JSON.stringify(data).length;
}
