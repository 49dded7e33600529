import { createContext, useContext } from "react";
import { createStore, useStore, type StoreApi } from "zustand";
import { createChatSlice } from "../features/chat/slice";
import { createConversationsSlice } from "../features/conversations/slice";
import { createModelsSlice } from "../features/models/slice";
import { createStorageSlice } from "../features/storage/slice";
import { createSettingsSlice } from "../features/settings/slice";
import type { AppState, StoreDeps } from "./app-state";

export function createAppStore(deps: StoreDeps): StoreApi<AppState> {
  return createStore<AppState>()((...args) => ({
    ...createConversationsSlice(deps)(...args),
    ...createModelsSlice(deps)(...args),
    ...createChatSlice(deps)(...args),
    ...createStorageSlice(deps)(...args),
    ...createSettingsSlice()(...args),
  }));
}

export const AppStoreContext = createContext<StoreApi<AppState> | null>(null);

export function useApp<T>(selector: (state: AppState) => T): T {
  const store = useContext(AppStoreContext);
  if (!store) throw new Error("useApp must be used inside <AppStoreContext.Provider>");
  return useStore(store, selector);
}
