import type { z } from "zod/mini";
import type {
  conversationSchema,
  conversationSettingsSchema,
  messageSchema,
  messageStatusSchema,
  promptLayoutSchema,
  summarySchema,
} from "./schemas";

/**
 * The stored types are derived from their schemas (schemas.ts), which every read checks.
 *
 * MessageStatus: `streaming`: being written now; on load it can only mean the tab closed
 * mid-reply. `stopped`: the user pressed Stop. `interrupted`: the tab or worker died mid-reply.
 * `error`: the engine failed; `error` holds what the user was told.
 */
export type MessageStatus = z.infer<typeof messageStatusSchema>;
export type ChatMessage = z.infer<typeof messageSchema>;
export type Conversation = z.infer<typeof conversationSchema>;
export type ConversationSettings = z.infer<typeof conversationSettingsSchema>;
export type PromptLayout = z.infer<typeof promptLayoutSchema>;
export type ConversationSummary = z.infer<typeof summarySchema>;

/** What the summary store holds when the app starts. */
export interface StoredSummaries {
  summaries: ConversationSummary[];
  /**
   * False until summaries were built from every record once (older app versions kept none):
   * until then an empty or short list does not mean there are no more conversations.
   */
  complete: boolean;
}

/** What a rebuild of the summaries changed; all zero when they matched the records. */
export interface SummaryRepair {
  added: number;
  updated: number;
  removed: number;
}

export interface SaveOptions {
  /**
   * The user brings back a deleted conversation on purpose (Undo, an import): the save replaces
   * its tombstone. Without it a save of a deleted conversation writes nothing.
   */
  restore?: boolean;
}

/** `deleted`: nothing was written, the conversation was deleted (in this tab or another). */
export type SaveOutcome = "saved" | "deleted";

/** Where conversations live; the app gets one passed in so tests can use memory instead. */
export interface ConversationRepository {
  /** Every conversation's summary: fast, but possibly stale or incomplete (a cache). */
  loadSummaries(): Promise<StoredSummaries>;
  loadAll(): Promise<{ conversations: Conversation[]; rejected: number }>;
  /** One conversation as stored now (another tab may have written it); undefined if absent or unreadable. */
  load(id: string): Promise<Conversation | undefined>;
  /**
   * Writes the conversation (merged with the stored copy) and its summary; writes nothing
   * if it was deleted, unless `restore` says the user brings it back.
   */
  save(conversation: Conversation, options?: SaveOptions): Promise<SaveOutcome>;
  /** Deletes the conversation, leaving a tombstone that refuses later saves of it. */
  remove(id: string): Promise<void>;
  /**
   * Makes the summaries describe exactly these conversations (every record, read in full):
   * adds missing ones, corrects stale ones, drops orphans, and marks the summaries complete.
   */
  rebuildSummaries(conversations: Conversation[]): Promise<SummaryRepair>;
}
