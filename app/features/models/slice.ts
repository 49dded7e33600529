import type { StateCreator } from "zustand";
import { EngineClientError, engineErrorInfo } from "../../engine/errors";
import { detectGpuSupport, type GpuSupport } from "../../engine/gpu-support";
import type { EngineErrorInfo, LoadProgress } from "../../protocol/worker-protocol";
import type { AppState, StoreDeps } from "../../store/app-state";
import { fetchUrlFor, resolveSource, type DownloadSource } from "../../protocol/download-sources";
import { fetchCatalog, modelSpecFor, type CatalogEntry } from "../../engine/catalog";
import { preferredModel, unavailableReason, type Unavailable } from "./compatibility";

/** What the models slice uses of the others: where and in which language to download, and room. */
type ModelsNeeds = Pick<
  AppState,
  | "downloadSource"
  | "language"
  | "cachedModels"
  | "storageEstimate"
  | "refreshStorage"
  | "prepareDownload"
  | "restoreImportedModels"
>;
type ModelsDeps = Pick<StoreDeps, "engine" | "catalogUrl" | "gpu">;

export type LoadState = "idle" | "loading" | "ready" | "error";
export type LoadNoticeCode = "cancelled" | "progress-notice";

export interface ModelsSlice {
  catalog: CatalogEntry[];
  catalogError: string | undefined;
  modelBaseUrl: string | undefined;
  gpu: GpuSupport;
  /** Catalog entries whose files are not where the catalog points (checked, not guessed). */
  missingFiles: Record<string, boolean>;
  /** Bytes the browser lets this site store, read once at start (undefined: unknown). */
  freeStorage: number | undefined;
  /** Why an entry cannot be used here, from everything the app knows right now. */
  unavailable(entry: CatalogEntry): Unavailable | undefined;
  /** The download source the Settings resolve to now. */
  currentSource(): DownloadSource;
  /** Asks again whether CuteGPT's files are published (after the download source changed). */
  recheckModelFiles(): Promise<void>;
  /** Something about the last load the user should know (a refetched shard, a cancel). */
  loadNotice: string | undefined;
  /** What kind of notice it is, so it is worded in the UI's language (the text is the worker's). */
  loadNoticeCode: LoadNoticeCode | undefined;
  /** What a cancel kept (`kept`, `total` weight files, `gb`), when the worker counted it. */
  loadNoticeParams: Record<string, string | number> | undefined;
  /** Stops the model download in progress; finished files are kept. */
  cancelLoad(): Promise<void>;
  selectedModelId: string | undefined;
  loadedModelId: string | undefined;
  loadState: LoadState;
  progress: LoadProgress | undefined;
  loadError: EngineErrorInfo | undefined;
  initModels(): Promise<void>;
  selectModel(id: string): void;
  loadModel(): Promise<boolean>;
  /** The engine lost its model (worker crash, device lost); the next send reloads it. */
  markModelLost(error: EngineErrorInfo): void;
}

const SELECTED_KEY = "cutegpt.selectedModel";

