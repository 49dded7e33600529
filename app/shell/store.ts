import { createStore, type StoreApi } from "zustand";
import { createChatSlice } from "../features/chat/slice";
import { createConversationsSlice } from "../features/conversations/slice";
import { createModelsSlice } from "../features/models/slice";
import { createModelFilesSlice } from "../features/model-files/slice";
import { createPreferencesSlice } from "../features/preferences/slice";
import type { AppState, StoreDeps } from "../store/app-state";

/** The composition root: the features' slices, each given only the deps it declares. */
export function createAppStore(deps: StoreDeps): StoreApi<AppState> {
  return createStore<AppState>()((...args) => ({
    ...createConversationsSlice(deps)(...args),
    ...createModelsSlice(deps)(...args),
    ...createChatSlice(deps)(...args),
    ...createModelFilesSlice(deps)(...args),
    ...createPreferencesSlice()(...args),
  }));
}
