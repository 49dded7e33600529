import type { StateCreator } from "zustand";
import { EngineClientError, engineErrorInfo } from "../../engine/errors";
import { detectGpuSupport, type GpuSupport } from "../../engine/gpu-support";
import type { EngineErrorInfo, LoadProgress } from "../../engine/protocol";
import type { AppState, StoreDeps } from "../../shell/app-state";
import { fetchCatalog, modelSpecFor, type CatalogEntry } from "./catalog";
import { preferredModel, unsupportedReason } from "./compatibility";

export type LoadState = "idle" | "loading" | "ready" | "error";
export type LoadNoticeCode = "cancelled" | "progress-notice";

export interface ModelsSlice {
  catalog: CatalogEntry[];
  catalogError: string | undefined;
  modelBaseUrl: string | undefined;
  gpu: GpuSupport;
  /** Catalog entries whose files the server does not have (checked, not guessed). */
  missingFiles: Record<string, boolean>;
  /** Something about the last load the user should know (a refetched shard, a cancel). */
  loadNotice: string | undefined;
  /** What kind of notice it is, so it is worded in the UI's language (the text is the worker's). */
  loadNoticeCode: LoadNoticeCode | undefined;
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

export function createModelsSlice(deps: StoreDeps): StateCreator<AppState, [], [], ModelsSlice> {
  return (set, get) => ({
    catalog: [],
    catalogError: undefined,
    modelBaseUrl: undefined,
    gpu: { status: "checking" },
    missingFiles: {},
    loadNotice: undefined,
    loadNoticeCode: undefined,
    selectedModelId: undefined,
    loadedModelId: undefined,
    loadState: "idle",
    progress: undefined,
    loadError: undefined,

    async initModels() {
      const gpuCheck = detectGpuSupport(deps.gpu).then((gpu) => set({ gpu }));
      try {
        const { catalog, baseUrl } = await fetchCatalog(deps.catalogUrl);
        const remembered = localStorage.getItem(SELECTED_KEY);
        await gpuCheck;
        const gpu = get().gpu;
        const missingFiles = await findMissingFiles(catalog.models, baseUrl);
        const usable = (m: CatalogEntry) =>
          unsupportedReason(m, gpu, { filesMissing: missingFiles[m.id] === true }) === undefined;
        const selected =
          catalog.models.find((m) => m.id === remembered && usable(m)) ??
          preferredModel(catalog.models, gpu, missingFiles) ??
          catalog.models[0];
        set({
          catalog: catalog.models,
          modelBaseUrl: baseUrl.href,
          missingFiles,
          selectedModelId: selected?.id,
        });
        await get().restoreImportedModels();
      } catch (error) {
        await gpuCheck;
        set({ catalogError: error instanceof Error ? error.message : String(error) });
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
      if (loadState === "loading") return false;
      if (loadState === "ready" && loadedModelId === entry.id) return true;
      set({
        loadState: "loading",
        progress: undefined,
        loadError: undefined,
        loadNotice: undefined,
        loadNoticeCode: undefined,
      });
      try {
        const tooBig = await get().prepareDownload(entry);
        if (tooBig) throw new EngineClientError("quota-exceeded", tooBig.message, tooBig.params);
        await deps.engine.load(modelSpecFor(entry, new URL(modelBaseUrl)), (progress) =>
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
        return true;
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
          });
          return false;
        }
        set({ loadState: "error", loadedModelId: undefined, loadError: info });
        return false;
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
 * Asks the server whether CuteGPT's files are there (a HEAD request for the config), so the
 * picker can say "build them with model-build" instead of failing after the user clicks.
 * Prebuilt and test entries are not checked; an unreachable server counts as "unknown", not
 * missing, so offline use of a cached model is never blocked.
 */
async function findMissingFiles(
  entries: CatalogEntry[],
  baseUrl: URL,
): Promise<Record<string, boolean>> {
  const checks = entries
    .filter((m) => m.engine === "webllm" && !m.prebuilt && m.family === "cutegpt" && m.modelPath)
    .map(async (m) => {
      const spec = modelSpecFor(m, baseUrl);
      const url = new URL("resolve/main/mlc-chat-config.json", spec.modelUrl);
      try {
        const response = await fetch(url, { method: "HEAD", cache: "no-cache" });
        return [m.id, response.status === 404] as const;
      } catch {
        return [m.id, false] as const;
      }
    });
  return Object.fromEntries((await Promise.all(checks)).filter(([, missing]) => missing));
}