export function createModelsSlice(
  deps: ModelsDeps,
): StateCreator<ModelsSlice & ModelsNeeds, [], [], ModelsSlice> {
  // The load in progress: a message sent while it runs (say, after Stop ended the reply that
  // started it) waits for it instead of failing with "load a model first".
  let loading: { id: string; done: Promise<boolean> } | undefined;
  return (set, get) => ({
    catalog: [],
    catalogError: undefined,
    modelBaseUrl: undefined,
    gpu: { status: "checking" },
    missingFiles: {},
    freeStorage: undefined,
    loadNotice: undefined,
    loadNoticeCode: undefined,
    loadNoticeParams: undefined,
    selectedModelId: undefined,
    loadedModelId: undefined,
    loadState: "idle",
    progress: undefined,
    loadError: undefined,

    async initModels() {
      const gpuCheck = detectGpuSupport(deps.gpu).then((gpu) => set({ gpu }));
      const storageCheck = freeStorage().then((freeStorage) => set({ freeStorage }));
      try {
        const { catalog, baseUrl } = await fetchCatalog(deps.catalogUrl);
        const remembered = localStorage.getItem(SELECTED_KEY);
        await Promise.all([gpuCheck, storageCheck]);
        const missingFiles = await findMissingFiles(catalog.models, baseUrl, get().currentSource());
        set({ catalog: catalog.models, modelBaseUrl: baseUrl.href, missingFiles });
        // A model that looks too big may be partly cached already: ask before judging.
        if (catalog.models.some((m) => get().unavailable(m)?.kind === "storage")) {
          await get()
            .refreshStorage()
            .catch(() => undefined);
        }
        const usable = (m: CatalogEntry) => get().unavailable(m) === undefined;
        const selected =
          catalog.models.find((m) => m.id === remembered && usable(m)) ??
          preferredModel(catalog.models, usable) ??
          catalog.models[0];
        set({ selectedModelId: selected?.id });
        await get().restoreImportedModels();
      } catch (error) {
        await gpuCheck;
        set({ catalogError: error instanceof Error ? error.message : String(error) });
      }
    },

    unavailable(entry) {
      const { gpu, missingFiles, storageEstimate, cachedModels } = get();
      const free = storageEstimate
        ? storageEstimate.quota - storageEstimate.usage
        : get().freeStorage;
      const cached = cachedModels.find((m) => m.modelId === entry.id)?.bytes;
      return unavailableReason(entry, gpu, {
        filesMissing: missingFiles[entry.id] === true,
        ...(free !== undefined && { freeBytes: free }),
        ...(cached !== undefined && { cachedBytes: cached }),
      });
    },

    currentSource() {
      return resolveSource(get().downloadSource, get().language);
    },

    async recheckModelFiles() {
      const { catalog, modelBaseUrl } = get();
      if (!modelBaseUrl) return;
      const missingFiles = await findMissingFiles(
        catalog,
        new URL(modelBaseUrl),
        get().currentSource(),
      );
      set({ missingFiles });
      const selected = catalog.find((m) => m.id === get().selectedModelId);
      const usable = (m: CatalogEntry) => get().unavailable(m) === undefined;
      // A source that has CuteGPT makes it the pick again, unless the user chose otherwise.
      if (!selected || !usable(selected) || localStorage.getItem(SELECTED_KEY) === null) {
        const next = preferredModel(catalog, usable);
        if (next && get().loadState !== "loading") set({ selectedModelId: next.id });
      }
    },

    selectModel(id) {
      if (get().loadState === "loading") return;
      localStorage.setItem(SELECTED_KEY, id);
      set({ selectedModelId: id, loadError: undefined });
    },

    async loadModel() {
      const { selectedModelId, catalog, modelBaseUrl, loadedModelId, loadState } = get();
      const entry = catalog.find((m) => m.id === selectedModelId);
      if (!entry || !modelBaseUrl) return false;
      if (loadState === "loading") return loading?.id === entry.id ? loading.done : false;
      if (loadState === "ready" && loadedModelId === entry.id) return true;
      let settle: (loaded: boolean) => void = () => undefined;
      const done = new Promise<boolean>((resolve) => (settle = resolve));
      loading = { id: entry.id, done };
      const finish = (loaded: boolean) => {
        if (loading?.done === done) loading = undefined;
        settle(loaded);
        return loaded;
      };
      set({
        loadState: "loading",
        progress: undefined,
        loadError: undefined,
        loadNotice: undefined,
        loadNoticeCode: undefined,
        loadNoticeParams: undefined,
      });
      try {
        const tooBig = await get().prepareDownload(entry);
        if (tooBig) throw new EngineClientError("quota-exceeded", tooBig.message, tooBig.params);
        const spec = modelSpecFor(entry, new URL(modelBaseUrl), get().currentSource());
        await deps.engine.load(spec, (progress) =>
          set(
            progress.notice
              ? { progress, loadNotice: progress.notice, loadNoticeCode: "progress-notice" }
              : { progress },
          ),
        );
        set({ loadState: "ready", loadedModelId: entry.id, progress: undefined });
        void get()
          .refreshStorage()
          .catch(() => undefined);
        return finish(true);
      } catch (error) {
        const info = engineErrorInfo(error);
        void get()
          .refreshStorage()
          .catch(() => undefined);
        if (info.code === "cancelled") {
          set({
            loadState: "idle",
            loadedModelId: undefined,
            loadNotice: info.message,
            loadNoticeCode: "cancelled",
            loadNoticeParams: info.params,
          });
          return finish(false);
        }
        set({ loadState: "error", loadedModelId: undefined, loadError: info });
        return finish(false);
      }
    },

    async cancelLoad() {
      await deps.engine.cancelLoad();
    },

    markModelLost(error) {
      set({ loadState: "idle", loadedModelId: undefined, progress: undefined, loadError: error });
    },
  });
}

/**
 * Asks where each CuteGPT entry points (through the chosen download source) whether its files
 * are there, by fetching the small mlc-chat-config.json, so the picker can say "not published"
 * instead of failing after the user clicks. A 404 (401/403 from a hub for a repository that
 * does not exist), or a page that is not JSON (a host answering every path with index.html),
 * means missing. Prebuilt and test entries are not checked; an unreachable host counts as
 * "unknown", not missing, so offline use of a cached model is never blocked.
 */
async function findMissingFiles(
  entries: CatalogEntry[],
  baseUrl: URL,
  source: DownloadSource,
): Promise<Record<string, boolean>> {
  const checks = entries
    .filter((m) => m.engine === "webllm" && !m.prebuilt && m.family === "cutegpt" && m.modelPath)
    .map(async (m) => {
      const spec = modelSpecFor(m, baseUrl, source);
      const canonical = new URL("mlc-chat-config.json", folderOf(spec.modelUrl!));
      try {
        const response = await fetch(fetchUrlFor(canonical.href, source), { cache: "no-cache" });
        if ([401, 403, 404, 410].includes(response.status)) return [m.id, true] as const;
        if (!response.ok) return [m.id, false] as const;
        const config: unknown = await response.json().catch(() => undefined);
        return [m.id, typeof config !== "object" || config === null] as const;
      } catch {
        return [m.id, false] as const;
      }
    });
  return Object.fromEntries((await Promise.all(checks)).filter(([, missing]) => missing));
}

/** web-llm's cleanModelUrl (as workers/model-cache/layout.ts): `resolve/main/` unless named. */
function folderOf(modelUrl: string): string {
  const url = modelUrl.endsWith("/") ? modelUrl : modelUrl + "/";
  return /.+\/resolve\/.+\//.test(url) ? url : url + "resolve/main/";
}

async function freeStorage(): Promise<number | undefined> {
  const estimate = await globalThis.navigator?.storage?.estimate?.().catch(() => undefined);
  if (estimate?.quota === undefined) return undefined;
  return estimate.quota - (estimate.usage ?? 0);
}
