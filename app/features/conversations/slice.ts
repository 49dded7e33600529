import type { StateCreator } from "zustand";
import type { AppState, StoreDeps } from "../../shell/app-state";
import { markCutOffReplies } from "../../storage/conversation-shape";
import { mergeConversations } from "../../storage/cross-tab";
import { sameListing, summarize } from "../../storage/summaries";
import { ThrottledSaver } from "../../storage/throttled-saver";
import type {
  ChatMessage,
  Conversation,
  ConversationSettings,
  ConversationSummary,
  StoredSummaries,
} from "../../storage/types";
import { newId } from "../../ui/ids";
import { titleFromQuestion } from "./title";

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
  editMessageAndTruncate(
    conversationId: string,
    messageId: string,
    text: string,
    /** The question's new input field: "" removes it, undefined keeps it. */
    input?: string,
  ): boolean;
  deleteMessage(conversationId: string, messageId: string): void;
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
): StateCreator<AppState, [], [], ConversationsSlice> {
  return (set, get) => {
    // Counts writes in flight, so the UI (and tests) can tell when everything is on disk.
    const track = <T>(write: Promise<T>): Promise<T> => {
      set({ writesInFlight: get().writesInFlight + 1 });
      return write.finally(() => set({ writesInFlight: get().writesInFlight - 1 }));
    };
    // Conversations deleted in this tab, or by another one, since the app started: a read
    // that began before the deletion must not bring them back.
    const removed = new Set<string>();
    // Conversations the user brought back (Undo, import) whose restoring save is not written
    // yet: that save may replace the tombstone their deletion left (storage/tombstones.ts).
    // The value tells this restore from a later one of the same conversation.
    const restoring = new Map<string, symbol>();
    // Each deletion or restore here, and each re-read of a conversation another tab wrote,
    // takes a new turn; a re-read or a refused save that began in an earlier turn is out of
    // date and leaves memory as it is (the later one decides).
    let lastTurn = 0;
    const turns = new Map<string, number>();
    const newTurn = (id: string): number => {
      turns.set(id, ++lastTurn);
      return lastTurn;
    };
    const saver = new ThrottledSaver<Conversation>(
      async (conversation) => {
        const { id } = conversation;
        const turn = turns.get(id);
        const restore = restoring.get(id);
        const outcome = await track(
          deps.repository.save(conversation, { restore: restore !== undefined }),
        );
        if (restore !== undefined && restoring.get(id) === restore) restoring.delete(id);
        // Refused: deleted, here or in another tab, after this tab last read it.
        if (outcome === "deleted" && turns.get(id) === turn) dropDeleted(id);
      },
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

    const pendingLoads = new Map<string, Promise<Conversation | undefined>>();
    let fullLoad: Promise<void> | undefined;
    // The user opened, started or deleted a chat: loading must not change what is open.
    let chosen = false;

    /** Puts conversations into memory; their summaries change only when the list would. */
    const commit = (changed: readonly Conversation[], extra: Partial<AppState> = {}) => {
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
    const forget = (id: string, extra: Partial<AppState> = {}) => {
      const { [id]: _conversation, ...conversations } = get().conversations;
      const { [id]: _summary, ...summaries } = get().summaries;
      set({
        conversations,
        summaries,
        activeId: get().activeId === id ? undefined : get().activeId,
        ...extra,
      });
    };

    /**
     * Storage refused a save: the conversation was deleted (by another tab, or by this one and
     * already gone from it). It leaves this tab too, unsaved changes and all, and a reply
     * being written into it stops.
     */
    const dropDeleted = (id: string) => {
      removed.add(id);
      if (get().streaming?.conversationId === id) void get().stop();
      if (get().conversations[id] || get().summaries[id]) forget(id);
    };

    /** The user brings a conversation back on purpose: its next save replaces its tombstone. */
    const bringBack = (id: string) => {
      removed.delete(id);
      restoring.set(id, Symbol(id));
      newTurn(id);
    };

    /** Merges conversations read from storage into memory; nothing this tab holds is lost. */
    const absorb = (records: readonly Conversation[]) => {
      const { conversations } = get();
      const changed: Conversation[] = [];
      let fixedAny = false;
      for (const record of records) {
        if (removed.has(record.id)) continue;
        const fixed = markCutOffReplies(record);
        const mine = conversations[record.id];
        const merged = mine ? mergeConversations(mine, fixed) : fixed;
        if (merged !== mine) changed.push(merged);
        if (fixed !== record) {
          persist(merged, false);
          fixedAny = true;
        }
      }
      if (changed.length > 0) commit(changed);
      if (fixedAny) void get().flushSaves();
    };

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

    const openNewestIfNothingChosen = (): Partial<AppState> =>
      chosen || get().activeId !== undefined ? {} : { activeId: newestId(get().summaries) };

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

      async hydrate() {
        const stored: StoredSummaries = await deps.repository
          .loadSummaries()
          .catch(() => ({ summaries: [], complete: false }));
        if (!stored.complete) {
          // The first start after an update from a version that kept no summaries (or their
          // store is unreadable): list the conversations from their records, which also
          // builds the summaries for the next start.
          await get().loadAllConversations();
          return;
        }
        const listed: Record<string, ConversationSummary> = {};
        for (const summary of stored.summaries) {
          if (!removed.has(summary.id)) listed[summary.id] = summary;
        }
        // Whatever this tab did while the summaries were read is newer.
        set({ summaries: { ...listed, ...get().summaries }, hydrated: true });
        set(openNewestIfNothingChosen());
        // Reading the open chat drops it if its summary was an orphan; then the next newest
        // opens (each round drops one summary, so this ends).
        let active = get().activeId;
        while (active !== undefined && !(await get().loadConversation(active))) {
          if (get().activeId !== undefined) break;
          set(openNewestIfNothingChosen());
          active = get().activeId;
        }
        // The rest waits until the list and the open chat are on screen.
        await afterNextPaint();
        await get().loadAllConversations();
      },

      loadConversation(id) {
        const loaded = get().conversations[id];
        if (loaded) return Promise.resolve(loaded);
        let pending = pendingLoads.get(id);
        if (!pending) {
          pending = deps.repository
            .load(id)
            .then(
              (record) => {
                if (record) absorb([record]);
                // No readable record: the summary outlived it (a deletion whose summary
                // removal did not happen, or a damaged record the full load sets aside).
                else if (!get().conversations[id] && get().summaries[id]) forget(id);
                return get().conversations[id];
              },
              (error: unknown) => {
                set({ chatsReadError: errorName(error) });
                return undefined;
              },
            )
            .finally(() => pendingLoads.delete(id));
          pendingLoads.set(id, pending);
        }
        return pending;
      },

      loadAllConversations() {
        fullLoad ??= (async () => {
          let read: { conversations: Conversation[]; rejected: number };
          try {
            read = await deps.repository.loadAll();
          } catch (error) {
            // The list stays as the summaries had it; a later call tries again.
            fullLoad = undefined;
            set({ chatsReadError: errorName(error), hydrated: true });
            return;
          }
          absorb(read.conversations);
          // Listed, but with no readable record and not created here: orphaned summaries.
          const ids = new Set(read.conversations.map((c) => c.id));
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
            rejectedRecords: read.rejected,
          });
          set(openNewestIfNothingChosen());
          // The records are the truth: make the summaries match them for the next start.
          // What this tab holds now includes every record read plus its own newer changes.
          await track(deps.repository.rebuildSummaries(Object.values(get().conversations))).catch(
            () => undefined,
          );
        })();
        return fullLoad;
      },

      newChat() {
        chosen = true;
        set({ activeId: undefined });
      },

      selectConversation(id) {
        if (!get().conversations[id] && !get().summaries[id]) return;
        chosen = true;
        set({ activeId: id });
        void get().loadConversation(id);
      },

      appendMessage(conversationId, message, settingsForNew) {
        chosen = true;
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
        persist(conversation, true);
        return conversation.id;
      },

      addConversation(conversation) {
        chosen = true;
        bringBack(conversation.id);
        commit([conversation], { activeId: conversation.id });
        persist(conversation, true);
      },

      setConversationSettings(id, settings) {
        const existing = get().conversations[id];
        if (!existing) return;
        const conversation = { ...existing, settings, fieldsUpdatedAt: Date.now() };
        commit([conversation]);
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
        const before = existing.messages.find((m) => m.id === messageId)?.status;
        commit([conversation]);
        // Token-by-token updates are coalesced; a status change is written at once, also the
        // one into "streaming" (Continue), so a tab closed at once knows the reply was reopened.
        persist(conversation, patch.status !== undefined && patch.status !== before);
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
        commit([conversation]);
        persist(conversation, true);
      },

      editMessageAndTruncate(conversationId, messageId, text, input) {
        const existing = get().conversations[conversationId];
        const index = existing?.messages.findIndex((m) => m.id === messageId) ?? -1;
        const message = existing?.messages[index];
        if (!existing || message?.role !== "user") return false;
        // A new id: the edited question is a new message, not a newer copy of the old one.
        const { input: oldInput, ...rest } = message;
        const newInput = input === undefined ? oldInput : input.trim() ? input : undefined;
        const edited: ChatMessage = {
          ...rest,
          id: newId(),
          content: text,
          createdAt: Date.now(),
          ...(newInput !== undefined && { input: newInput }),
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
        persist(conversation, true);
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
        persist(conversation, true);
      },

      recentlyDeleted: undefined,

      deleteConversation(id) {
        // Undo needs the whole conversation, so an unread one is read first.
        if (!whenLoaded(id, () => get().deleteConversation(id))) return;
        const existing = get().conversations[id];
        if (!existing || get().streaming?.conversationId === id) return;
        chosen = true;
        removed.add(id);
        restoring.delete(id);
        newTurn(id);
        forget(id, { recentlyDeleted: existing });
        // Removed from storage now, so a closed tab does not bring it back. The tombstone it
        // leaves refuses every later save of it: this tab's throttled writes and other tabs'
        // copies alike. Undo replaces the tombstone.
        void track(deps.repository.remove(id).catch(() => undefined));
      },

      undoDelete() {
        const deleted = get().recentlyDeleted;
        if (!deleted) return;
        bringBack(deleted.id);
        commit([deleted], { recentlyDeleted: undefined, activeId: deleted.id });
        persist(deleted, true);
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
          bringBack(conversation.id);
          changed.push(result);
          persist(result, false);
        }
        // With no chat open (a fresh browser), open the newest imported one.
        const newest = incoming.map(summarize).sort(compareSummaries)[0];
        commit(changed, get().activeId === undefined && newest ? { activeId: newest.id } : {});
        void get().flushSaves();
        return report;
      },

      async syncFromStorage(id) {
        const turn = newTurn(id);
        const stored = await deps.repository.load(id);
        // A later re-read, or a deletion or restore here since, has the last word.
        if (turns.get(id) !== turn) return;
        const mine = get().conversations[id];
        if (!stored) {
          // Another tab deleted it (announcements follow writes, so absent means removed).
          if (get().streaming?.conversationId === id) return;
          removed.add(id);
          if (mine || get().summaries[id]) forget(id);
          return;
        }
        removed.delete(id);
        const merged = mine ? mergeConversations(mine, stored) : stored;
        if (merged !== mine) commit([merged]);
      },
    };
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
 * Resolves once the next frame has been painted. Where no frame comes soon (a hidden tab
 * gets no animation frames; unit tests run without any) it resolves after a short wait.
 */
function afterNextPaint(): Promise<void> {
  return new Promise((resolve) => {
    const fallback = setTimeout(resolve, 100);
    if (typeof requestAnimationFrame !== "function") return;
    requestAnimationFrame(() =>
      setTimeout(() => {
        clearTimeout(fallback);
        resolve();
      }),
    );
  });
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
