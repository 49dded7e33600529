import { describe, expect, it, vi } from "vitest";
import { createStore, type StoreApi } from "zustand";
import { defaultConversationSettings } from "../../../app/features/chat/settings";
import { createConversationsSlice } from "../../../app/features/conversations/slice";
import type { AppState, StoreDeps } from "../../../app/store/app-state";
import {
  memoryConversationRecords,
  type ConversationRecords,
} from "../../../app/storage/idb-conversations";
import { conversationRepository } from "../../../app/storage/repository";
import { summarize } from "../../../app/storage/summaries";
import { memorySummaryStore, type SummaryStore } from "../../../app/storage/summary-store";
import type { Conversation } from "../../../app/storage/types";
import { chat, message } from "../conversation-fixtures";

/**
 * Records whose reads wait until the test lets them through. A read sees the records as they
 * were when it began, like an IndexedDB transaction, however late its result arrives.
 */
function gatedRecords(initial: Conversation[]) {
  const inner = memoryConversationRecords(initial);
  const gate = () => {
    let open!: () => void;
    const promise = new Promise<void>((resolve) => (open = resolve));
    return { promise, open };
  };
  const gates = { loadAll: gate(), load: gate() };
  const reads: string[] = [];
  const records: ConversationRecords & { data: Map<string, Conversation> } = {
    ...inner,
    async loadAll() {
      reads.push("all");
      const result = inner.loadAll();
      await gates.loadAll.promise;
      return result;
    },
    async load(id) {
      reads.push(id);
      const result = inner.load(id);
      await gates.load.promise;
      return result;
    },
  };
  return { records, gates, reads };
}

function storeWith(records: ConversationRecords, summaries: SummaryStore): StoreApi<AppState> {
  const deps = {
    repository: conversationRepository(records, summaries),
    saveIntervalMs: 0,
  } as Partial<StoreDeps> as StoreDeps;
  // The conversations slice alone: the other slices' fields it reads are absent (undefined).
  return createStore<AppState>()(
    (...args) => ({ ...createConversationsSlice(deps)(...args) }) as AppState,
  );
}

const indexOf = (conversations: Conversation[]) =>
  memorySummaryStore({ entries: conversations.map((c) => [c.id, summarize(c)]), complete: true });

const listed = (store: StoreApi<AppState>) =>
  Object.values(store.getState().summaries)
    .map((s) => s.title)
    .sort();

