import { createStore, get, promisifyRequest, set, type UseStore } from "idb-keyval";
import { isConversation } from "./conversation-shape";
import { mergeWithStored } from "./cross-tab";
import { isExpired, isTombstone, tombstoneFor, type ConversationTombstone } from "./tombstones";
import type { Conversation, SaveOptions } from "./types";

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
  /**
   * Every readable conversation, and how many records could not be read. Tombstones are
   * neither; those past their time (tombstones.ts) are dropped on the way.
   */
  loadAll(): Promise<{ conversations: Conversation[]; rejected: number }>;
  /** Undefined if absent, deleted or unreadable. */
  load(id: string): Promise<Conversation | undefined>;
  /**
   * Merges with the stored record in one transaction; returns the record as stored now, or
   * undefined (and writes nothing) if the conversation was deleted and this is no restore.
   */
  save(conversation: Conversation, options?: SaveOptions): Promise<Conversation | undefined>;
  /** Replaces the record with a tombstone. */
  remove(id: string): Promise<void>;
}

/**
 * Conversations in IndexedDB, one record per conversation keyed by its id; a deleted one's key
 * holds its tombstone. A save merges with what is stored in the same transaction, so a tab
 * never erases messages another tab wrote nor brings back a conversation another tab deleted
 * (see cross-tab.ts). `now` is the clock tombstones are dated and pruned by.
 */
export function idbConversationRecords(
  store: UseStore = createStore(RECORDS_DB, RECORDS_STORE),
  now: () => number = Date.now,
): ConversationRecords {
  /** Deletes these tombstones if they are still there and still expired (one transaction). */
  const prune = (ids: readonly IDBValidKey[]) =>
    store("readwrite", async (s) => {
      const values = await Promise.all(ids.map((id) => promisifyRequest(s.get(id))));
      const time = now();
      ids.forEach((id, i) => {
        const value: unknown = values[i];
        if (isTombstone(value) && isExpired(value, time)) s.delete(id);
      });
      await promisifyRequest(s.transaction);
    });

  return {
    async loadAll() {
      const conversations: Conversation[] = [];
      const expired: IDBValidKey[] = [];
      const time = now();
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
        values.forEach((value, i) => {
          if (isConversation(value)) conversations.push(value);
          else if (!isTombstone(value)) rejected += 1;
          else if (isExpired(value, time)) expired.push(keys[i] ?? value.id);
        });
        after = keys.at(-1);
        if (keys.length < LOAD_BATCH) break;
      }
      // Housekeeping: a failure costs nothing but a few bytes until the next start.
      if (expired.length > 0) await prune(expired).catch(() => undefined);
      return { conversations, rejected };
    },
    async load(id) {
      const value = await get<unknown>(id, store);
      return isConversation(value) ? value : undefined;
    },
    save(conversation, options) {
      return store("readwrite", async (s) => {
        const old: unknown = await promisifyRequest(s.get(conversation.id));
        const stored = mergeWithStored(conversation, old, options);
        if (stored) s.put(stored, conversation.id);
        await promisifyRequest(s.transaction);
        return stored;
      });
    },
    remove: (id) => set(id, tombstoneFor(id, now()), store),
  };
}

/**
 * In-memory records for unit tests and for browsers without IndexedDB, following the same
 * rules: `data` holds the conversations, `tombstones` what deleted ones left.
 */
export function memoryConversationRecords(
  initial: Conversation[] = [],
  now: () => number = Date.now,
): ConversationRecords & {
  readonly data: Map<string, Conversation>;
  readonly tombstones: Map<string, ConversationTombstone>;
} {
  const data = new Map(initial.map((c) => [c.id, structuredClone(c)]));
  const tombstones = new Map<string, ConversationTombstone>();
  return {
    data,
    tombstones,
    async loadAll() {
      const time = now();
      for (const [id, tombstone] of tombstones) {
        if (isExpired(tombstone, time)) tombstones.delete(id);
      }
      return { conversations: [...data.values()].map((c) => structuredClone(c)), rejected: 0 };
    },
    async load(id) {
      const stored = data.get(id);
      return stored && structuredClone(stored);
    },
    async save(conversation, options) {
      const old = data.get(conversation.id) ?? tombstones.get(conversation.id);
      const stored = mergeWithStored(conversation, old, options);
      if (!stored) return undefined;
      tombstones.delete(conversation.id);
      data.set(conversation.id, structuredClone(stored));
      return structuredClone(stored);
    },
    async remove(id) {
      data.delete(id);
      tombstones.set(id, tombstoneFor(id, now()));
    },
  };
}
