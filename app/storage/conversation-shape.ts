import { versionsWithinDepth } from "./branches";
import { conversationSchema, matches } from "./schemas";
import type { Conversation } from "./types";

/**
 * Stored records come from older versions of the app or another tab, so each one is checked
 * against the conversation's schema before the UI trusts it; a record that fails is set aside
 * rather than crashing the app (also one whose versions nest too deep to check).
 */
export function isConversation(value: unknown): value is Conversation {
  return (
    versionsWithinDepth((value as { messages?: unknown } | null)?.messages) &&
    matches(conversationSchema, value)
  );
}

/** A reply still marked as streaming when the app starts was cut off by a closed tab. */
export function markCutOffReplies(conversation: Conversation): Conversation {
  if (!conversation.messages.some((m) => m.status === "streaming")) return conversation;
  return {
    ...conversation,
    messages: conversation.messages.map((m) =>
      m.status === "streaming" ? { ...m, status: "interrupted" } : m,
    ),
  };
}
