import type { z } from "zod/mini";
import { matches, tombstoneSchema } from "./schemas";

/**
 * What a deleted conversation leaves behind. Deleting a conversation replaces its record with a
 * tombstone under the same key, in one write, so there is never a moment when the record is
 * gone but the tombstone is not there yet. Saves merge with what is stored (cross-tab.ts), and a
 * tab still holding a copy of the conversation (an unsaved edit, a reply streaming, a write the
 * throttle held back) would otherwise find nothing stored and write the whole conversation
 * again. With a tombstone there such a save is refused; only an explicit restore (Undo, an
 * import) replaces it with the conversation again.
 *
 * A tombstone is never a valid conversation (it has no messages), so an older app version that
 * knows nothing of tombstones reads it as an unreadable record, not as a chat.
 */
export type ConversationTombstone = z.infer<typeof tombstoneSchema>;

/**
 * How long a tombstone is kept. It only has to outlive copies of the conversation that other
 * tabs still hold, which are written within seconds (or, after a failed write, on the next
 * retry); a month leaves room for a laptop that slept with a tab open, and keeps the store
 * from collecting one entry per chat ever deleted.
 */
export const TOMBSTONE_TTL_MS = 30 * 24 * 60 * 60 * 1000;

export function tombstoneFor(id: string, deletedAt: number): ConversationTombstone {
  return { kind: "deleted-conversation", id, deletedAt };
}

export function isTombstone(value: unknown): value is ConversationTombstone {
  return matches(tombstoneSchema, value);
}

/** Whether a tombstone is old enough to be dropped at `now`. */
export function isExpired(tombstone: ConversationTombstone, now: number): boolean {
  return now - tombstone.deletedAt >= TOMBSTONE_TTL_MS;
}
