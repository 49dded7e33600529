import {
  openChatDatabase,
  RECORDS_STORE,
  SUMMARIES_STORE,
  type ChatDatabase,
  type ChatDatabaseEvents,
} from "./chat-database";
import { isConversation } from "./conversation-shape";
import { mergeWithStored } from "./cross-tab";
import { diffSummaries, summarize } from "./summaries";
import { completeMark, readSummaryEntries, validSummaries } from "./summary-store";
import { isExpired, isTombstone, tombstoneFor, type ConversationTombstone } from "./tombstones";
import type { Conversation, ConversationRepository, SaveOptions } from "./types";

/**
 * Records read per transaction by `loadAll`. Each batch is deserialized in its own task, so
 * reading thousands of chats after the list is on screen leaves the page free to answer
 * clicks and paint between batches instead of freezing for one long task.
 */
const LOAD_BATCH = 100;

/**
 * The conversation records behind a small adapter (design.md habit 3): the in-memory ones
 * below, which repository.ts pairs with a summary store for unit tests.
 */
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
 * Issues a transaction's writes and waits for it to commit. A write can fail at once (a value
 * that cannot be stored throws instead of failing its request), and IndexedDB would then
 * still commit the writes issued before it: abort them all, so the transaction keeps its
 * promise of all or nothing.
 */
async function writeTogether(
  tx: { abort(): void; done: Promise<void> },
  write: (pending: Promise<unknown>[]) => void,
): Promise<void> {
  const pending: Promise<unknown>[] = [tx.done];
  try {
    write(pending);
  } catch (error) {
    tx.abort();
    // Each of them now fails with the abort; this error is the one to report.
    void Promise.allSettled(pending);
    throw error;
  }
  await Promise.all(pending);
}

export interface IdbRepositoryOptions extends ChatDatabaseEvents {
  /** Runs after each save or deletion has committed (cross-tab.ts). */
  onChanged?: (id: string) => void;
  /** The clock tombstones are dated and pruned by. */
  now?: () => number;
}

/**
 * Conversations in the chat database (chat-database.ts): one record per conversation keyed
 * by its id (a deleted one's key holds its tombstone), and its summary under the same key in
 * the summaries store. A save merges with the stored record and writes the result and its
 * summary in one transaction, so the two never disagree, whatever closes or fails when: a
 * tab never erases messages another tab wrote nor brings back a conversation another tab
 * deleted (cross-tab.ts), and the list never shows a chat that is not stored. A deletion
 * writes the tombstone and removes the summary in one transaction too.
 */
export function idbConversationRepository(
  options: IdbRepositoryOptions = {},
): ConversationRepository {
  const { onChanged = () => undefined, now = Date.now } = options;
  let opening: Promise<ChatDatabase> | undefined;
  const database = () =>
    (opening ??= openChatDatabase({
      waitingForOlderTabs: (waiting) => options.waitingForOlderTabs?.(waiting),
      closed() {
        // The next call opens again; where a newer version took over, that open fails and
        // the failure is reported as any other, until this tab is reloaded.
        opening = undefined;
        options.closed?.();
      },
    }).catch((error: unknown) => {
      opening = undefined;
      throw error;
    }));
  // Set when a rebuild found no conversations at all and so wrote nothing: the first summary
  // written then also marks the store complete (it describes every record there is).
  let markWithNextSummary = false;

  /** Deletes these tombstones if they are still there and still expired (one transaction). */
  const prune = async (ids: readonly IDBValidKey[]) => {
    const tx = (await database()).transaction(RECORDS_STORE, "readwrite");
    const values = await Promise.all(ids.map((id) => tx.store.get(id)));
    const time = now();
    await writeTogether(tx, (pending) =>
      ids.forEach((id, i) => {
        const value = values[i];
        if (isTombstone(value) && isExpired(value, time)) pending.push(tx.store.delete(id));
      }),
    );
  };

  return {
    async loadSummaries() {
      const store = (await database()).transaction(SUMMARIES_STORE).store;
      const [keys, values] = await Promise.all([store.getAllKeys(), store.getAll()]);
      const { byId, complete } = readSummaryEntries(keys, values);
      return { summaries: validSummaries(byId), complete };
    },
    async loadAll() {
      const db = await database();
      const conversations: Conversation[] = [];
      const expired: IDBValidKey[] = [];
      const time = now();
      let rejected = 0;
      let after: IDBValidKey | undefined;
      for (;;) {
        const range = after === undefined ? null : IDBKeyRange.lowerBound(after, true);
        const store = db.transaction(RECORDS_STORE).store;
        const [keys, values] = await Promise.all([
          store.getAllKeys(range, LOAD_BATCH),
          store.getAll(range, LOAD_BATCH),
        ]);
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
      const value = await (await database()).get(RECORDS_STORE, id);
      return isConversation(value) ? value : undefined;
    },
    async save(conversation, saveOptions) {
      const { id } = conversation;
      const tx = (await database()).transaction([RECORDS_STORE, SUMMARIES_STORE], "readwrite");
      const records = tx.objectStore(RECORDS_STORE);
      const summaries = tx.objectStore(SUMMARIES_STORE);
      const stored = mergeWithStored(conversation, await records.get(id), saveOptions);
      const mark = markWithNextSummary;
      const [markKey, markValue] = completeMark();
      await writeTogether(tx, (pending) => {
        if (!stored) return;
        pending.push(records.put(stored, id), summaries.put(summarize(stored), id));
        if (mark) pending.push(summaries.put(markValue, markKey));
      });
      if (!stored) return "deleted";
      if (mark) markWithNextSummary = false;
      onChanged(id);
      return "saved";
    },
    async remove(id) {
      const tx = (await database()).transaction([RECORDS_STORE, SUMMARIES_STORE], "readwrite");
      await writeTogether(tx, (pending) =>
        pending.push(
          tx.objectStore(RECORDS_STORE).put(tombstoneFor(id, now()), id),
          tx.objectStore(SUMMARIES_STORE).delete(id),
        ),
      );
      onChanged(id);
    },
    async rebuildSummaries(conversations) {
      // Read, compare and write in one transaction: a save written meanwhile by this or
      // another tab either lands before (and is compared) or after (and wins).
      const tx = (await database()).transaction(SUMMARIES_STORE, "readwrite");
      const [keys, values] = await Promise.all([tx.store.getAllKeys(), tx.store.getAll()]);
      const read = readSummaryEntries(keys, values);
      const diff = diffSummaries(read.byId, conversations.map(summarize));
      const complete = read.complete || conversations.length > 0 || read.byId.size > 0;
      const [markKey, markValue] = completeMark();
      await writeTogether(tx, (pending) => {
        for (const summary of diff.put) pending.push(tx.store.put(summary, summary.id));
        for (const id of diff.remove) pending.push(tx.store.delete(id));
        if (complete && !read.complete) pending.push(tx.store.put(markValue, markKey));
      });
      markWithNextSummary = !complete;
      return { added: diff.added, updated: diff.updated, removed: diff.removed };
    },
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
