import { createStore, del, get, promisifyRequest, update, type UseStore } from "idb-keyval";
import { isConversation } from "./conversation-shape";
import { mergeConversations } from "./cross-tab";
import type { Conversation } from "./types";

export const RECORDS_DB = "cutegpt-chats";
export const RECORDS_STORE = "conversations";

/**
 * Records read per transaction by `loadAll`. Each batch is deserialized in its own task, so
 * reading thousands of chats after the list is on screen leaves the page free to answer
 * clicks and paint between batches instead of freezing for one long task.
 */
const LOAD_BATCH = 100;

/** The conversation records' database behind a small adapter (design.md habit 3). */
export interface ConversationRecords {
  loadAll(): Promise<{ conversations: Conversation[]; rejected: number }>;
  load(id: string): Promise<Conversation | undefined>;
  /** Merges with the stored record in one transaction; returns the record as stored now. */
  save(conversation: Conversation): Promise<Conversation>;
  remove(id: string): Promise<void>;
}

/**
 * Conversations in IndexedDB, one record per conversation keyed by its id. A save merges with
 * the stored record in the same transaction, so a tab never erases messages another tab wrote
 * (see cross-tab.ts).
 */
export function idbConversationRecords(
  store: UseStore = createStore(RECORDS_DB, RECORDS_STORE),
): ConversationRecords {
  return {
    async loadAll() {
      const conversations: Conversation[] = [];
      let rejected = 0;
      let after: IDBValidKey | undefined;
      for (;;) {
        const range = after === undefined ? null : IDBKeyRange.lowerBound(after, true);
        const [keys, values] = await store("readonly", (s) =>
          Promise.all([
            promisifyRequest(s.getAllKeys(range, LOAD_BATCH)),
            promisifyRequest(s.getAll(range, LOAD_BATCH) as IDBRequest<unknown[]>),
          ]),
        );
        for (const value of values) {
          if (isConversation(value)) conversations.push(value);
          else rejected += 1;
        }
        after = keys.at(-1);
        if (keys.length < LOAD_BATCH) break;
      }
      return { conversations, rejected };
    },
    async load(id) {
      const value = await get<unknown>(id, store);
      return isConversation(value) ? value : undefined;
    },
    async save(conversation) {
      let stored = conversation;
      await update<unknown>(
        conversation.id,
        (old) => {
          stored = isConversation(old) ? mergeConversations(conversation, old) : conversation;
          return stored;
        },
        store,
      );
      return stored;
    },
    remove: (id) => del(id, store),
  };
}

/** In-memory records for unit tests and for browsers without IndexedDB. */
export function memoryConversationRecords(
  initial: Conversation[] = [],
): ConversationRecords & { readonly data: Map<string, Conversation> } {
  const data = new Map(initial.map((c) => [c.id, structuredClone(c)]));
  return {
    data,
    async loadAll() {
      return { conversations: [...data.values()].map((c) => structuredClone(c)), rejected: 0 };
    },
    async load(id) {
      const stored = data.get(id);
      return stored && structuredClone(stored);
    },
    async save(conversation) {
      const old = data.get(conversation.id);
      const stored = old ? mergeConversations(conversation, old) : conversation;
      data.set(conversation.id, structuredClone(stored));
      return structuredClone(stored);
    },
    async remove(id) {
      data.delete(id);
    },
  };
}
