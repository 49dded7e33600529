import { createStore, type StoreApi } from "zustand";
import { createChatSlice } from "../features/chat/slice";
import { createConversationsSlice } from "../features/conversations/slice";
import { createModelsSlice } from "../features/models/slice";
import { createStorageSlice } from "../features/storage/slice";
import { createSettingsSlice } from "../features/settings/slice";
import type { AppState, StoreDeps } from "../store/app-state";

/** The composition root: the features' slices, each given only the deps it declares. */
export function createAppStore(deps: StoreDeps): StoreApi<AppState> {
  return createStore<AppState>()((...args) => ({
    ...createConversationsSlice(deps)(...args),
    ...createModelsSlice(deps)(...args),
    ...createChatSlice(deps)(...args),
    ...createStorageSlice(deps)(...args),
    ...createSettingsSlice()(...args),
  }));
}
