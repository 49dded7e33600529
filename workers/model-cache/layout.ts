/**
 * Where web-llm 0.2.86 looks for each file of a model (see shared notes, web-llm.md):
 * `mlc-chat-config.json` in `webllm/config`; `tokenizer.json` (else `tokenizer.model`),
 * `tensor-cache.json` and every `records[].dataPath` in `webllm/model`, all keyed by their
 * absolute URL under the model folder; the library in `webllm/wasm` under `model_lib`.
 */
export const CONFIG_FILE = "mlc-chat-config.json";
export const MANIFEST_FILE = "tensor-cache.json";
export const TOKENIZER_FILES = ["tokenizer.json", "tokenizer.model"] as const;

/** web-llm's cleanModelUrl: a trailing slash, and `resolve/main/` unless a revision is named. */
export function modelFolderUrl(modelUrl: string): string {
  let url = modelUrl.endsWith("/") ? modelUrl : modelUrl + "/";
  if (!/.+\/resolve\/.+\//.test(url)) url += "resolve/main/";
  return new URL(url).href;
}

/** web-llm fetches a localhost or relative library plainly and never caches it. */
export function libraryIsCached(modelLibUrl: string): boolean {
  return modelLibUrl.startsWith("http") && !modelLibUrl.includes("localhost");
}

export interface ShardRecord {
  dataPath: string;
  nbytes: number;
}

export interface TensorCacheManifest {
  records: ShardRecord[];
}

export function parseManifest(data: unknown): TensorCacheManifest {
  const records = (data as { records?: unknown } | null)?.records;
  if (!Array.isArray(records)) throw new Error(`${MANIFEST_FILE} has no records list`);
  return {
    records: records.map((r: unknown) => {
      const { dataPath, nbytes } = (r ?? {}) as { dataPath?: unknown; nbytes?: unknown };
      if (typeof dataPath !== "string" || typeof nbytes !== "number" || dataPath.includes("..")) {
        throw new Error(`${MANIFEST_FILE} has a malformed record`);
      }
      return { dataPath, nbytes };
    }),
  };
}

/** The tokenizer file web-llm will read, from the config's `tokenizer_files`. */
export function tokenizerFileOf(config: unknown): (typeof TOKENIZER_FILES)[number] | undefined {
  const files = (config as { tokenizer_files?: unknown } | null)?.tokenizer_files;
  if (!Array.isArray(files)) return undefined;
  return TOKENIZER_FILES.find((f) => files.includes(f));
}

export function fileUrl(folderUrl: string, path: string): string {
  return new URL(path, folderUrl).href;
}

export const MB = 1024 * 1024;

export function toMB(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / MB));
}
