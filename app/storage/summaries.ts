import { lastMessageTime } from "./branches";
import { matches, summarySchema } from "./schemas";
import type { Conversation, ConversationSummary, SummaryRepair } from "./types";

/** The summary of a conversation: a pure function of the record, so it can always be rebuilt. */
export function summarize(conversation: Conversation): ConversationSummary {
  return {
    id: conversation.id,
    title: conversation.title,
    pinned: conversation.pinned === true,
    createdAt: conversation.createdAt,
    updatedAt: conversation.updatedAt,
    lastActivity: lastMessageTime(conversation.messages) ?? conversation.createdAt,
    messageCount: conversation.messages.length,
  };
}

/** Stored summaries come from other app versions and tabs, so each is checked like a record. */
export function isSummary(value: unknown): value is ConversationSummary {
  return matches(summarySchema, value);
}

/** Whether the sidebar would show the two the same (updatedAt moves with every streamed token). */
export function sameListing(a: ConversationSummary, b: ConversationSummary): boolean {
  return (
    a.id === b.id &&
    a.title === b.title &&
    a.pinned === b.pinned &&
    a.createdAt === b.createdAt &&
    a.lastActivity === b.lastActivity &&
    a.messageCount === b.messageCount
  );
}

export function sameSummary(a: ConversationSummary, b: ConversationSummary): boolean {
  return sameListing(a, b) && a.updatedAt === b.updatedAt;
}

export interface SummaryDiff extends SummaryRepair {
  put: ConversationSummary[];
  remove: string[];
}

/**
 * What turns the stored summaries into the wanted ones: puts for missing and stale entries,
 * removals for orphans (a summary whose conversation is gone or unreadable). Stored entries
 * that are not valid summaries are orphans too, unless a wanted summary replaces them.
 */
export function diffSummaries(
  stored: ReadonlyMap<string, unknown>,
  wanted: readonly ConversationSummary[],
): SummaryDiff {
  const diff: SummaryDiff = { put: [], remove: [], added: 0, updated: 0, removed: 0 };
  const wantedIds = new Set<string>();
  for (const summary of wanted) {
    wantedIds.add(summary.id);
    const old = stored.get(summary.id);
    if (old === undefined) diff.added += 1;
    else if (!isSummary(old) || !sameSummary(old, summary)) diff.updated += 1;
    else continue;
    diff.put.push(summary);
  }
  for (const id of stored.keys()) {
    if (wantedIds.has(id)) continue;
    diff.remove.push(id);
    diff.removed += 1;
  }
  return diff;
}
