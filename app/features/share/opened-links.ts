import { createStore, get, set, type UseStore } from "idb-keyval";

/**
 * Which local conversation each opened link became, keyed by the link's SHA-256, so opening
 * the same link again leads to that conversation instead of making a duplicate.
 */
export function openedLinksStore(store: UseStore = createStore("cutegpt-shared-links", "opened")) {
  return {
    find: (identity: string) => get<string>(identity, store),
    remember: (identity: string, conversationId: string) => set(identity, conversationId, store),
  };
}
