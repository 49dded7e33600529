import { z } from "zod/mini";
import { versionsWithinDepth } from "../../storage/branches";
import { markCutOffReplies } from "../../storage/conversation-shape";
import {
  conversationSchema as storedConversationSchema,
  messageSchema,
} from "../../storage/schemas";
import type { Conversation } from "../../storage/types";

/**
 * The export file, version 1 (documented in README.md, "Export file format"):
 *
 *   { "format": "cutegpt-web-conversations", "version": 1, "exportedAt": ISO-8601 string,
 *     "conversations": [Conversation, …] }
 *
 * A Conversation is exactly what the app stores (storage/types.ts). Ids are kept so that
 * importing a file twice, or into the browser it came from, merges instead of duplicating.
 * A new version number is for changes an older app could misread; adding optional fields
 * keeps version 1.
 */
export const EXPORT_FORMAT = "cutegpt-web-conversations";
export const EXPORT_VERSION = 1;
/** Larger files are refused before parsing. */
export const MAX_IMPORT_BYTES = 100 * 1024 * 1024;

export interface ExportFile {
  format: typeof EXPORT_FORMAT;
  version: typeof EXPORT_VERSION;
  exportedAt: string;
  conversations: Conversation[];
}

export function toExportFile(conversations: Conversation[], now = new Date()): ExportFile {
  return {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    exportedAt: now.toISOString(),
    conversations,
  };
}

/**
 * The stored conversation's schema (storage/schemas.ts), with the limits an imported file
 * must also keep: ids the app could have made, titles of a sane length.
 */
const importedId = z.string().check(z.minLength(1), z.maxLength(200));
const conversationSchema = z.extend(storedConversationSchema, {
  id: importedId,
  title: z.string().check(z.maxLength(1000)),
  messages: z.array(z.extend(messageSchema, { id: importedId })),
});

const fileSchema = z.object({
  format: z.literal(EXPORT_FORMAT),
  version: z.int(),
  exportedAt: z.optional(z.string()),
  conversations: z.array(conversationSchema).check(z.maxLength(100_000)),
});

export type ParseResult =
  | { ok: true; conversations: Conversation[] }
  | { ok: false; reason: "not-json" }
  | { ok: false; reason: "too-large" }
  | { ok: false; reason: "newer-version"; version: number }
  | { ok: false; reason: "wrong-shape"; detail: string };

/** Checks a file's text against the format; nothing is imported unless all of it is valid. */
export function parseExport(text: string): ParseResult {
  if (text.length > MAX_IMPORT_BYTES) return { ok: false, reason: "too-large" };
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return { ok: false, reason: "not-json" };
  }
  const header = z
    .object({ format: z.literal(EXPORT_FORMAT), version: z.number() })
    .safeParse(data);
  if (header.success && header.data.version > EXPORT_VERSION) {
    return { ok: false, reason: "newer-version", version: header.data.version };
  }
  // Versions nest (storage/branches.ts): too deep a file is refused before the recursive
  // check could overflow the stack.
  const listed = (data as { conversations?: unknown } | null)?.conversations;
  if (
    Array.isArray(listed) &&
    !listed.every((c) => versionsWithinDepth((c as { messages?: unknown } | null)?.messages))
  ) {
    return { ok: false, reason: "wrong-shape", detail: "messages: versions nest too deep" };
  }
  const parsed = fileSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? issue.path.join(".") : "file";
    return { ok: false, reason: "wrong-shape", detail: `${where}: ${issue?.message ?? "invalid"}` };
  }
  const seen = new Set<string>();
  const conversations: Conversation[] = [];
  for (const raw of parsed.data.conversations) {
    // The same conversation twice in one file: keep the first.
    if (seen.has(raw.id)) continue;
    seen.add(raw.id);
    conversations.push(markCutOffReplies(raw));
  }
  return { ok: true, conversations };
}
