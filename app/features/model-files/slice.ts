import { createStore, get as idbGet, set as idbSet, type UseStore } from "idb-keyval";
import type { StateCreator } from "zustand";
import { engineErrorInfo } from "../../engine/errors";
import type { CachedModelInfo, ImportFile, KnownModel } from "../../protocol/worker-protocol";
import type { AppState, StoreDeps } from "../../store/app-state";
import { modelSpecFor, parseCatalogEntry, type CatalogEntry } from "../../engine/catalog";

/** What the model-files slice uses of the others: the catalog and which model is in use. */
type ModelFilesNeeds = Pick<
  AppState,
  "catalog" | "modelBaseUrl" | "loadState" | "loadedModelId" | "recheckModelFiles"
>;
type ModelFilesDeps = Pick<StoreDeps, "engine">;

export interface StorageEstimateInfo {
  usage: number;
  quota: number;
}

export interface ModelFilesSlice {
  cachedModels: CachedModelInfo[];
  storageEstimate: StorageEstimateInfo | undefined;
  /** Whether the browser promised not to evict this site's data (undefined: not asked yet). */
  storagePersisted: boolean | undefined;
  storageBusy: boolean;
  storageMessage: { kind: "info" | "error"; text: string; code?: string } | undefined;
  refreshStorage(): Promise<void>;
  deleteCachedModel(folderUrl: string): Promise<void>;
  importModelFolder(files: ImportFile[]): Promise<void>;
  /** Adds the models imported earlier in this browser to the catalog. */
  restoreImportedModels(): Promise<void>;
  /**
   * Before a download: asks the browser to keep the files (persist) and checks the free
   * space. Returns what stops the load when the model clearly cannot fit: the English detail
   * and the sizes (MB) the UI's sentence names.
   */
  prepareDownload(
    entry: CatalogEntry,
  ): Promise<{ message: string; params: { needed: number; free: number } } | undefined>;
}

const IMPORTED_KEY = "imported-models";
let metaStore: UseStore | undefined;
const appMeta = () => (metaStore ??= createStore("cutegpt-app-meta", "kv"));

const MB = 1024 * 1024;

export function createModelFilesSlice(
  deps: ModelFilesDeps,
): StateCreator<ModelFilesSlice & ModelFilesNeeds, [], [], ModelFilesSlice> {
  const storage = () => (typeof navigator === "undefined" ? undefined : navigator.storage);

  const known = (state: ModelFilesSlice & ModelFilesNeeds): KnownModel[] => {
    if (!state.modelBaseUrl) return [];
    const base = new URL(state.modelBaseUrl);
    return state.catalog.flatMap((entry) => {
      const spec = modelSpecFor(entry, base);
      if (!spec.modelUrl) return [];
      return [
        {
          id: entry.id,
          modelUrl: spec.modelUrl,
          ...(spec.modelLibUrl !== undefined && { modelLibUrl: spec.modelLibUrl }),
        },
      ];
    });
  };

  const failText = (error: unknown) => {
    const { code, message } = engineErrorInfo(error);
    return { kind: "error" as const, text: message, code };
  };

  return (set, get) => {
    const addToCatalog = (entries: CatalogEntry[]) => {
      if (entries.length === 0) return;
      const ids = new Set(entries.map((e) => e.id));
      set({ catalog: [...get().catalog.filter((e) => !ids.has(e.id)), ...entries] });
    };
    return {
      cachedModels: [],
      storageEstimate: undefined,
      storagePersisted: undefined,
      storageBusy: false,
      storageMessage: undefined,

      async refreshStorage() {
        const manager = storage();
        const [models, estimate, persisted] = await Promise.all([
          deps.engine.listCached(known(get())),
          manager?.estimate?.().catch(() => undefined),
          manager?.persisted?.().catch(() => undefined),
        ]);
        set({
          cachedModels: models,
          storageEstimate:
            estimate?.usage !== undefined && estimate.quota !== undefined
              ? { usage: estimate.usage, quota: estimate.quota }
              : undefined,
          ...(persisted !== undefined && { storagePersisted: persisted }),
        });
      },

      async deleteCachedModel(folderUrl) {
        const model = get().cachedModels.find((m) => m.folderUrl === folderUrl);
        const lib = known(get()).find((k) => k.id === model?.modelId)?.modelLibUrl;
        set({ storageBusy: true, storageMessage: undefined });
        try {
          if (model?.modelId && model.modelId === get().loadedModelId) await deps.engine.unload();
          if (model?.modelId === get().loadedModelId) {
            set({ loadState: "idle", loadedModelId: undefined });
          }
          await deps.engine.deleteCached(folderUrl, lib);
          set({ storageMessage: { kind: "info", text: "deleted" } });
        } catch (error) {
          set({ storageMessage: failText(error) });
        } finally {
          set({ storageBusy: false });
          await get().refreshStorage();
        }
      },

      async importModelFolder(files) {
        const base = get().modelBaseUrl;
        if (!base) return;
        set({ storageBusy: true, storageMessage: undefined });
        try {
          const raw = await deps.engine.importModel(files, base);
          const entries = raw.map(parseCatalogEntry).filter((e): e is CatalogEntry => !!e);
          const kept = ((await idbGet<unknown[]>(IMPORTED_KEY, appMeta())) ?? [])
            .map(parseCatalogEntry)
            .filter((e): e is CatalogEntry => !!e && !entries.some((n) => n.id === e.id));
          await idbSet(IMPORTED_KEY, [...kept, ...entries], appMeta());
          addToCatalog(entries);
          set({
            storageMessage: { kind: "info", text: entries.map((e) => e.name).join(", ") },
            ...(entries[0] && get().loadState !== "loading" && { selectedModelId: entries[0].id }),
          });
        } catch (error) {
          set({ storageMessage: failText(error) });
        } finally {
          set({ storageBusy: false });
          await get().refreshStorage();
        }
      },

      async restoreImportedModels() {
        const saved = await idbGet<unknown[]>(IMPORTED_KEY, appMeta()).catch(() => undefined);
        addToCatalog(
          (saved ?? []).map(parseCatalogEntry).filter((e): e is CatalogEntry => e !== undefined),
        );
      },

      async prepareDownload(entry) {
        const manager = storage();
        const size = entry.downloadBytes;
        if (!manager || !size) return undefined;
        await get()
          .refreshStorage()
          .catch(() => undefined);
        const cached = get().cachedModels.find((m) => m.modelId === entry.id);
        if (cached && cached.shardsTotal > 0 && cached.shardsCached === cached.shardsTotal) {
          return undefined;
        }
        // Chromium grants persistence without a prompt to sites the user engages with; other
        // browsers may ask. Either way the UI has said why (storagePersistWhy) before this runs.
        if (get().storagePersisted !== true && manager.persist) {
          const persisted = await manager.persist().catch(() => false);
          set({ storagePersisted: persisted });
        }
        const estimate = await manager.estimate?.().catch(() => undefined);
        if (estimate?.quota === undefined || estimate.usage === undefined) return undefined;
        const stillNeeded = Math.max(0, size - (cached?.bytes ?? 0));
        const free = estimate.quota - estimate.usage;
        if (stillNeeded > free) {
          const params = { needed: Math.ceil(stillNeeded / MB), free: Math.floor(free / MB) };
          const message = `Not enough storage for this model: it needs ${Math.ceil(stillNeeded / MB)} MB but the browser allows only ${Math.floor(free / MB)} MB more for this site. Free disk space or delete cached models under Storage, then try again.`;
          return { message, params };
        }
        return undefined;
      },
    };
  };
}
