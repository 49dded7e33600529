import type { StateCreator } from "zustand";
import type { AppState, StoreDeps } from "../../store/app-state";
import {
  allMessageIds,
  branchAt,
  removeMessages,
  showVersion,
  versionOf,
} from "../../storage/branches";
import { mergeConversations } from "../../storage/cross-tab";
import { sameListing, summarize } from "../../storage/summaries";
import { ConversationSync, type SyncHost } from "../../storage/conversation-sync";
import type {
  ChatMessage,
  Conversation,
  ConversationSettings,
  ConversationSummary,
} from "../../storage/types";
import { newId } from "../../ui/ids";
import { titleFromQuestion } from "./title";

/** What the conversations slice uses of the others: a reply being written must be stopped first. */
type ConversationsNeeds = Pick<AppState, "streaming" | "stop">;
/** The state the conversations slice reads and writes: its own and what it needs. */
type ConversationsView = ConversationsSlice & ConversationsNeeds;

/**
 * Conversations are known in two depths. `summaries` lists every conversation (what the
 * sidebar shows), read at start from a small store; `conversations` holds those read in full.
 * At start the list comes first, then the open conversation, then all the others in the
 * background (search needs their messages). A conversation listed but not yet read is
 * loading, never empty: selecting it reads it, and actions on it wait for it (or, for the
 * message-level ones the UI only offers on a conversation it shows, do nothing).
 */
export interface ConversationsSlice {
  /** Every conversation, read or not; kept current for what the list shows. */
  summaries: Record<string, ConversationSummary>;
  /** Conversations read in full so far. */
  conversations: Record<string, Conversation>;
  activeId: string | undefined;
  /** The list of conversations is known, so the sidebar can show it. */
  hydrated: boolean;
  /** Every conversation is read in full: search and export cover them all. */
  allLoaded: boolean;
  /** Conversations could not be read from storage: the error's name. */
  chatsReadError: string | undefined;
  /** Records in storage that could not be read; set aside, not deleted. */
  rejectedRecords: number;
  saveError: string | undefined;
  /** IndexedDB writes not finished yet (a closing tab may lose them). */
  writesInFlight: number;
  /** Reads the list, then the open conversation, then every other one. */
  hydrate(): Promise<void>;
  /** The whole conversation, read from storage if needed; undefined if it is gone. */
  loadConversation(id: string): Promise<Conversation | undefined>;
  /** Resolves once every conversation is read in full (and the summaries are repaired). */
  loadAllConversations(): Promise<void>;
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
  /**
   * Sets a conversation's whole message list, its versions included; ids it no longer holds
   * anywhere become tombstones. `versionsChosen`: the user chose which version shows (Edit,
   * Regenerate, the ‹ › switch), which merges with other tabs' copies then follow.
   */
  replaceMessages(conversationId: string, messages: ChatMessage[], versionsChosen?: boolean): void;
  /**
   * Gives a question new text as a new version: the question and everything after it stay
   * as the earlier version beside it (storage/branches.ts), and the conversation shown ends
   * with the edited question; false if there is no such question.
   */
  editAsNewVersion(
    conversationId: string,
    messageId: string,
    text: string,
    /** The question's new input field: "" removes it, undefined keeps it. */
    input?: string,
  ): boolean;
  deleteMessage(conversationId: string, messageId: string): void;
  /** Shows version `version` (from 1, oldest first) of the conversation from this message on. */
  showMessageVersion(conversationId: string, messageId: string, version: number): void;
  renameConversation(id: string, title: string): void;
  togglePin(id: string): void;
  /** Deletes at once; `undoDelete` brings the conversation back while the notice shows. */
  deleteConversation(id: string): void;
  /** The conversation deleted last, kept in memory so it can be restored. */
  recentlyDeleted: Conversation | undefined;
  undoDelete(): void;
  dismissUndo(): void;
  /** Adds or merges many conversations (import), once all are read; counts what happened. */
  mergeImported(incoming: Conversation[]): Promise<MergeReport>;
}

