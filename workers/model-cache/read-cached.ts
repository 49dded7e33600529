import type { LoadProgress, ModelSpec } from "../../app/protocol/worker-protocol";
import { EngineError } from "../engine";
import type { ArtifactStore } from "./artifact-store";
import {
  CONFIG_FILE,
  MANIFEST_FILE,
  fileUrl,
  modelFolderUrl,
  parseManifest,
  toMB,
  tokenizerFileOf,
} from "./layout";

/**
 * Reads a model back from web-llm's caches the way web-llm's loader does (config, tokenizer,
 * manifest, then every shard in order) without a GPU. The test engine loads through it, so
 * browser tests exercise the real download and import code end to end; the storage benchmark
 * times it. Resolves with the shard bytes read.
 */
export async function readCachedModel(
  store: ArtifactStore,
  spec: ModelSpec,
  onProgress: (progress: LoadProgress) => void,
): Promise<number> {
  if (!spec.modelUrl) throw new EngineError("model-files-not-found", "No model folder URL.");
  const folder = modelFolderUrl(spec.modelUrl);
  const missing = (what: string) =>
    new EngineError(
      "model-files-not-found",
      `The model files were not found in the browser cache (${what}). Load the model again to download it.`,
    );
  const config = await store.get("webllm/config", fileUrl(folder, CONFIG_FILE));
  if (!(config instanceof ArrayBuffer)) throw missing(CONFIG_FILE);
  const tokenizer = tokenizerFileOf(JSON.parse(new TextDecoder().decode(config)));
  if (tokenizer && !(await store.has("webllm/model", fileUrl(folder, tokenizer)))) {
    throw missing(tokenizer);
  }
  const manifest = await store.get("webllm/model", fileUrl(folder, MANIFEST_FILE));
  if (manifest === undefined) throw missing(MANIFEST_FILE);
  const shards = parseManifest(manifest).records;
  const total = shards.reduce((sum, s) => sum + s.nbytes, 0);
  let done = 0;
  for (const [i, shard] of shards.entries()) {
    const data = await store.get("webllm/model", fileUrl(folder, shard.dataPath));
    if (!(data instanceof ArrayBuffer) || data.byteLength !== shard.nbytes) {
      throw missing(shard.dataPath);
    }
    done += data.byteLength;
    onProgress({
      phase: "loading-cache",
      fraction: total > 0 ? done / total : 1,
      bytesDone: done,
      bytesTotal: total,
      text: `Loading model from cache[${i + 1}/${shards.length}]: ${toMB(done)}MB loaded.`,
    });
  }
  return done;
}
