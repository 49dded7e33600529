import { createStore, useStore } from "zustand";
import { allMessageIds, removeMessages, renameMessages } from "../../storage/branches";
import type { ChatMessage } from "../../storage/types";
import { newId } from "../../ui/ids";

/**
 * What Delete on a message removes: a reply alone, or a question together with the replies
 * that answer it (up to the next question), so no answer is left without its question.
 */
export function messagesToRemove(messages: ChatMessage[], id: string): Set<string> {
  const index = messages.findIndex((m) => m.id === id);
  const target = messages[index];
  if (!target) return new Set();
  const ids = new Set([id]);
  if (target.role === "user") {
    for (const m of messages.slice(index + 1)) {
      if (m.role === "user") break;
      ids.add(m.id);
    }
  }
  return ids;
}

export interface RemovedMessage {
  message: ChatMessage;
  /** Where it stood in the conversation. */
  index: number;
}

/**
 * Puts removed messages back where they were. They come back under new ids: the old ids are
 * tombstones now (removedMessageIds), which saves and other tabs honour, so reusing them
 * would lose the restored messages at the next merge.
 */
export function restoreRemoved(current: ChatMessage[], removed: RemovedMessage[]): ChatMessage[] {
  const result = [...current];
  for (const { message, index } of [...removed].sort((a, b) => a.index - b.index)) {
    result.splice(Math.min(index, result.length), 0, { ...message, id: newId() });
  }
  return result;
}

/**
 * A deletion as it happened: the messages removed (without their versions, which stay in the
 * conversation: storage/branches.ts), and the line of messages before and right after it.
 */
export interface Removal {
  removed: RemovedMessage[];
  before: ChatMessage[];
  after: ChatMessage[];
}

/**
 * What Delete on message `id` leaves, and what its Undo needs. A question's answers go with
 * every version Regenerate left of them (no answer stays without its question); a question's
 * own versions (Edit) stay, as does a reply's when it is deleted alone: the next version shows.
 */
export function removeMessage(messages: ChatMessage[], id: string): Removal {
  const ids = messagesToRemove(messages, id);
  if (messages.find((m) => m.id === id)?.role === "user") {
    for (const m of messages) {
      if (m.role === "assistant" && ids.has(m.id)) allMessageIds(m.alternatives?.flat() ?? [], ids);
    }
  }
  const removed = messages.flatMap((m, index) => {
    if (!ids.has(m.id)) return [];
    const { alternatives: _versions, ...message } = m;
    return [{ message, index }];
  });
  return { removed, before: messages, after: removeMessages(messages, ids) };
}

/**
 * Undo of a removal: while the conversation is still as the removal left it, exactly as it
 * was before, versions and all (the removed messages under new ids, see restoreRemoved);
 * after other changes, the removed messages put back where they stood.
 */
export function undoRemoval(current: ChatMessage[], removal: Removal): ChatMessage[] {
  if (current !== removal.after) return restoreRemoved(current, removal.removed);
  const kept = allMessageIds(removal.after);
  const renamed = new Map(
    [...allMessageIds(removal.before)].filter((id) => !kept.has(id)).map((id) => [id, newId()]),
  );
  return renameMessages(removal.before, renamed);
}

interface PendingUndo extends Removal {
  conversationId: string;
}

/** The last message deletion, while its Undo is offered (UI state; never saved). */
export const messageUndoStore = createStore<{ pending: PendingUndo | undefined }>(() => ({
  pending: undefined,
}));

export function useMessageUndo(): PendingUndo | undefined {
  return useStore(messageUndoStore, (s) => s.pending);
}