export interface MergeReport {
  added: number;
  merged: number;
  unchanged: number;
}

export function createConversationsSlice(
  deps: StoreDeps,
): StateCreator<ConversationsSlice & ConversationsNeeds, [], [], ConversationsSlice> {
  return (set, get) => {
    const ctx = sliceContext(deps, get, set);
    const { sync } = ctx;
    return {
      summaries: {},
      conversations: {},
      activeId: undefined,
      hydrated: false,
      allLoaded: false,
      chatsReadError: undefined,
      rejectedRecords: 0,
      saveError: undefined,
      writesInFlight: 0,

      hydrate: () => sync.hydrate(),
      loadConversation: (id) => sync.load(id),
      loadAllConversations: () => sync.loadAll(),

      newChat() {
        ctx.choose();
        set({ activeId: undefined });
      },

      selectConversation(id) {
        if (!get().conversations[id] && !get().summaries[id]) return;
        ctx.choose();
        set({ activeId: id });
        void get().loadConversation(id);
      },

      ...messageActions(ctx),
      ...listActions(ctx),
      syncFromStorage: (id) => sync.reread(id),
    };
  };
}

/** What the slice's actions share: the store, the persistence and a few helpers. */
interface SliceContext {
  get: () => ConversationsView;
  set: (partial: Partial<ConversationsView>) => void;
  sync: ConversationSync;
  /** Puts conversations into memory; their summaries change only when the list would. */
  commit(changed: readonly Conversation[], extra?: Partial<ConversationsView>): void;
  /** Drops a conversation from memory and from the list. */
  forget(id: string, extra?: Partial<ConversationsView>): void;
  /** Runs an action on a listed conversation once it is read; true if it already is. */
  whenLoaded(id: string, action: () => void): boolean;
  /** The user opened, started or deleted a chat: loading must not change what is open. */
  choose(): void;
}

function sliceContext(
  deps: StoreDeps,
  get: () => ConversationsView,
  set: (partial: Partial<ConversationsView>) => void,
): SliceContext {
  // The user opened, started or deleted a chat: loading must not change what is open.
  let chosen = false;

  /** Puts conversations into memory; their summaries change only when the list would. */
  const commit = (changed: readonly Conversation[], extra: Partial<ConversationsView> = {}) => {
    const state = get();
    const conversations = { ...state.conversations };
    let summaries = state.summaries;
    for (const conversation of changed) {
      conversations[conversation.id] = conversation;
      const summary = summarize(conversation);
      const listed = summaries[conversation.id];
      // A streamed token changes only updatedAt: keep the list (and the sidebar) as it is.
      if (listed && sameListing(listed, summary)) continue;
      if (summaries === state.summaries) summaries = { ...summaries };
      summaries[conversation.id] = summary;
    }
    set({ conversations, summaries, ...extra });
  };

  /** Drops a conversation from memory and from the list. */
  const forget = (id: string, extra: Partial<ConversationsView> = {}) => {
    const { [id]: _conversation, ...conversations } = get().conversations;
    const { [id]: _summary, ...summaries } = get().summaries;
    set({
      conversations,
      summaries,
      activeId: get().activeId === id ? undefined : get().activeId,
      ...extra,
    });
  };

  const openNewestIfNothingChosen = (): Partial<ConversationsView> =>
    chosen || get().activeId !== undefined ? {} : { activeId: newestId(get().summaries) };

  const sync = new ConversationSync(
    deps.repository,
    memoryFor({ get, set, commit, forget, openNewestIfNothingChosen }),
    deps.saveIntervalMs,
  );

  /** Runs an action on a listed conversation once it is read; true if it already is. */
  const whenLoaded = (id: string, action: () => void): boolean => {
    if (get().conversations[id]) return true;
    if (get().summaries[id]) {
      void get()
        .loadConversation(id)
        .then((read) => read && action());
    }
    return false;
  };

  return {
    get,
    set,
    sync,
    commit,
    forget,
    whenLoaded,
    choose: () => {
      chosen = true;
    },
  };
}

