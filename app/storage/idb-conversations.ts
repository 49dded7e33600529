import { createStore, del, entries, get, update, type UseStore } from "idb-keyval";
import { isConversation } from "./conversation-shape";
import { mergeConversations } from "./cross-tab";
import type { Conversation, ConversationRepository } from "./types";

const DB_NAME = "cutegpt-chats";
const STORE_NAME = "conversations";

/**
 * Conversations in IndexedDB, one record per conversation keyed by its id. A save merges with
 * the stored record in the same transaction, so a tab never erases messages another tab wrote
 * (see cross-tab.ts); `onChanged` then tells the other tabs to re-read it.
 */
export function idbConversationRepository(
  store: UseStore = createStore(DB_NAME, STORE_NAME),
  onChanged: (id: string) => void = () => undefined,
): ConversationRepository {
  return {
    async loadAll() {
      const all = await entries<string, unknown>(store);
      const conversations: Conversation[] = [];
      let rejected = 0;
      for (const [, value] of all) {
        if (isConversation(value)) conversations.push(value);
        else rejected += 1;
      }
      return { conversations, rejected };
    },
    async load(id) {
      const value = await get<unknown>(id, store);
      return isConversation(value) ? value : undefined;
    },
    async save(conversation) {
      await update<unknown>(
        conversation.id,
        (stored) =>
          isConversation(stored) ? mergeConversations(conversation, stored) : conversation,
        store,
      );
      onChanged(conversation.id);
    },
    async remove(id) {
      await del(id, store);
      onChanged(id);
    },
  };
}

/** An in-memory repository for unit tests and for browsers without IndexedDB. */
export function memoryConversationRepository(initial: Conversation[] = []): ConversationRepository {
  const data = new Map(initial.map((c) => [c.id, structuredClone(c)]));
  return {
    async loadAll() {
      return { conversations: [...data.values()].map((c) => structuredClone(c)), rejected: 0 };
    },
    async load(id) {
      const stored = data.get(id);
      return stored && structuredClone(stored);
    },
    async save(conversation) {
      data.set(conversation.id, structuredClone(conversation));
    },
    async remove(id) {
      data.delete(id);
    },
  };
}
