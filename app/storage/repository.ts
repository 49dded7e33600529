import { memoryConversationRecords, type ConversationRecords } from "./idb-conversations";
import { summarize } from "./summaries";
import { memorySummaryStore, type SummaryStore } from "./summary-store";
import type { Conversation, ConversationRepository } from "./types";

/**
 * Conversations as records (every message; the truth) and a summary per conversation (what
 * the sidebar lists; a cache that lets the app show the list without reading every message
 * first), paired from two separate stores: the in-memory repository of unit tests, which can
 * hand in a summary store in any state. The app's IndexedDB repository (idb-conversations.ts)
 * writes both in one transaction instead.
 *
 * Invariant: a summary is written after its record, never before, so a summary can lag its
 * record (a summary write that failed, an older app version that writes records only) but
 * never describes a conversation that was not stored. Lagging summaries are repaired by
 * `rebuildSummaries` once the app has read every record. A summary write that fails is
 * therefore not an error the user must hear about: the record, which matters, is written,
 * and the summary is put right at the next start.
 *
 * `onChanged` runs after both writes, so another tab that re-reads finds them (cross-tab.ts).
 * A save refused because the conversation was deleted writes nothing, so it announces nothing.
 */
export function conversationRepository(
  records: ConversationRecords,
  summaries: SummaryStore,
  onChanged: (id: string) => void = () => undefined,
): ConversationRepository {
  // Set when a rebuild found no conversations at all and so wrote nothing: the first summary
  // written then also marks the store complete (it describes every record there is).
  let markWithNextSummary = false;
  return {
    loadSummaries: () => summaries.load(),
    loadAll: () => records.loadAll(),
    load: (id) => records.load(id),
    async save(conversation, options) {
      const stored = await records.save(conversation, options);
      if (!stored) return "deleted";
      const mark = markWithNextSummary;
      await summaries.put(summarize(stored), mark).then(
        () => {
          if (mark) markWithNextSummary = false;
        },
        () => undefined,
      );
      onChanged(conversation.id);
      return "saved";
    },
    async remove(id) {
      await records.remove(id);
      await summaries.remove(id).catch(() => undefined);
      onChanged(id);
    },
    async rebuildSummaries(conversations) {
      const repair = await summaries.replaceAll(conversations.map(summarize));
      markWithNextSummary = !repair.complete;
      return repair;
    },
  };
}

/**
 * An in-memory repository for unit tests: records given, summaries built as the app would
 * (unless `summaries` hands in a store in some other state: missing, stale, half written).
 */
export function memoryConversationRepository(
  initial: Conversation[] = [],
  summaries: SummaryStore = memorySummaryStore({
    entries: initial.map((c) => [c.id, summarize(c)]),
    complete: true,
  }),
): ConversationRepository {
  return conversationRepository(memoryConversationRecords(initial), summaries);
}
