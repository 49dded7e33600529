import type { Conversation } from "../../storage/types";

/**
 * Search across every chat's title and messages. Each conversation's text is lower-cased once
 * and kept while the conversation object lives (conversations are immutable, so a changed
 * chat is a new object and gets a new entry), so a keystroke is a substring scan only.
 */
const index = new WeakMap<Conversation, string>();

/** Separates messages in the index so a match never spans two of them. */
const SEPARATOR = "\u0000";

function textOf(conversation: Conversation): string {
  let text = index.get(conversation);
  if (text === undefined) {
    text = [conversation.title, ...conversation.messages.map((m) => m.content)]
      .join(SEPARATOR)
      .toLowerCase();
    index.set(conversation, text);
  }
  return text;
}

export interface SearchHit {
  conversation: Conversation;
  /** Text around the first match in a message; undefined when only the title matched. */
  snippet: string | undefined;
}

export function searchConversations(
  conversations: readonly Conversation[],
  query: string,
  limit = 200,
): SearchHit[] {
  const needle = query.trim().toLowerCase();
  if (!needle) return [];
  const hits: SearchHit[] = [];
  for (const conversation of conversations) {
    const text = textOf(conversation);
    const at = text.indexOf(needle);
    if (at === -1) continue;
    hits.push({ conversation, snippet: snippetAt(text, at, needle.length, conversation) });
    if (hits.length >= limit) break;
  }
  return hits;
}

function snippetAt(
  text: string,
  at: number,
  length: number,
  conversation: Conversation,
): string | undefined {
  const titleEnd = conversation.title.length;
  if (at < titleEnd) return undefined;
  // Map the index position back to the message and cut the original (not lower-cased) text.
  let offset = titleEnd + 1;
  for (const m of conversation.messages) {
    const end = offset + m.content.length;
    if (at < end) {
      const local = at - offset;
      const from = Math.max(0, local - 30);
      const to = Math.min(m.content.length, local + length + 50);
      return (
        (from > 0 ? "…" : "") +
        m.content.slice(from, to).replace(/\s+/g, " ") +
        (to < m.content.length ? "…" : "")
      );
    }
    offset = end + 1;
  }
  return text.slice(at, at + length + 50);
}
