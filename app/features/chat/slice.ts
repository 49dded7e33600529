import type { StateCreator } from "zustand";
import { EngineClientError } from "../../engine/errors";
import type { EngineErrorInfo } from "../../engine/protocol";
import { PromptTooLongError } from "../../prompt/budget";
import { StopFilter } from "../../prompt/stops";
import type { AppState, StoreDeps } from "../../shell/app-state";
import type { ChatMessage, ConversationSettings } from "../../storage/types";
import { newId } from "../../ui/ids";
import { buildEngineRequest } from "./engine-request";
import { defaultConversationSettings, settingsOf } from "./settings";

export interface ComposerDraft {
  text: string;
  /** CuteGPT's input field (the text an instruction works on). */
  input: string;
  showInput: boolean;
}

export interface ChatSlice {
  /** The reply being written now; one at a time, since there is one engine. */
  streaming: { conversationId: string; messageId: string } | undefined;
  /** Settings a new chat starts with (changed from the settings panel before the first send). */
  draftSettings: ConversationSettings;
  /** What the composer holds; presets fill it, sending clears it. */
  composer: ComposerDraft;
  setComposer(patch: Partial<ComposerDraft>): void;
  send(text: string, input?: string): Promise<void>;
  stop(): Promise<void>;
  /** Changes the active conversation's settings, or the draft when no chat is open. */
  updateSettings(settings: ConversationSettings): void;
}

export function createChatSlice(deps: StoreDeps): StateCreator<AppState, [], [], ChatSlice> {
  return (set, get) => ({
    streaming: undefined,
    draftSettings: defaultConversationSettings(),
    composer: { text: "", input: "", showInput: false },

    setComposer(patch) {
      set({ composer: { ...get().composer, ...patch } });
    },

    updateSettings(settings) {
      const { activeId, conversations } = get();
      if (activeId && conversations[activeId]) get().setConversationSettings(activeId, settings);
      else set({ draftSettings: settings });
    },

    async send(text, input) {
      if (!text.trim() || get().streaming) return;
      const modelId = get().selectedModelId;
      const userMessage: ChatMessage = {
        id: newId(),
        role: "user",
        content: text,
        createdAt: Date.now(),
        status: "done",
        ...(input?.trim() && { input }),
        ...(modelId !== undefined && { modelId }),
      };
      const conversationId = get().appendMessage(get().activeId, userMessage, get().draftSettings);
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
        const entry = get().catalog.find((m) => m.id === get().loadedModelId);
        if (!conversation || !entry) return;
        const history = conversation.messages.filter((m) => m.id !== reply.id);
        const request = await buildEngineRequest(
          history,
          settingsOf(conversation),
          { cutegpt: entry.family === "cutegpt", contextWindow: entry.contextWindow },
          async (t) => (await deps.engine.countTokens([t]))[0] ?? 0,
        );
        const filter = request.cutegpt ? new StopFilter() : undefined;
        let written = "";
        let stoppedByModel = false;
        const usage = await deps.engine.chat(request.input, request.options, (delta) => {
          if (stoppedByModel) return;
          let shown = delta;
          if (filter) {
            const result = filter.push(delta);
            shown = result.text;
            // The model began a new turn or emitted a stop token: end the reply here.
            if (result.stopped) {
              stoppedByModel = true;
              void deps.engine.stop();
            }
          }
          if (!shown) return;
          written += shown;
          get().updateMessage(conversationId, reply.id, { content: written });
        });
        if (filter && !stoppedByModel) written += filter.flush();
        const aborted = usage.finishReason === "abort" && !stoppedByModel;
        get().updateMessage(conversationId, reply.id, {
          content: written,
          status: aborted ? "stopped" : "done",
          usage: stoppedByModel ? { ...usage, finishReason: "stop" } : usage,
        });
      } catch (error) {
        const info = toErrorInfo(error);
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

function toErrorInfo(error: unknown): EngineErrorInfo {
  if (error instanceof EngineClientError) return { code: error.code, message: error.message };
  // The budget refuses a message that cannot fit before the engine ever sees it, so no
  // request fails with the engine's raw "context window exceeded".
  if (error instanceof PromptTooLongError) {
    return { code: "context-window-exceeded", message: error.message };
  }
  return { code: "unknown", message: error instanceof Error ? error.message : String(error) };
}
