import { deleteDB, openDB, type DBSchema, type IDBPDatabase } from "idb";

/**
 * The one database chats live in: the records (every message; the truth, and the tombstones
 * deleted chats leave in their place) and a summary per chat (what the sidebar lists) in two
 * object stores of the same database, so a save writes a record and its summary in one
 * transaction, and a deletion its tombstone and the summary's removal.
 *
 * The name and the records store are those older app versions wrote with idb-keyval: version
 * 1 was that database, the records store alone. Keeping them means the records are never
 * copied (the move cannot lose a message), and an older version that is brought back opens
 * the records where it left them. Version 2 adds the summaries store, filled in the same
 * upgrade with what the summaries' own database ("cutegpt-chat-summaries") held, which is
 * deleted once the upgrade has committed.
 *
 * Written with `idb` rather than idb-keyval: idb-keyval opens a database without a version
 * and one store per database, so it can neither add a store nor write two in one
 * transaction. `idb` gives the versioned open with its upgrade, blocked and blocking events,
 * and promises for requests and transactions over any set of stores, which this module would
 * otherwise write by hand around the raw API. idb-keyval stays for the app's plain key-value
 * stores (shared links, app meta).
 */
export const CHAT_DB = "cutegpt-chats";
export const CHAT_DB_VERSION = 2;
export const RECORDS_STORE = "conversations";
export const SUMMARIES_STORE = "summaries";

/** Where summaries lived before version 2 (an idb-keyval store of its own). */
export const LEGACY_SUMMARY_DB = "cutegpt-chat-summaries";
export const LEGACY_SUMMARY_STORE = "summaries";

/**
 * Values are `unknown`: they come from older app versions and other tabs, and every read
 * checks them against the schemas (schemas.ts). Keys are any IndexedDB key: a damaged
 * records store can hold others than chat ids, and the summaries' completeness mark is an
 * array (summary-store.ts).
 */
export interface ChatSchema extends DBSchema {
  [RECORDS_STORE]: { key: IDBValidKey; value: unknown };
  [SUMMARIES_STORE]: { key: IDBValidKey; value: unknown };
}

export type ChatDatabase = IDBPDatabase<ChatSchema>;

export interface ChatDatabaseEvents {
  /**
   * True: tabs still running an older version hold the database open, and the upgrade waits
   * until they close or reload (older versions never let go of it). False: it went ahead.
   */
  waitingForOlderTabs?(waiting: boolean): void;
  /**
   * The connection is gone: closed here because a newer version in another tab waits for it,
   * or by the browser (storage cleared, say). The next read or write has to open it again.
   */
  closed?(): void;
}

/**
 * Opens the chat database, upgrading it (and moving the summaries in) on the first start of
 * this version. An upgrade runs in a versionchange transaction, which IndexedDB gives one
 * connection at a time and either commits whole or not at all: a second tab opening at the
 * same moment waits and then finds the upgrade done (it copies nothing), and a tab closed
 * mid-upgrade leaves the old layout as it was, to be upgraded at the next start.
 *
 * The transaction cannot wait on another database, so the old summaries are read before it:
 * an open that finds an upgrade needed and has not read them yet aborts it, reads them and
 * opens again. Normal starts (no upgrade) read nothing else.
 */
export async function openChatDatabase(events: ChatDatabaseEvents = {}): Promise<ChatDatabase> {
  let legacy: [IDBValidKey, unknown][] | undefined;
  let waited = false;
  for (;;) {
    let movedSummaries = false;
    try {
      const database = await openDB<ChatSchema>(CHAT_DB, CHAT_DB_VERSION, {
        upgrade(db, oldVersion, _newVersion, transaction) {
          if (legacy === undefined) {
            abortUpgrade(transaction);
            return;
          }
          if (oldVersion < 1) db.createObjectStore(RECORDS_STORE);
          if (oldVersion < 2) {
            const summaries = db.createObjectStore(SUMMARIES_STORE);
            // A failed put aborts the upgrade, and the open reports it.
            for (const [key, value] of legacy) summaries.put(value, key).catch(() => undefined);
            movedSummaries = true;
          }
        },
        blocked() {
          // Those tabs may still write summaries: read them again once they are gone.
          legacy = undefined;
          waited = true;
          events.waitingForOlderTabs?.(true);
        },
        blocking() {
          database.close();
          events.closed?.();
        },
        terminated: () => events.closed?.(),
      });
      if (waited) events.waitingForOlderTabs?.(false);
      // Only after the upgrade committed; a tab closed before this leaves an unread copy.
      if (movedSummaries) void deleteDB(LEGACY_SUMMARY_DB).catch(() => undefined);
      return database;
    } catch (error) {
      if (legacy !== undefined || !isAbort(error)) throw error;
      legacy = await readLegacySummaries();
    }
  }
}

/**
 * Every entry of the old summaries' database, keys and values as stored (the completeness
 * mark included); none if it does not exist, which this read must not create. The summaries
 * are a cache of the records: if they cannot be read, the upgrade moves none and the first
 * start builds them from the records, as after an update from a version that kept none.
 */
async function readLegacySummaries(): Promise<[IDBValidKey, unknown][]> {
  let db: IDBPDatabase;
  try {
    db = await openDB(LEGACY_SUMMARY_DB, undefined, {
      upgrade: (_db, _old, _new, transaction) => abortUpgrade(transaction),
    });
  } catch {
    return [];
  }
  try {
    if (!db.objectStoreNames.contains(LEGACY_SUMMARY_STORE)) return [];
    const store = db.transaction(LEGACY_SUMMARY_STORE).store;
    const [keys, values] = await Promise.all([store.getAllKeys(), store.getAll()]);
    return keys.map((key, i): [IDBValidKey, unknown] => [key, values[i]]);
  } catch {
    return [];
  } finally {
    db.close();
  }
}

/**
 * Aborts an upgrade on purpose. The open's own rejection reports it; `idb` also rejects the
 * transaction's `done`, which nobody awaits here and would surface as an unhandled rejection.
 */
function abortUpgrade(transaction: { abort(): void; done: Promise<void> }): void {
  transaction.done.catch(() => undefined);
  transaction.abort();
}

function isAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === "AbortError";
}