describe("start-up with summaries: the list first, then the open chat, then the rest", () => {
  it("lists every chat before any record is read, then reads the newest, then all", async () => {
    const chats = [chat(1), chat(2), chat(3)];
    const { records, gates, reads } = gatedRecords(chats);
    const store = storeWith(records, indexOf(chats));
    const hydrating = store.getState().hydrate();

    await vi.waitFor(() => expect(store.getState().hydrated).toBe(true));
    expect(listed(store)).toEqual(["Chat 1", "Chat 2", "Chat 3"]);
    expect(store.getState().conversations).toEqual({});
    expect(store.getState().activeId).toBe("c3");
    expect(reads).toEqual(["c3"]);

    gates.load.open();
    await vi.waitFor(() => expect(store.getState().conversations.c3?.messages).toHaveLength(2));
    expect(store.getState().allLoaded).toBe(false);

    gates.loadAll.open();
    await hydrating;
    expect(reads).toEqual(["c3", "all"]);
    expect(Object.keys(store.getState().conversations).sort()).toEqual(["c1", "c2", "c3"]);
    expect(store.getState().allLoaded).toBe(true);
  });

  it("selecting a chat whose messages are not read yet reads it (and only it) at once", async () => {
    const chats = [chat(1), chat(2), chat(3)];
    const { records, gates, reads } = gatedRecords(chats);
    const store = storeWith(records, indexOf(chats));
    gates.load.open();
    void store.getState().hydrate();
    await vi.waitFor(() => expect(store.getState().conversations.c3).toBeDefined());

    store.getState().selectConversation("c1");
    expect(store.getState().activeId).toBe("c1");
    await vi.waitFor(() =>
      expect(store.getState().conversations.c1?.messages.map((m) => m.id)).toEqual(["u1", "a1"]),
    );
    expect(reads).not.toContain("c2");
    expect(store.getState().allLoaded).toBe(false);
    gates.loadAll.open();
  });

  it("a chat appended to before its messages are read keeps them: the message waits", async () => {
    const settings = { ...defaultConversationSettings(), metaPrompt: "m" };
    const chats = [chat(1, { settings })];
    const { records, gates } = gatedRecords(chats);
    const store = storeWith(records, indexOf(chats));
    void store.getState().hydrate();
    await vi.waitFor(() => expect(store.getState().hydrated).toBe(true));

    expect(store.getState().appendMessage("c1", message("u9", 9e6, "late question"))).toBe("c1");
    gates.load.open();
    await vi.waitFor(() =>
      expect(store.getState().conversations.c1?.messages.map((m) => m.id)).toEqual([
        "u1",
        "a1",
        "u9",
      ]),
    );
    expect(store.getState().conversations.c1?.settings?.metaPrompt).toBe("m");
    await store.getState().flushSaves();
    expect(records.data.get("c1")?.messages).toHaveLength(3);
    expect(records.data.get("c1")?.title).toBe("Chat 1");
    gates.loadAll.open();
  });

  it("rename and pin of a chat not read yet read it first, and keep its messages", async () => {
    const chats = [chat(1), chat(2)];
    const { records, gates } = gatedRecords(chats);
    const summaries = indexOf(chats);
    const store = storeWith(records, summaries);
    void store.getState().hydrate();
    await vi.waitFor(() => expect(store.getState().hydrated).toBe(true));

    store.getState().renameConversation("c1", "Renamed");
    store.getState().togglePin("c1");
    gates.load.open();
    await vi.waitFor(() => expect(store.getState().summaries.c1?.pinned).toBe(true));
    expect(store.getState().summaries.c1?.title).toBe("Renamed");
    await store.getState().flushSaves();
    expect(records.data.get("c1")).toMatchObject({ title: "Renamed", pinned: true });
    expect(records.data.get("c1")?.messages).toHaveLength(2);
    expect(summaries.entries.get("c1")).toMatchObject({ title: "Renamed", pinned: true });
    gates.loadAll.open();
  });

  it("a chat deleted while every record is being read does not come back", async () => {
    const chats = [chat(1), chat(2)];
    const { records, gates, reads } = gatedRecords(chats);
    const summaries = indexOf(chats);
    const store = storeWith(records, summaries);
    gates.load.open();
    const hydrating = store.getState().hydrate();
    // The full read has begun (and will still see chat 2) when the user deletes it.
    await vi.waitFor(() => expect(reads).toContain("all"));
    store.getState().deleteConversation("c2");
    gates.loadAll.open();
    await hydrating;
    expect(listed(store)).toEqual(["Chat 1"]);
    expect(store.getState().conversations.c2).toBeUndefined();
    await vi.waitFor(() => expect(summaries.entries.has("c2")).toBe(false));
    expect(records.data.has("c2")).toBe(false);
  });

  it("import waits until every chat is read, so a known chat is merged, not added twice", async () => {
    const chats = [chat(1), chat(2)];
    const { records, gates } = gatedRecords(chats);
    const store = storeWith(records, indexOf(chats));
    gates.load.open();
    void store.getState().hydrate();
    await vi.waitFor(() => expect(store.getState().hydrated).toBe(true));

    const importing = store.getState().mergeImported([chat(1), chat(5)]);
    gates.loadAll.open();
    expect(await importing).toEqual({ added: 1, merged: 0, unchanged: 1 });
  });
});

