import type { ChatUsage, EngineErrorCode } from "../engine/protocol";
import type { DecodingSettings } from "../prompt/decoding";

/**
 * - `streaming`: being written now; on load it can only mean the tab closed mid-reply.
 * - `stopped`: the user pressed Stop. `interrupted`: the tab or worker died mid-reply.
 * - `error`: the engine failed; `error` holds what the user was told.
 */
export type MessageStatus = "done" | "streaming" | "stopped" | "interrupted" | "error";

export interface ChatMessage {
  id: string;
  role: "user" | "assistant";
  content: string;
  /** CuteGPT's optional input field, sent as "问：{content}\n{input}\n答：". */
  input?: string;
  createdAt: number;
  status: MessageStatus;
  modelId?: string;
  usage?: ChatUsage;
  error?: { code: EngineErrorCode; message: string };
}

export interface Conversation {
  id: string;
  title: string;
  createdAt: number;
  updatedAt: number;
  /**
   * When the title, pin or settings last changed (`updatedAt` also moves with every message
   * and streamed token). Merges take those fields from the copy that changed them last
   * (storage/cross-tab.ts). Absent on records written before it existed.
   */
  fieldsUpdatedAt?: number;
  modelId?: string;
  /** Pinned chats stay at the top of the list. */
  pinned?: boolean;
  /**
   * Ids of messages the user removed (delete, edit and resend, regenerate). Saves and other
   * tabs merge copies by message id; a merge must not bring these back.
   */
  removedMessageIds?: string[];
  settings?: ConversationSettings;
  messages: ChatMessage[];
}

/** Per-conversation generation settings, saved with the conversation. */
export interface ConversationSettings {
  /** The meta prompt CuteGPT's prompts start with. */
  metaPrompt: string;
  /** How many past question/answer pairs the prompt carries (the seed's memory_limit). */
  historyLimit: number;
  /**
   * CuteGPT only: "training" (absent = the default) sends the layout the model was trained on
   * through the chat API, which reuses the KV cache across turns; "reference" sends the
   * reference scripts' prompt as one string, re-read in full every turn, with `historyLimit`.
   */
  promptLayout?: PromptLayout;
  decoding: DecodingSettings;
}

export type PromptLayout = "training" | "reference";

/**
 * What the sidebar needs of one conversation. Summaries live in their own small store so the
 * list can be shown without reading every message; they are a cache derived from the
 * conversation records, which stay the truth (see repository.ts).
 */
export interface ConversationSummary {
  id: string;
  title: string;
  pinned: boolean;
  createdAt: number;
  updatedAt: number;
  /** When the last message was written (the conversation's createdAt if it has none). */
  lastActivity: number;
  messageCount: number;
}

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
   * Writes the conversation (merged with the stored copy), then its summary; writes nothing
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
