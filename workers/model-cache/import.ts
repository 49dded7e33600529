import type { ImportFile } from "../../app/protocol/worker-protocol";
import { EngineError } from "../engine";
import type { ArtifactStore, CacheScope } from "./artifact-store";
import { isQuotaError } from "./download";
import {
  CONFIG_FILE,
  MANIFEST_FILE,
  fileUrl,
  modelFolderUrl,
  parseManifest,
  toMB,
  tokenizerFileOf,
} from "./layout";
import { withModelLock } from "./lock";
import { markVerified } from "./meta";
import { matchesSri } from "./sri";

interface ImportableEntry {
  id: string;
  modelPath: string;
  modelLibPath: string;
  integrity: {
    config?: string;
    modelLib?: string;
    tokenizer?: string;
    shards: Record<string, string>;
  };
  [field: string]: unknown;
}

/**
 * Brings model-build's output folder (catalog.json, `<id>/resolve/main/…`, `libs/*.wasm`)
 * into web-llm's caches under the URLs the app would download them from, so loading needs no
 * network. The layout (config, manifest and every shard it lists, tokenizer, library) is checked
 * before anything is written, every hash in the folder's catalog as the files are copied; a
 * failure removes what was copied.
 * Returns the catalog entries with absolute URLs, for the app to keep in its own catalog.
 */
export async function importModelFolder(
  store: ArtifactStore,
  files: ImportFile[],
  baseUrl: string,
): Promise<Record<string, unknown>[]> {
  const byPath = new Map(files.map((f) => [normalise(f.path), f.file]));
  const catalogPath = [...byPath.keys()]
    .filter((p) => p === "catalog.json" || p.endsWith("/catalog.json"))
    .sort((a, b) => a.length - b.length)[0];
  if (!catalogPath) {
    throw new EngineError(
      "model-files-not-found",
      "This folder has no catalog.json. Pick the output folder of model-build (it holds catalog.json, libs/ and one folder per model).",
    );
  }
  const root = catalogPath.slice(0, catalogPath.length - "catalog.json".length);
  const catalog = JSON.parse(await byPath.get(catalogPath)!.text()) as { models?: unknown };
  const entries = (Array.isArray(catalog.models) ? catalog.models : []).filter(isImportable);
  if (entries.length === 0) {
    throw new EngineError(
      "model-files-not-found",
      "catalog.json in this folder lists no model with its files and checksums.",
    );
  }
  const imported: Record<string, unknown>[] = [];
  for (const entry of entries) {
    const modelDir = root + relativeFolder(entry.modelPath);
    const file = (path: string, what: string) => {
      const found = byPath.get(path);
      if (!found) {
        throw new EngineError(
          "model-files-not-found",
          `${entry.id}: ${what} is missing from the folder (expected ${path}).`,
        );
      }
      return found;
    };
    // Check the whole layout first, so a folder with a gap writes nothing.
    const configBlob = file(modelDir + CONFIG_FILE, CONFIG_FILE);
    const manifestBlob = file(modelDir + MANIFEST_FILE, MANIFEST_FILE);
    const libBlob = file(root + entry.modelLibPath, "the model library");
    const configData = await configBlob.arrayBuffer();
    const tokenizer = tokenizerFileOf(JSON.parse(new TextDecoder().decode(configData)));
    if (!tokenizer) {
      throw new EngineError("model-files-not-found", `${entry.id}: the config names no tokenizer.`);
    }
    const tokenizerBlob = file(modelDir + tokenizer, tokenizer);
    const manifestJson: unknown = JSON.parse(await manifestBlob.text());
    const shards = parseManifest(manifestJson).records;
    for (const shard of shards) file(modelDir + shard.dataPath, shard.dataPath);

    const modelUrl = new URL(entry.modelPath, baseUrl).href;
    const folder = modelFolderUrl(modelUrl);
    const libUrl = new URL(entry.modelLibPath, baseUrl).href;
    await withModelLock(folder, async () => {
      const check = async (data: ArrayBuffer, sri: string | undefined, name: string) => {
        if (sri && !(await matchesSri(data, sri))) {
          throw new EngineError(
            "integrity",
            `${entry.id}: ${name} does not match its checksum in catalog.json; nothing of this model was imported.`,
          );
        }
      };
      const tokenizerData = await tokenizerBlob.arrayBuffer();
      const libData = await libBlob.arrayBuffer();
      await check(configData, entry.integrity.config, CONFIG_FILE);
      await check(libData, entry.integrity.modelLib, "the model library");
      if (tokenizer === "tokenizer.json") {
        await check(tokenizerData, entry.integrity.tokenizer, tokenizer);
      }
      const written: [CacheScope, string][] = [];
      const write = async (scope: CacheScope, url: string, data: unknown) => {
        try {
          await store.put(scope, url, data);
          written.push([scope, url]);
        } catch (error) {
          if (!isQuotaError(error)) throw error;
          const total = shards.reduce((sum, s) => sum + s.nbytes, 0);
          throw new EngineError(
            "quota-exceeded",
            `Not enough storage to import ${entry.id} (${toMB(total)} MB). Free disk space or delete cached models, then import again; files already imported are kept.`,
          );
        }
      };
      // Shards first and the manifest last: web-llm (and hasModelInCache) treats a model as
      // cached only once tensor-cache.json is there. A shard that fails its check, or a full
      // disk, removes what this import wrote, so a refused folder leaves nothing behind.
      try {
        for (const shard of shards) {
          const data = await file(modelDir + shard.dataPath, shard.dataPath).arrayBuffer();
          await check(data, entry.integrity.shards[shard.dataPath], shard.dataPath);
          const url = fileUrl(folder, shard.dataPath);
          await write("webllm/model", url, data);
          const sri = entry.integrity.shards[shard.dataPath];
          if (sri) await markVerified(store, url, sri);
        }
        await write("webllm/config", fileUrl(folder, CONFIG_FILE), configData);
        await write("webllm/wasm", libUrl, libData);
        await write("webllm/model", fileUrl(folder, tokenizer), tokenizerData);
        await write("webllm/model", fileUrl(folder, MANIFEST_FILE), manifestJson);
      } catch (error) {
        for (const [scope, url] of written) await store.delete(scope, url).catch(() => undefined);
        throw error;
      }
    });
    imported.push({ ...entry, modelPath: modelUrl, modelLibPath: libUrl, imported: true });
  }
  return imported;
}

function normalise(path: string): string {
  return path.replace(/\\/g, "/").replace(/^\.?\//, "");
}

/** The folder web-llm reads, relative to the catalog: `<modelPath>/resolve/main/`. */
function relativeFolder(modelPath: string): string {
  const base = "https://x.invalid/";
  return modelFolderUrl(new URL(modelPath, base).href).slice(base.length);
}

function isImportable(value: unknown): value is ImportableEntry {
  const e = value as Partial<ImportableEntry> | null;
  return (
    typeof e?.id === "string" &&
    typeof e.modelPath === "string" &&
    typeof e.modelLibPath === "string" &&
    typeof e.integrity === "object" &&
    e.integrity !== null &&
    typeof e.integrity.shards === "object"
  );
}
