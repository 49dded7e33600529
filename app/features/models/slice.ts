import type { StateCreator } from "zustand";
import { EngineClientError } from "../../engine/errors";
import { detectGpuSupport, type GpuSupport } from "../../engine/gpu-support";
import type { EngineErrorInfo, LoadProgress } from "../../engine/protocol";
import type { AppState, StoreDeps } from "../../shell/app-state";
import { fetchCatalog, modelSpecFor, type CatalogEntry } from "./catalog";
import { unsupportedReason } from "./compatibility";

export type LoadState = "idle" | "loading" | "ready" | "error";

export interface ModelsSlice {
  catalog: CatalogEntry[];
  catalogError: string | undefined;
  modelBaseUrl: string | undefined;
  gpu: GpuSupport;
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
        const runnable = catalog.models.filter((m) => unsupportedReason(m, gpu) === undefined);
        const selected =
          catalog.models.find(
            (m) => m.id === remembered && unsupportedReason(m, gpu) === undefined,
          ) ??
          runnable[0] ??
          catalog.models[0];
        set({
          catalog: catalog.models,
          modelBaseUrl: baseUrl.href,
          selectedModelId: selected?.id,
        });
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
      set({ loadState: "loading", progress: undefined, loadError: undefined });
      try {
        await deps.engine.load(modelSpecFor(entry, new URL(modelBaseUrl)), (progress) =>
          set({ progress }),
        );
        set({ loadState: "ready", loadedModelId: entry.id, progress: undefined });
        return true;
      } catch (error) {
        const info =
          error instanceof EngineClientError
            ? { code: error.code, message: error.message }
            : { code: "unknown" as const, message: String(error) };
        set({ loadState: "error", loadedModelId: undefined, loadError: info });
        return false;
      }
    },

    markModelLost(error) {
      set({ loadState: "idle", loadedModelId: undefined, progress: undefined, loadError: error });
    },
  });
}