type MessageActions = Pick<
  ConversationsSlice,
  | "appendMessage"
  | "addConversation"
  | "setConversationSettings"
  | "updateMessage"
  | "flushSaves"
  | "replaceMessages"
  | "editAsNewVersion"
  | "deleteMessage"
  | "showMessageVersion"
>;

/** Actions on the messages of one conversation (and creating one). */
function messageActions({ get, sync, commit, choose }: SliceContext): MessageActions {
  return {
    appendMessage(conversationId, message, settingsForNew) {
      choose();
      if (
        conversationId !== undefined &&
        !get().conversations[conversationId] &&
        get().summaries[conversationId]
      ) {
        // Listed but not read yet (the UI shows it loading and offers no composer then).
        // Appending now would start a copy without its messages and settings: append once
        // it is read. If its record is gone the id starts a new chat; if it cannot be read,
        // a new id does, so nothing typed is lost either way.
        void get()
          .loadConversation(conversationId)
          .then((read) => {
            const usable = read !== undefined || !get().summaries[conversationId];
            get().appendMessage(usable ? conversationId : undefined, message, settingsForNew);
          });
        return conversationId;
      }
      const now = Date.now();
      const existing = conversationId ? get().conversations[conversationId] : undefined;
      const conversation: Conversation = existing
        ? { ...existing, messages: [...existing.messages, message], updatedAt: now }
        : {
            id: conversationId ?? newId(),
            title: titleFromQuestion(message.content),
            createdAt: now,
            updatedAt: now,
            messages: [message],
            ...(message.modelId !== undefined && { modelId: message.modelId }),
            ...(settingsForNew !== undefined && { settings: settingsForNew }),
          };
      commit([conversation], { activeId: conversation.id });
      sync.save(conversation, true);
      return conversation.id;
    },

    addConversation(conversation) {
      choose();
      sync.restore(conversation.id);
      commit([conversation], { activeId: conversation.id });
      sync.save(conversation, true);
    },

    setConversationSettings(id, settings) {
      const existing = get().conversations[id];
      if (!existing) return;
      const conversation = { ...existing, settings, fieldsUpdatedAt: Date.now() };
      commit([conversation]);
      sync.save(conversation, true);
    },

    updateMessage(conversationId, messageId, patch) {
      const existing = get().conversations[conversationId];
      if (!existing) return;
      const conversation: Conversation = {
        ...existing,
        updatedAt: Date.now(),
        messages: existing.messages.map((m) => (m.id === messageId ? { ...m, ...patch } : m)),
      };
      const before = existing.messages.find((m) => m.id === messageId)?.status;
      commit([conversation]);
      // Token-by-token updates are coalesced; a status change is written at once, also the
      // one into "streaming" (Continue), so a tab closed at once knows the reply was reopened.
      sync.save(conversation, patch.status !== undefined && patch.status !== before);
    },

    async flushSaves() {
      await sync.flush();
    },

    replaceMessages(conversationId, messages, versionsChosen = false) {
      const existing = get().conversations[conversationId];
      if (!existing) return;
      // Ids of dropped messages are kept as tombstones: saves merge with the stored copy
      // by message id (storage/cross-tab.ts), which would otherwise bring them back. A
      // message moved into another version is not dropped.
      const kept = allMessageIds(messages);
      const dropped = [...allMessageIds(existing.messages)].filter((id) => !kept.has(id));
      const now = Date.now();
      const conversation: Conversation = {
        ...existing,
        messages,
        updatedAt: now,
        // Later than the choice this copy knows of, even within one millisecond: merges show
        // the branch chosen last (storage/branches.ts).
        ...(versionsChosen && {
          branchesChangedAt: Math.max(now, (existing.branchesChangedAt ?? 0) + 1),
        }),
        ...(dropped.length > 0 && {
          removedMessageIds: [...(existing.removedMessageIds ?? []), ...dropped],
        }),
      };
      commit([conversation]);
      sync.save(conversation, true);
    },

    editAsNewVersion(conversationId, messageId, text, input) {
      const existing = get().conversations[conversationId];
      const index = existing?.messages.findIndex((m) => m.id === messageId) ?? -1;
      const message = existing?.messages[index];
      if (!existing || message?.role !== "user") return false;
      // A new id: the edited question is a new message, not a newer copy of the old one.
      const { input: oldInput, alternatives: _versions, ...rest } = message;
      const newInput = input === undefined ? oldInput : input.trim() ? input : undefined;
      const edited: ChatMessage = {
        ...rest,
        id: newId(),
        content: text,
        createdAt: Date.now(),
        ...(newInput !== undefined && { input: newInput }),
      };
      get().replaceMessages(conversationId, branchAt(existing.messages, index, [edited]), true);
      return true;
    },

    deleteMessage(conversationId, messageId) {
      const existing = get().conversations[conversationId];
      if (!existing || get().streaming?.messageId === messageId) return;
      get().replaceMessages(
        conversationId,
        removeMessages(existing.messages, new Set([messageId])),
      );
    },

    showMessageVersion(conversationId, messageId, version) {
      const existing = get().conversations[conversationId];
      // A reply being written stays where it is: its tokens go to the branch shown.
      if (!existing || get().streaming) return;
      const index = existing.messages.findIndex((m) => m.id === messageId);
      const message = existing.messages[index];
      if (!message || versionOf(message).current === version) return;
      get().replaceMessages(conversationId, showVersion(existing.messages, index, version), true);
    },
  };
}

