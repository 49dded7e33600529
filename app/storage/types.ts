import type { ChatUsage, EngineErrorCode } from "../engine/protocol";

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
  messages: ChatMessage[];
}

/** Where conversations live; the app gets one passed in so tests can use memory instead. */
export interface ConversationRepository {
  loadAll(): Promise<{ conversations: Conversation[]; rejected: number }>;
  save(conversation: Conversation): Promise<void>;
  remove(id: string): Promise<void>;
}
