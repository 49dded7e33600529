import { createStore, del, promisifyRequest, set, setMany, type UseStore } from "idb-keyval";
import { diffSummaries, isSummary } from "./summaries";
import type { ConversationSummary, StoredSummaries, SummaryRepair } from "./types";

/**
 * The summaries' own database. Not a second object store in "cutegpt-chats": idb-keyval opens
 * a database without a version and cannot add a store to one that exists, and a separate
 * database keeps the records' database exactly as older app versions left it.
 */
export const SUMMARY_DB = "cutegpt-chat-summaries";
export const SUMMARY_STORE = "summaries";

/**
 * Stored next to the summaries once they were built from every record. An array key sorts
 * after every string in IndexedDB and can never equal a conversation id (always a string).
 */
export const COMPLETE_KEY: IDBValidKey = ["complete"];
/** Bumped when the summary shape changes, so an app update rebuilds them on its first start. */
export const SUMMARY_FORMAT = 1;

/** One IndexedDB database behind a small adapter (design.md habit 3); see repository.ts. */
export interface SummaryStore {
  load(): Promise<StoredSummaries>;
  /** `markComplete`: the store is known to describe every record once this summary is in. */
  put(summary: ConversationSummary, markComplete?: boolean): Promise<void>;
  remove(id: string): Promise<void>;
  /**
   * Makes the store hold exactly these summaries, marked complete, in one transaction. With
   * no conversations at all it writes nothing and `complete` is false: a new user's first
   * visit stays free of writes, and the mark can come with the first summary instead.
   */
  replaceAll(
    summaries: readonly ConversationSummary[],
  ): Promise<SummaryRepair & { complete: boolean }>;
}

/** The key/value pairs of a complete summary store (also how the benchmark seeds one). */
export function summaryStoreEntries(
  summaries: readonly ConversationSummary[],
): [IDBValidKey, unknown][] {
  return [
    ...summaries.map((s): [IDBValidKey, unknown] => [s.id, s]),
    [COMPLETE_KEY, { format: SUMMARY_FORMAT }],
  ];
}

function isCompleteMark(value: unknown): boolean {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as { format?: unknown }).format === SUMMARY_FORMAT
  );
}

export function idbSummaryStore(
  store: UseStore = createStore(SUMMARY_DB, SUMMARY_STORE),
): SummaryStore {
  // Entries keyed by a string: summaries (or damaged values in their place); the mark is not.
  const readAll = async (s: IDBObjectStore) => {
    const [keys, values] = await Promise.all([
      promisifyRequest(s.getAllKeys()),
      promisifyRequest(s.getAll() as IDBRequest<unknown[]>),
    ]);
    const byId = new Map<string, unknown>();
    let complete = false;
    keys.forEach((key, i) => {
      if (typeof key === "string") byId.set(key, values[i]);
      else if (indexedDB.cmp(key, COMPLETE_KEY) === 0) complete = isCompleteMark(values[i]);
    });
    return { byId, complete };
  };

  return {
    async load() {
      const { byId, complete } = await store("readonly", readAll);
      const summaries: ConversationSummary[] = [];
      for (const value of byId.values()) if (isSummary(value)) summaries.push(value);
      return { summaries, complete };
    },
    put: (summary, markComplete = false) =>
      markComplete
        ? setMany(
            [
              [summary.id, summary],
              [COMPLETE_KEY, { format: SUMMARY_FORMAT }],
            ],
            store,
          )
        : set(summary.id, summary, store),
    remove: (id) => del(id, store),
    replaceAll(summaries) {
      // Read, compare and write in one transaction: a save's summary written meanwhile by this
      // or another tab either lands before (and is compared) or after (and wins).
      return store("readwrite", async (s) => {
        const read = await readAll(s);
        const diff = diffSummaries(read.byId, summaries);
        for (const summary of diff.put) s.put(summary, summary.id);
        for (const id of diff.remove) s.delete(id);
        const complete = read.complete || summaries.length > 0 || read.byId.size > 0;
        if (complete && !read.complete) s.put({ format: SUMMARY_FORMAT }, COMPLETE_KEY);
        await promisifyRequest(s.transaction);
        return { added: diff.added, updated: diff.updated, removed: diff.removed, complete };
      });
    },
  };
}

/** An in-memory summary store for unit tests; `entries` may hold damaged values on purpose. */
export function memorySummaryStore(
  initial: { entries?: Iterable<[string, unknown]>; complete?: boolean } = {},
): SummaryStore & { readonly entries: Map<string, unknown>; readonly complete: boolean } {
  const entries = new Map<string, unknown>(
    [...(initial.entries ?? [])].map(([k, v]) => [k, structuredClone(v)]),
  );
  let complete = initial.complete ?? false;
  return {
    entries,
    get complete() {
      return complete;
    },
    async load() {
      const summaries = [...entries.values()].filter(isSummary).map((s) => structuredClone(s));
      return { summaries, complete };
    },
    async put(summary, markComplete = false) {
      entries.set(summary.id, structuredClone(summary));
      if (markComplete) complete = true;
    },
    async remove(id) {
      entries.delete(id);
    },
    async replaceAll(summaries) {
      const diff = diffSummaries(entries, summaries);
      if (summaries.length > 0 || entries.size > 0) complete = true;
      for (const summary of diff.put) entries.set(summary.id, structuredClone(summary));
      for (const id of diff.remove) entries.delete(id);
      return { added: diff.added, updated: diff.updated, removed: diff.removed, complete };
    },
  };
}
