import type { StateCreator } from "zustand";
import { EngineClientError } from "../../engine/errors";
import type { ChatInput, ChatTurn, EngineErrorInfo } from "../../engine/protocol";
import type { AppState, StoreDeps } from "../../shell/app-state";
import type { ChatMessage, Conversation } from "../../storage/types";
import { newId } from "../../ui/ids";

export interface ChatSlice {
  /** The reply being written now; one at a time, since there is one engine. */
  streaming: { conversationId: string; messageId: string } | undefined;
  send(text: string): Promise<void>;
  stop(): Promise<void>;
}

export function createChatSlice(deps: StoreDeps): StateCreator<AppState, [], [], ChatSlice> {
  return (set, get) => ({
    streaming: undefined,

    async send(text) {
      const content = text.trim();
      if (!content || get().streaming) return;
      const modelId = get().selectedModelId;
      const userMessage: ChatMessage = {
        id: newId(),
        role: "user",
        content: text,
        createdAt: Date.now(),
        status: "done",
        ...(modelId !== undefined && { modelId }),
      };
      const conversationId = get().appendMessage(get().activeId, userMessage);
      const reply: ChatMessage = {
        id: newId(),
        role: "assistant",
        content: "",
        createdAt: Date.now(),
        status: "streaming",
        ...(modelId !== undefined && { modelId }),
      };
      get().appendMessage(conversationId, reply);
      set({ streaming: { conversationId, messageId: reply.id } });

      try {
        // After a crash or on first use the model is (re)loaded here; the weights come from
        // the browser cache, so this is the "restart" the user sees as a short load.
        if (!(await get().loadModel())) {
          const error = get().loadError ?? {
            code: "not-loaded" as const,
            message: "Pick a model and load it before sending a message.",
          };
          get().updateMessage(conversationId, reply.id, { status: "error", error });
          return;
        }
        const conversation = get().conversations[conversationId];
        if (!conversation) return;
        let written = "";
        const usage = await deps.engine.chat(inputFor(conversation, reply.id), {}, (delta) => {
          written += delta;
          get().updateMessage(conversationId, reply.id, { content: written });
        });
        get().updateMessage(conversationId, reply.id, {
          status: usage.finishReason === "abort" ? "stopped" : "done",
          usage,
        });
      } catch (error) {
        const info: EngineErrorInfo =
          error instanceof EngineClientError
            ? { code: error.code, message: error.message }
            : { code: "unknown", message: String(error) };
        const lost = info.code === "worker-crashed" || info.code === "device-lost";
        if (lost) get().markModelLost(info);
        get().updateMessage(conversationId, reply.id, {
          status: lost ? "interrupted" : "error",
          error: info,
        });
      } finally {
        set({ streaming: undefined });
        await get().flushSaves();
      }
    },

    async stop() {
      if (!get().streaming) return;
      await deps.engine.stop().catch(() => undefined);
    },
  });
}

/** The conversation as chat messages for the engine, up to (not including) the new reply. */
function inputFor(conversation: Conversation, replyId: string): ChatInput {
  const messages: ChatTurn[] = [];
  for (const m of conversation.messages) {
    if (m.id === replyId) break;
    // A failed reply carries no text the model wrote; dropping it with its question keeps
    // user and assistant turns alternating, which chat templates require.
    if (m.role === "assistant" && (m.status === "error" || m.content === "")) {
      if (messages.at(-1)?.role === "user") messages.pop();
      continue;
    }
    messages.push({ role: m.role, content: m.content });
  }
  return { kind: "messages", messages };
}
