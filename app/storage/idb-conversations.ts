import { createStore, del, entries, set, type UseStore } from "idb-keyval";
import { isConversation } from "./conversation-shape";
import type { Conversation, ConversationRepository } from "./types";

const DB_NAME = "cutegpt-chats";
const STORE_NAME = "conversations";

/** Conversations in IndexedDB, one record per conversation keyed by its id. */
export function idbConversationRepository(
  store: UseStore = createStore(DB_NAME, STORE_NAME),
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
    save: (conversation) => set(conversation.id, conversation, store),
    remove: (id) => del(id, store),
  };
}

/** An in-memory repository for unit tests and for browsers without IndexedDB. */
export function memoryConversationRepository(initial: Conversation[] = []): ConversationRepository {
  const data = new Map(initial.map((c) => [c.id, structuredClone(c)]));
  return {
    async loadAll() {
      return { conversations: [...data.values()].map((c) => structuredClone(c)), rejected: 0 };
    },
    async save(conversation) {
      data.set(conversation.id, structuredClone(conversation));
    },
    async remove(id) {
      data.delete(id);
    },
  };
}
