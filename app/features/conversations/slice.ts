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
  /** IndexedDB writes not finished yet (a closing tab may lose them). */
  writesInFlight: number;
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
  /** Adds a whole conversation (a continued shared chat, an import) and opens it. */
  addConversation(conversation: Conversation): void;
  updateMessage(conversationId: string, messageId: string, patch: Partial<ChatMessage>): void;
  /** Writes whatever is waiting to be saved (end of a reply, page hide, retry). */
  flushSaves(): Promise<void>;
  /** Another tab saved this conversation: re-read it and merge in what this tab lacks. */
  syncFromStorage(id: string): Promise<void>;
  /** Sets a conversation's whole message list (regenerate swaps its last reply). */
  replaceMessages(conversationId: string, messages: ChatMessage[]): void;
  /**
   * Gives a question new text and drops every message after it; false if there is no such
   * question. Editing replaces instead of branching: a conversation is one line of messages
   * everywhere (storage, the CuteGPT prompt builder with its 3-pair history window, export,
   * share links), so a branch would need a tree in all of them and a way to move between
   * branches in the UI. A local model makes asking again cheap, and Copy or export keeps a
   * reply worth keeping.
   */
  editMessageAndTruncate(conversationId: string, messageId: string, text: string): boolean;
  deleteMessage(conversationId: string, messageId: string): void;
  renameConversation(id: string, title: string): void;
  togglePin(id: string): void;
  /** Deletes at once; `undoDelete` brings the conversation back while the notice shows. */
  deleteConversation(id: string): void;
  /** The conversation deleted last, kept in memory so it can be restored. */
  recentlyDeleted: Conversation | undefined;
  undoDelete(): void;
  dismissUndo(): void;
  /** Adds or merges many conversations (import); counts what happened to them. */
  mergeImported(incoming: Conversation[]): MergeReport;
}

export interface MergeReport {
  added: number;
  merged: number;
  unchanged: number;
}

const TITLE_LENGTH = 48;

