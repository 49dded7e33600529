import type { ChatMessage, Conversation } from "./types";

const STATUSES = new Set(["done", "streaming", "stopped", "interrupted", "error"]);

/**
 * Stored records come from older versions of the app or another tab, so each one is checked
 * before the UI trusts it; a record that fails is set aside rather than crashing the app.
 */
export function isConversation(value: unknown): value is Conversation {
  if (!isRecord(value)) return false;
  return (
    typeof value.id === "string" &&
    typeof value.title === "string" &&
    typeof value.createdAt === "number" &&
    typeof value.updatedAt === "number" &&
    Array.isArray(value.messages) &&
    value.messages.every(isMessage)
  );
}

function isMessage(value: unknown): value is ChatMessage {
  if (!isRecord(value)) return false;
  return (
    typeof value.id === "string" &&
    (value.role === "user" || value.role === "assistant") &&
    typeof value.content === "string" &&
    typeof value.createdAt === "number" &&
    typeof value.status === "string" &&
    STATUSES.has(value.status)
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
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
