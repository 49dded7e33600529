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
  decoding: DecodingSettings;
}

/** Where conversations live; the app gets one passed in so tests can use memory instead. */
export interface ConversationRepository {
  loadAll(): Promise<{ conversations: Conversation[]; rejected: number }>;
  /** One conversation as stored now (another tab may have written it); undefined if absent or unreadable. */
  load?(id: string): Promise<Conversation | undefined>;
  save(conversation: Conversation): Promise<void>;
  remove(id: string): Promise<void>;
}