type ListActions = Pick<
  ConversationsSlice,
  | "renameConversation"
  | "togglePin"
  | "recentlyDeleted"
  | "deleteConversation"
  | "undoDelete"
  | "dismissUndo"
  | "mergeImported"
>;

/** Actions on whole conversations: what the list offers, and import. */
function listActions({
  get,
  set,
  sync,
  commit,
  forget,
  whenLoaded,
  choose,
}: SliceContext): ListActions {
  return {
    renameConversation(id, title) {
      if (!whenLoaded(id, () => get().renameConversation(id, title))) return;
      const existing = get().conversations[id];
      const trimmed = title.trim();
      if (!existing || !trimmed || trimmed === existing.title) return;
      const now = Date.now();
      const conversation: Conversation = {
        ...existing,
        title: trimmed,
        updatedAt: now,
        fieldsUpdatedAt: now,
      };
      commit([conversation]);
      sync.save(conversation, true);
    },

    togglePin(id) {
      if (!whenLoaded(id, () => get().togglePin(id))) return;
      const existing = get().conversations[id];
      if (!existing) return;
      const { pinned: _pinned, ...rest } = existing;
      const now = Date.now();
      const stamps = { updatedAt: now, fieldsUpdatedAt: now };
      const conversation: Conversation = existing.pinned
        ? { ...rest, ...stamps }
        : { ...rest, pinned: true, ...stamps };
      commit([conversation]);
      sync.save(conversation, true);
    },

    recentlyDeleted: undefined,

    deleteConversation(id) {
      // Undo needs the whole conversation, so an unread one is read first.
      if (!whenLoaded(id, () => get().deleteConversation(id))) return;
      const existing = get().conversations[id];
      if (!existing || get().streaming?.conversationId === id) return;
      choose();
      forget(id, { recentlyDeleted: existing });
      // Undo replaces the tombstone the deletion leaves.
      sync.delete(id);
    },

    undoDelete() {
      const deleted = get().recentlyDeleted;
      if (!deleted) return;
      sync.restore(deleted.id);
      commit([deleted], { recentlyDeleted: undefined, activeId: deleted.id });
      sync.save(deleted, true);
    },

    dismissUndo() {
      set({ recentlyDeleted: undefined });
    },

    async mergeImported(incoming) {
      // "Already here" is decided by message id, so every stored conversation must be read.
      await get().loadAllConversations();
      const report: MergeReport = { added: 0, merged: 0, unchanged: 0 };
      const changed: Conversation[] = [];
      const { conversations } = get();
      for (const conversation of incoming) {
        const existing = conversations[conversation.id];
        const result = existing ? mergeConversations(existing, conversation) : conversation;
        if (result === existing) {
          report.unchanged += 1;
          continue;
        }
        report[existing ? "merged" : "added"] += 1;
        // Importing is the user's choice, so it brings back a chat deleted here before.
        sync.restore(conversation.id);
        changed.push(result);
        sync.save(result, false);
      }
      // With no chat open (a fresh browser), open the newest imported one.
      const newest = incoming.map(summarize).sort(compareSummaries)[0];
      commit(changed, get().activeId === undefined && newest ? { activeId: newest.id } : {});
      void get().flushSaves();
      return report;
    },
  };
}

