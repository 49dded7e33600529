import { createStore, useStore } from "zustand";

/**
 * Set while the chat database's upgrade waits for tabs that still run an older version of
 * the app (chat-database.ts): the chats cannot be read here until those tabs close or
 * reload, and the sidebar says so. Outside the app store: it is set by the repository before
 * the store exists, and is never persisted.
 */
export const olderTabsStore = createStore<{ waiting: boolean }>()(() => ({ waiting: false }));

export function useWaitingForOlderTabs(): boolean {
  return useStore(olderTabsStore, (s) => s.waiting);
}
