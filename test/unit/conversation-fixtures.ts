import type { ChatMessage, Conversation } from "../../app/storage/types";

/** A finished message; ids starting with "u" are the user's, the rest the assistant's. */
export const message = (id: string, createdAt: number, content = `text of ${id}`): ChatMessage => ({
  id,
  role: id.startsWith("u") ? "user" : "assistant",
  content,
  createdAt,
  status: "done",
});

/** Chat `n` was last written at minute n: the highest n is the newest. */
export const chat = (n: number, extra: Partial<Conversation> = {}): Conversation => ({
  id: `c${n}`,
  title: `Chat ${n}`,
  createdAt: n * 60_000,
  updatedAt: n * 60_000 + 2_000,
  messages: [message(`u${n}`, n * 60_000 + 1_000), message(`a${n}`, n * 60_000 + 2_000)],
  ...extra,
});
