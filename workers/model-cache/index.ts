import type {
  LoadProgress,
  ModelSpec,
  WorkerReply,
  WorkerRequest,
} from "../../app/protocol/worker-protocol";
import { fetchUrlFor, isSourceSwitched } from "../../app/protocol/download-sources";
import { EngineError } from "../engine";
import { idbArtifactStore, type ArtifactStore } from "./artifact-store";
import { ensureModelFiles } from "./download";
import { deleteCachedModel, listCachedModels } from "./inventory";
import { importModelFolder } from "./import";
import { modelFolderUrl } from "./layout";
import { withModelLock } from "./lock";

export { idbArtifactStore } from "./artifact-store";

/**
 * True when the app's downloader, not the engine, fetches this model's files: models with
 * shard hashes (model-build's), and every model on a host the download source can switch
 * (web-llm's prebuilt ones), because web-llm would fetch from, and key its cache by, whatever
 * URL it is given; the app fetches from the chosen source and stores under the canonical URL.
 */
export function managesFiles(spec: ModelSpec): boolean {
  return Boolean(
    spec.modelUrl && (spec.integrity?.shards || spec.prebuilt || isSourceSwitched(spec.modelUrl)),
  );
}

/** fetch, with canonical URLs (the cache keys) sent to the download source instead. */
export function sourceFetch(spec: ModelSpec, fetcher: typeof fetch): typeof fetch {
  const source = spec.downloadSource;
  if (!source) return fetcher;
  return (input, init) =>
    fetcher(input instanceof Request ? input : fetchUrlFor(String(input), source), init);
}

let sharedStore: ArtifactStore | undefined;
function store(): ArtifactStore {
  sharedStore ??= idbArtifactStore();
  return sharedStore;
}

/**
 * The engine host's hook before `engine.load`: downloads what is missing under this tab's
 * lock on the model (a second tab gets "busy"). A model that is fully cached needs no lock,
 * so two tabs can still both load it.
 */
export async function prepareModelFiles(
  spec: ModelSpec,
  onProgress: (progress: LoadProgress) => void,
  signal: AbortSignal,
): Promise<void> {
  if (!managesFiles(spec) || !spec.modelUrl) return;
  const folder = modelFolderUrl(spec.modelUrl);
  const storage = (globalThis.navigator as { storage?: StorageManager } | undefined)?.storage;
  const deps = {
    store: store(),
    fetch: sourceFetch(spec, globalThis.fetch.bind(globalThis)),
    signal,
    onProgress,
    ...(storage?.estimate && { estimate: () => storage.estimate() }),
  };
  await withModelLock(folder, () => ensureModelFiles(spec, deps));
}

export type CacheRequest = Extract<
  WorkerRequest,
  { type: "list-cached" | "delete-cached" | "import-model" }
>;

export function isCacheRequest(request: WorkerRequest): request is CacheRequest {
  return (
    request.type === "list-cached" ||
    request.type === "delete-cached" ||
    request.type === "import-model"
  );
}

/** Serves the storage panel's requests; they never wait for a load or a reply. */
export async function serveCacheRequest(request: CacheRequest): Promise<WorkerReply> {
  const { requestId } = request;
  switch (request.type) {
    case "list-cached":
      return {
        type: "cached-models",
        requestId,
        models: await listCachedModels(store(), request.known),
      };
    case "delete-cached":
      await withModelLock(request.folderUrl, () =>
        deleteCachedModel(store(), request.folderUrl, request.modelLibUrl),
      ).catch((error: unknown) => {
        if (error instanceof EngineError) throw error;
        throw new EngineError("unknown", error instanceof Error ? error.message : String(error));
      });
      return { type: "ok", requestId };
    case "import-model":
      return {
        type: "imported",
        requestId,
        entries: await importModelFolder(store(), request.files, request.baseUrl),
      };
  }
}