describe("summaries are a cache: repaired from the records", () => {
  it("first start after an update (records only): lists every chat and builds the summaries", async () => {
    const chats = [chat(1), chat(2, { pinned: true }), chat(3)];
    const records = memoryConversationRecords(chats);
    const summaries = memorySummaryStore();
    const store = storeWith(records, summaries);
    await store.getState().hydrate();

    expect(listed(store)).toEqual(["Chat 1", "Chat 2", "Chat 3"]);
    expect(store.getState().activeId).toBe("c3");
    expect(store.getState().allLoaded).toBe(true);
    expect(summaries.complete).toBe(true);
    expect([...summaries.entries.values()]).toEqual(expect.arrayContaining(chats.map(summarize)));
    expect(summaries.entries.size).toBe(3);
  });

  it("until the summaries were built once, the list waits for the records", async () => {
    // A half-written index (a save landed before the first full read) is not the whole list.
    const chats = [chat(1), chat(2)];
    const { records, gates } = gatedRecords(chats);
    const summaries = memorySummaryStore({ entries: [["c1", summarize(chat(1))]] });
    const store = storeWith(records, summaries);
    const hydrating = store.getState().hydrate();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(store.getState().hydrated).toBe(false);
    gates.loadAll.open();
    await hydrating;
    expect(listed(store)).toEqual(["Chat 1", "Chat 2"]);
  });

  it("after a crash between the writes, stale, missing and orphaned summaries are put right", async () => {
    const chats = [chat(1, { title: "New title" }), chat(2), chat(3)];
    const summaries = memorySummaryStore({
      complete: true,
      entries: [
        ["c1", summarize(chat(1, { title: "Old title" }))],
        ["c2", summarize(chat(2))],
        // c3's record was written, its summary was not; c0 was deleted, its summary was not.
        ["c0", summarize(chat(0))],
      ],
    });
    const { records, gates } = gatedRecords(chats);
    const store = storeWith(records, summaries);
    gates.load.open();
    const hydrating = store.getState().hydrate();
    await vi.waitFor(() => expect(store.getState().hydrated).toBe(true));
    // The cache is shown as it is until the records are read.
    expect(listed(store)).toEqual(["Chat 0", "Chat 2", "Old title"]);

    gates.loadAll.open();
    await hydrating;
    expect(listed(store)).toEqual(["Chat 2", "Chat 3", "New title"]);
    // The chat opened from the stale list stays open: reading must not switch it.
    expect(store.getState().activeId).toBe("c2");
    expect(summaries.entries.get("c1")).toEqual(summarize(chats[0]!));
    expect(summaries.entries.get("c3")).toEqual(summarize(chats[2]!));
    expect(summaries.entries.has("c0")).toBe(false);
  });

  it("an orphaned summary of the newest chat never shows an empty chat: another one opens", async () => {
    const chats = [chat(1), chat(2)];
    const summaries = indexOf([...chats, chat(9)]);
    const { records, gates } = gatedRecords(chats);
    const store = storeWith(records, summaries);
    gates.load.open();
    const hydrating = store.getState().hydrate();
    // Without waiting for every record: the next newest opens as soon as chat 9 proves gone.
    await vi.waitFor(() => expect(store.getState().conversations.c2).toBeDefined());
    expect(store.getState().activeId).toBe("c2");
    expect(store.getState().allLoaded).toBe(false);
    expect(listed(store)).toEqual(["Chat 1", "Chat 2"]);
    gates.loadAll.open();
    await hydrating;
    expect(summaries.entries.has("c9")).toBe(false);
  });

  it("chats another tab wrote or deleted update the list, read or not", async () => {
    const chats = [chat(1), chat(2)];
    const records = memoryConversationRecords(chats);
    const store = storeWith(records, indexOf(chats));
    await store.getState().hydrate();

    // The other tab (same databases) renames chat 1, adds chat 3 and deletes chat 2.
    const other = conversationRepository(records, memorySummaryStore());
    await other.save({ ...chat(1), title: "Renamed elsewhere", updatedAt: 9e9 });
    await other.save(chat(3));
    await other.remove("c2");
    for (const id of ["c1", "c3", "c2"]) await store.getState().syncFromStorage(id);
    expect(listed(store)).toEqual(["Chat 3", "Renamed elsewhere"]);
  });

  it("a full read that fails is reported and the list from the summaries stays", async () => {
    const chats = [chat(1)];
    const records: ConversationRecords = {
      ...memoryConversationRecords(chats),
      loadAll: () => Promise.reject(new DOMException("gone", "UnknownError")),
    };
    const store = storeWith(records, indexOf(chats));
    await store.getState().hydrate();
    expect(listed(store)).toEqual(["Chat 1"]);
    expect(store.getState().allLoaded).toBe(false);
    expect(store.getState().chatsReadError).toBe("UnknownError");
  });
});
