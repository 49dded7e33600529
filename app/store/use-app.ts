import { createContext, useContext } from "react";
import { useStore, type StoreApi } from "zustand";
import type { AppState } from "./app-state";

/** The app's one store, handed down by the shell (tests hand in their own). */
export const AppStoreContext = createContext<StoreApi<AppState> | null>(null);

export function useApp<T>(selector: (state: AppState) => T): T {
  const store = useContext(AppStoreContext);
  if (!store) throw new Error("useApp must be used inside <AppStoreContext.Provider>");
  return useStore(store, selector);
}
