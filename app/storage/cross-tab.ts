import type { z } from "zod/mini";
import { mergeLines, mergePlain, sameLines } from "./branch-merge";
import { hasVersions, removeMessages } from "./branches";
import { isConversation } from "./conversation-shape";
import { crossTabMessageSchema, matches } from "./schemas";
import { isTombstone } from "./tombstones";
import type { ChatMessage, Conversation } from "./types";

/**
 * Several tabs of the app share one IndexedDB. Each tab keeps its conversations in memory and
 * writes whole records, so without care the last writer wins and a tab holding a stale copy
 * erases messages another tab added, or brings back a conversation another tab deleted. Three
 * rules prevent that:
 *
 * 1. Every write merges with what is stored, in one transaction (see idb-conversations.ts):
 *    messages are united by id, so a write can add or advance messages but never drop one.
 * 2. After a write or a delete, the tab announces the conversation's id on a BroadcastChannel;
 *    the other tabs re-read that record and merge it into memory the same way (or drop it
 *    when it is gone).
 * 3. Deleting leaves a tombstone in the record's place (tombstones.ts). A write that finds one
 *    is refused, unless it is an explicit restore (Undo, an import), so a copy another tab
 *    still holds cannot bring a deleted conversation back.
 *
 * The merges are pure functions so all the rules share them and unit tests can pin them down.
 */

export const CROSS_TAB_CHANNEL = "cutegpt-conversations";

/** A tab wrote or deleted this conversation; the others re-read it from IndexedDB. */
export type CrossTabMessage = z.infer<typeof crossTabMessageSchema>;

/** A reply that is still being written; every other status is where a reply ends. */
const OPEN = new Set<ChatMessage["status"]>(["streaming", "interrupted"]);

/**
 * Which copy of one message is further along. A finished copy (done, stopped, error) beats an
 * open one: only the tab writing a reply finishes it. The exception is a reply reopened by
 * Continue: it grows from its own finished text, so an open copy that extends the finished
 * one is the newer (also when it was cut off, and in the last save before a tab closes).
 * Between two open copies, or two finished ones, the longer text wins: a reply only grows while
 * it is written, and "interrupted" is a guess another tab made at start-up that the writing
 * tab's newer text overrules. Ties keep `mine`, so merging a conversation with itself changes
 * nothing.
 */
export function newerMessage(mine: ChatMessage, theirs: ChatMessage): ChatMessage {
  const mineOpen = OPEN.has(mine.status);
  const theirsOpen = OPEN.has(theirs.status);
  if (mineOpen !== theirsOpen) {
    const [open, finished] = mineOpen ? [mine, theirs] : [theirs, mine];
    return continues(open, finished) ? open : finished;
  }
  return theirs.content.length > mine.content.length ? theirs : mine;
}

/** `open` is `finished` reopened and written further. */
function continues(open: ChatMessage, finished: ChatMessage): boolean {
  return open.content.length > finished.content.length && open.content.startsWith(finished.content);
}

/**
 * Unites two copies of the same conversation. No message of either copy is lost unless one
 * copy lists its id in `removedMessageIds` (the user deleted it, edited or regenerated it);
 * those tombstones are united too, so a removal is never undone by a copy that predates it.
 * Messages appear in the order they were created (ties keep `mine`'s order, then `theirs'`);
 * versions of a message (branches.ts) are merged the same way, each in its own line.
 * The conversation's own fields come from whichever copy changed them last (fieldsSource).
 * Returns `mine` itself when `theirs` adds nothing, so callers can skip needless writes and
 * renders.
 */
export function mergeConversations(mine: Conversation, theirs: Conversation): Conversation {
  const removed = new Set([...(mine.removedMessageIds ?? []), ...(theirs.removedMessageIds ?? [])]);
  let changed = removed.size !== (mine.removedMessageIds?.length ?? 0);
  const versioned = hasVersions(mine.messages) || hasVersions(theirs.messages);
  const messages = versioned
    ? mergeVersioned(mine, theirs, removed)
    : mergeUnversioned(mine.messages, theirs.messages, removed);
  // undefined: mine's messages as they are (the merge without versions says so itself).
  if (messages !== undefined && (!versioned || !sameLines(messages, mine.messages))) changed = true;

  const base = fieldsSource(mine, theirs);
  const branchesChangedAt = Math.max(mine.branchesChangedAt ?? 0, theirs.branchesChangedAt ?? 0);
  if (
    base !== mine ||
    theirs.updatedAt > mine.updatedAt ||
    theirs.createdAt < mine.createdAt ||
    branchesChangedAt > (mine.branchesChangedAt ?? 0)
  )
    changed = true;
  if (!changed) return mine;

  return {
    ...base,
    createdAt: Math.min(mine.createdAt, theirs.createdAt),
    updatedAt: Math.max(mine.updatedAt, theirs.updatedAt),
    ...(branchesChangedAt > 0 && { branchesChangedAt }),
    messages: messages ?? mine.messages,
    ...(removed.size > 0 && { removedMessageIds: [...removed] }),
  };
}