export function createConversationsSlice(
  deps: StoreDeps,
): StateCreator<AppState, [], [], ConversationsSlice> {
  return (set, get) => {
    // Counts writes in flight, so the UI (and tests) can tell when everything is on disk.
    const track = <T>(write: Promise<T>): Promise<T> => {
      set({ writesInFlight: get().writesInFlight + 1 });
      return write.finally(() => set({ writesInFlight: get().writesInFlight - 1 }));
    };
    const saver = new ThrottledSaver<Conversation>(
      (c) => track(deps.repository.save(c)),
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
      writesInFlight: 0,

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

      addConversation(conversation) {
        set({
          conversations: { ...get().conversations, [conversation.id]: conversation },
          activeId: conversation.id,
        });
        persist(conversation, true);
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

      replaceMessages(conversationId, messages) {
        const existing = get().conversations[conversationId];
        if (!existing) return;
        // Ids of dropped messages are kept as tombstones: saves merge with the stored copy
        // by message id (storage/cross-tab.ts), which would otherwise bring them back.
        const kept = new Set(messages.map((m) => m.id));
        const dropped = existing.messages.filter((m) => !kept.has(m.id)).map((m) => m.id);
        const conversation: Conversation = {
          ...existing,
          messages,
          updatedAt: Date.now(),
          ...(dropped.length > 0 && {
            removedMessageIds: [...(existing.removedMessageIds ?? []), ...dropped],
          }),
        };
        set({ conversations: { ...get().conversations, [conversationId]: conversation } });
        persist(conversation, true);
      },

      editMessageAndTruncate(conversationId, messageId, text) {
        const existing = get().conversations[conversationId];
        const index = existing?.messages.findIndex((m) => m.id === messageId) ?? -1;
        const message = existing?.messages[index];
        if (!existing || message?.role !== "user") return false;
        // A new id: the edited question is a new message, not a newer copy of the old one.
        const edited: ChatMessage = {
          ...message,
          id: newId(),
          content: text,
          createdAt: Date.now(),
        };
        get().replaceMessages(conversationId, [...existing.messages.slice(0, index), edited]);
        return true;
      },

      deleteMessage(conversationId, messageId) {
        const existing = get().conversations[conversationId];
        if (!existing || get().streaming?.messageId === messageId) return;
        get().replaceMessages(
          conversationId,
          existing.messages.filter((m) => m.id !== messageId),
        );
      },

      renameConversation(id, title) {
        const existing = get().conversations[id];
        const trimmed = title.trim();
        if (!existing || !trimmed || trimmed === existing.title) return;
        const conversation: Conversation = { ...existing, title: trimmed, updatedAt: Date.now() };
        set({ conversations: { ...get().conversations, [id]: conversation } });
        persist(conversation, true);
      },

      togglePin(id) {
        const existing = get().conversations[id];
        if (!existing) return;
        const { pinned: _pinned, ...rest } = existing;
        const conversation: Conversation = existing.pinned
          ? { ...rest, updatedAt: Date.now() }
          : { ...rest, pinned: true, updatedAt: Date.now() };
        set({ conversations: { ...get().conversations, [id]: conversation } });
        persist(conversation, true);
      },

      recentlyDeleted: undefined,

      deleteConversation(id) {
        const existing = get().conversations[id];
        if (!existing || get().streaming?.conversationId === id) return;
        const { [id]: _removed, ...others } = get().conversations;
        set({
          conversations: others,
          recentlyDeleted: existing,
          activeId: get().activeId === id ? undefined : get().activeId,
        });
        // Removed from storage now, so a closed tab does not bring it back; undo saves it again.
        // Again after pending saves of it, so a throttled write cannot bring it back.
        const remove = () => deps.repository.remove(id).catch(() => undefined);
        void track(
          remove()
            .then(() => saver.flush())
            .then(() => (get().conversations[id] ? undefined : remove())),
        );
      },

      undoDelete() {
        const deleted = get().recentlyDeleted;
        if (!deleted) return;
        set({
          conversations: { ...get().conversations, [deleted.id]: deleted },
          recentlyDeleted: undefined,
          activeId: deleted.id,
        });
        persist(deleted, true);
      },

      dismissUndo() {
        set({ recentlyDeleted: undefined });
      },

      mergeImported(incoming) {
        const report: MergeReport = { added: 0, merged: 0, unchanged: 0 };
        const next = { ...get().conversations };
        for (const conversation of incoming) {
          const existing = next[conversation.id];
          const result = existing ? mergeConversations(existing, conversation) : conversation;
          if (result === existing) {
            report.unchanged += 1;
            continue;
          }
          report[existing ? "merged" : "added"] += 1;
          next[conversation.id] = result;
          persist(result, false);
        }
        // With no chat open (a fresh browser), open the newest imported one.
        const newest = [...incoming].sort(compareConversations)[0];
        set({
          conversations: next,
          ...(get().activeId === undefined && newest && { activeId: newest.id }),
        });
        void get().flushSaves();
        return report;
      },

      async syncFromStorage(id) {
        if (!deps.repository.load) return;
        const stored = await deps.repository.load(id);
        const mine = get().conversations[id];
        if (!stored) {
          // Another tab deleted it (announcements follow writes, so absent means removed).
          if (!mine || get().streaming?.conversationId === id) return;
          const { [id]: _removed, ...others } = get().conversations;
          set({
            conversations: others,
            activeId: get().activeId === id ? undefined : get().activeId,
          });
          return;
        }
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

/**
 * Pinned first, then by the time of the last message, newest first. Not by updatedAt: that
 * changes with every streamed token, a rename or a pin, and none of those should move a chat.
 */
export function sortedConversations(conversations: Record<string, Conversation>): Conversation[] {
  return Object.values(conversations).sort(compareConversations);
}

export function lastActivity(c: Conversation): number {
  return c.messages.at(-1)?.createdAt ?? c.createdAt;
}

export function compareConversations(a: Conversation, b: Conversation): number {
  if (Boolean(a.pinned) !== Boolean(b.pinned)) return a.pinned ? -1 : 1;
  return lastActivity(b) - lastActivity(a);
}
