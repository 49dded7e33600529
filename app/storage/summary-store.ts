import { diffSummaries, isSummary } from "./summaries";
import type { ConversationSummary, StoredSummaries, SummaryRepair } from "./types";

/**
 * Stored next to the summaries once they were built from every record. An array key sorts
 * after every string in IndexedDB and can never equal a conversation id (always a string).
 */
export const COMPLETE_KEY: IDBValidKey = ["complete"];
/** Bumped when the summary shape changes, so an app update rebuilds them on its first start. */
export const SUMMARY_FORMAT = 1;

/**
 * The summaries as the repository uses them (repository.ts); in IndexedDB they are a store
 * of the chat database (chat-database.ts) and idb-conversations.ts writes them there.
 */
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
  return [...summaries.map((s): [IDBValidKey, unknown] => [s.id, s]), completeMark()];
}

/** The entry that marks the summaries complete. */
export function completeMark(): [IDBValidKey, unknown] {
  return [COMPLETE_KEY, { format: SUMMARY_FORMAT }];
}

/**
 * What a summary store's keys and values say: the entries keyed by a string (summaries, or
 * damaged values in their place; the mark is not one) and whether the mark is there.
 */
export function readSummaryEntries(
  keys: readonly IDBValidKey[],
  values: readonly unknown[],
): { byId: Map<string, unknown>; complete: boolean } {
  const byId = new Map<string, unknown>();
  let complete = false;
  keys.forEach((key, i) => {
    if (typeof key === "string") byId.set(key, values[i]);
    else if (indexedDB.cmp(key, COMPLETE_KEY) === 0) complete = isCompleteMark(values[i]);
  });
  return { byId, complete };
}

/** The readable summaries among the entries. */
export function validSummaries(byId: ReadonlyMap<string, unknown>): ConversationSummary[] {
  const summaries: ConversationSummary[] = [];
  for (const value of byId.values()) if (isSummary(value)) summaries.push(value);
  return summaries;
}

function isCompleteMark(value: unknown): boolean {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as { format?: unknown }).format === SUMMARY_FORMAT
  );
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