/** Two lines without versions united (branch-merge.ts); undefined: `mine` as it is. */
function mergeUnversioned(
  mine: ChatMessage[],
  theirs: ChatMessage[],
  removed: ReadonlySet<string>,
): ChatMessage[] | undefined {
  const { line, changed } = mergePlain(mine, theirs, newerMessage, removed);
  return changed ? line : undefined;
}

/**
 * Copies where a message has versions (Edit, Regenerate; storage/branches.ts): every version
 * of both is kept, matched by message id wherever it sits, so a tab that switched versions
 * never reads as one that deleted messages, and a stale copy's plain line does not bring an
 * older version back into the branch shown. The branch shown is the one chosen last.
 */
function mergeVersioned(
  mine: Conversation,
  theirs: Conversation,
  removed: ReadonlySet<string>,
): ChatMessage[] {
  const mineLeads = (mine.branchesChangedAt ?? 0) >= (theirs.branchesChangedAt ?? 0);
  return mergeLines(
    removeMessages(mine.messages, removed),
    removeMessages(theirs.messages, removed),
    mineLeads,
    newerMessage,
  );
}

/**
 * The copy whose title, pin, settings and model are the newer. Not the copy updated last:
 * `updatedAt` moves with every streamed token, so a tab writing a reply would undo a rename,
 * pin or settings change made meanwhile in another tab. `fieldsUpdatedAt` moves only when
 * those fields change. A copy that has it is newer in them than one without (written before
 * the stamp existed, its fields untouched since); between two copies without it, or a tie,
 * the one updated last decides as before, and a full tie keeps `mine`.
 */
function fieldsSource(mine: Conversation, theirs: Conversation): Conversation {
  const mineAt = mine.fieldsUpdatedAt ?? 0;
  const theirsAt = theirs.fieldsUpdatedAt ?? 0;
  if (mineAt !== theirsAt) return theirsAt > mineAt ? theirs : mine;
  return theirs.updatedAt > mine.updatedAt ? theirs : mine;
}

/**
 * What a save writes, given what is stored under the conversation's id (anything: a record, a
 * tombstone, nothing, or a damaged value), or undefined when the save must not write at all:
 * the conversation was deleted and this is not a restore. A restore over a tombstone writes the
 * conversation as given; over a record it merges like any save, so it never drops messages.
 */
export function mergeWithStored(
  conversation: Conversation,
  stored: unknown,
  { restore = false }: { restore?: boolean } = {},
): Conversation | undefined {
  if (isConversation(stored)) return mergeConversations(conversation, stored);
  if (isTombstone(stored) && !restore) return undefined;
  return conversation;
}

export interface CrossTabSync {
  /** Tells the other tabs that this tab wrote or deleted a conversation. */
  announce(message: CrossTabMessage): void;
  close(): void;
}

/**
 * Listens for other tabs' writes. Returns a no-op where BroadcastChannel is missing (very old
 * browsers, some test environments): each tab then still never erases another tab's messages
 * when it writes, it just learns of them at the next start.
 */
export function openCrossTabSync(
  onMessage: (message: CrossTabMessage) => void,
  channelName = CROSS_TAB_CHANNEL,
): CrossTabSync {
  if (typeof BroadcastChannel === "undefined")
    return { announce: () => undefined, close: () => undefined };
  const channel = new BroadcastChannel(channelName);
  channel.addEventListener("message", (event: MessageEvent<unknown>) => {
    const data = event.data;
    if (matches(crossTabMessageSchema, data)) onMessage(data);
  });
  return {
    announce: (message) => channel.postMessage(message),
    close: () => channel.close(),
  };
}
