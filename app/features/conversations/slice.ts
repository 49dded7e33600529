import type { StateCreator } from "zustand";
import type { AppState, StoreDeps } from "../../shell/app-state";
import { markCutOffReplies } from "../../storage/conversation-shape";
import { mergeConversations } from "../../storage/cross-tab";
import { ThrottledSaver } from "../../storage/throttled-saver";
import type { ChatMessage, Conversation, ConversationSettings } from "../../storage/types";
import { newId } from "../../ui/ids";

export interface ConversationsSlice {
  conversations: Record<string, Conversation>;
  activeId: string | undefined;
  hydrated: boolean;
  /** Records in storage that could not be read; set aside, not deleted. */
  rejectedRecords: number;
  saveError: string | undefined;
  hydrate(): Promise<void>;
  newChat(): void;
  selectConversation(id: string): void;
  /** Creates the conversation if needed and appends a message; returns their ids. */
  appendMessage(
    conversationId: string | undefined,
    message: ChatMessage,
    settingsForNew?: ConversationSettings,
  ): string;
  setConversationSettings(id: string, settings: ConversationSettings): void;
  updateMessage(conversationId: string, messageId: string, patch: Partial<ChatMessage>): void;
  /** Writes whatever is waiting to be saved (end of a reply, page hide, retry). */
  flushSaves(): Promise<void>;
  /** Another tab saved this conversation: re-read it and merge in what this tab lacks. */
  syncFromStorage(id: string): Promise<void>;
}

const TITLE_LENGTH = 48;

export function createConversationsSlice(
  deps: StoreDeps,
): StateCreator<AppState, [], [], ConversationsSlice> {
  return (set, get) => {
    const saver = new ThrottledSaver<Conversation>(
      (c) => deps.repository.save(c),
      deps.saveIntervalMs,
      (error) =>
        set({
          saveError:
            "Your chats could not be saved (" +
            (error instanceof Error ? error.name : "storage error") +
            "). They stay open in this tab; free some disk space and they will be saved again.",
        }),
    );
    const persist = (conversation: Conversation, immediately: boolean) => {
      saver.schedule(conversation.id, conversation);
      if (immediately) void saver.flush().then(() => clearSaveErrorIfSaved());
    };
    const clearSaveErrorIfSaved = () => {
      if (saver.failed === undefined && get().saveError) set({ saveError: undefined });
    };

    return {
      conversations: {},
      activeId: undefined,
      hydrated: false,
      rejectedRecords: 0,
      saveError: undefined,

      async hydrate() {
        const { conversations, rejected } = await deps.repository.loadAll();
        const byId: Record<string, Conversation> = {};
        for (const stored of conversations) {
          const fixed = markCutOffReplies(stored);
          byId[fixed.id] = fixed;
          if (fixed !== stored) persist(fixed, true);
        }
        const newest = Object.values(byId).sort((a, b) => b.updatedAt - a.updatedAt)[0];
        set({
          conversations: { ...byId, ...get().conversations },
          activeId: get().activeId ?? newest?.id,
          hydrated: true,
          rejectedRecords: rejected,
        });
      },

      newChat() {
        set({ activeId: undefined });
      },

      selectConversation(id) {
        if (get().conversations[id]) set({ activeId: id });
      },

      appendMessage(conversationId, message, settingsForNew) {
        const now = Date.now();
        const existing = conversationId ? get().conversations[conversationId] : undefined;
        const conversation: Conversation = existing
          ? { ...existing, messages: [...existing.messages, message], updatedAt: now }
          : {
              id: conversationId ?? newId(),
              title: titleFrom(message.content),
              createdAt: now,
              updatedAt: now,
              messages: [message],
              ...(message.modelId !== undefined && { modelId: message.modelId }),
              ...(settingsForNew !== undefined && { settings: settingsForNew }),
            };
        set({
          conversations: { ...get().conversations, [conversation.id]: conversation },
          activeId: conversation.id,
        });
        persist(conversation, true);
        return conversation.id;
      },

      setConversationSettings(id, settings) {
        const existing = get().conversations[id];
        if (!existing) return;
        const conversation = { ...existing, settings };
        set({ conversations: { ...get().conversations, [id]: conversation } });
        persist(conversation, true);
      },

      updateMessage(conversationId, messageId, patch) {
        const existing = get().conversations[conversationId];
        if (!existing) return;
        const conversation: Conversation = {
          ...existing,
          updatedAt: Date.now(),
          messages: existing.messages.map((m) => (m.id === messageId ? { ...m, ...patch } : m)),
        };
        set({ conversations: { ...get().conversations, [conversationId]: conversation } });
        // Token-by-token updates are coalesced; a status change is written at once.
        persist(conversation, patch.status !== undefined && patch.status !== "streaming");
      },

      async flushSaves() {
        await saver.flush();
        clearSaveErrorIfSaved();
      },

      async syncFromStorage(id) {
        const stored = await deps.repository.load?.(id);
        if (!stored) return;
        const mine = get().conversations[id];
        const merged = mine ? mergeConversations(mine, stored) : stored;
        if (merged !== mine) set({ conversations: { ...get().conversations, [id]: merged } });
      },
    };
  };
}

function titleFrom(text: string): string {
  const line = text.trim().split("\n")[0] ?? "";
  const chars = Array.from(line);
  return chars.length > TITLE_LENGTH
    ? chars.slice(0, TITLE_LENGTH).join("") + "…"
    : line || "New chat";
}

export function sortedConversations(conversations: Record<string, Conversation>): Conversation[] {
  return Object.values(conversations).sort((a, b) => b.updatedAt - a.updatedAt);
}