/** The store as the persistence sees it: what it holds, and how storage's news goes in. */
function memoryFor({
  get,
  set,
  commit,
  forget,
  openNewestIfNothingChosen,
}: {
  get: () => ConversationsView;
  set: (partial: Partial<ConversationsView>) => void;
  commit: (changed: readonly Conversation[]) => void;
  forget: (id: string) => void;
  openNewestIfNothingChosen: () => Partial<ConversationsView>;
}): SyncHost {
  return {
    held: (id) => get().conversations[id],
    heldAll: () => Object.values(get().conversations),
    isListed: (id) => get().summaries[id] !== undefined,
    commit,
    forget,
    isWritingInto: (id) => get().streaming?.conversationId === id,
    stopWriting: () => void get().stop(),
    writesInFlight: (delta) => set({ writesInFlight: get().writesInFlight + delta }),
    saveFailed: (error) =>
      set({
        saveError:
          "Your chats could not be saved (" +
          errorName(error) +
          "). They stay open in this tab; free some disk space and they will be saved again.",
      }),
    allSaved: () => {
      if (get().saveError) set({ saveError: undefined });
    },
    readFailed: (error) => set({ chatsReadError: errorName(error) }),
    showList: (stored) => {
      const listed: Record<string, ConversationSummary> = {};
      for (const summary of stored) listed[summary.id] = summary;
      // Whatever this tab did while the summaries were read is newer.
      set({ summaries: { ...listed, ...get().summaries }, hydrated: true });
    },
    openNewest: () => {
      set(openNewestIfNothingChosen());
      return get().activeId;
    },
    openId: () => get().activeId,
    allRead: (ids, rejected) => {
      // Listed, but with no readable record and not created here: orphaned summaries.
      const { summaries, conversations, activeId } = get();
      const orphans = Object.keys(summaries).filter((id) => !ids.has(id) && !conversations[id]);
      const kept = { ...summaries };
      for (const id of orphans) delete kept[id];
      set({
        // A new list only when it changed: re-rendering a thousand entries is not free.
        ...(orphans.length > 0 && { summaries: kept }),
        activeId: activeId !== undefined && kept[activeId] ? activeId : undefined,
        allLoaded: true,
        hydrated: true,
        rejectedRecords: rejected,
      });
      set(openNewestIfNothingChosen());
    },
    // The list stays as the summaries had it; a later call tries again.
    allReadFailed: (error) => set({ chatsReadError: errorName(error), hydrated: true }),
  };
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : "storage error";
}

/** The conversation updated last, which the app opens at start. */
function newestId(summaries: Record<string, ConversationSummary>): string | undefined {
  let newest: ConversationSummary | undefined;
  for (const summary of Object.values(summaries)) {
    if (!newest || summary.updatedAt > newest.updatedAt) newest = summary;
  }
  return newest?.id;
}

/**
 * Pinned first, then by the time of the last message, newest first. Not by updatedAt: that
 * changes with every streamed token, a rename or a pin, and none of those should move a chat.
 */
export function sortedSummaries(
  summaries: Record<string, ConversationSummary>,
): ConversationSummary[] {
  return Object.values(summaries).sort(compareSummaries);
}

export function compareSummaries(a: ConversationSummary, b: ConversationSummary): number {
  if (a.pinned !== b.pinned) return a.pinned ? -1 : 1;
  return b.lastActivity - a.lastActivity;
}
