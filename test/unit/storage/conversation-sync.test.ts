import { describe, expect, it, vi } from "vitest";
import { ConversationSync, type SyncHost } from "../../../app/storage/conversation-sync";
import {
  memoryConversationRecords,
  type ConversationRecords,
} from "../../../app/storage/idb-conversations";
import { conversationRepository } from "../../../app/storage/repository";
import { summarize } from "../../../app/storage/summaries";
import { memorySummaryStore, type SummaryStore } from "../../../app/storage/summary-store";
import type { Conversation, ConversationSummary } from "../../../app/storage/types";
import { chat, message } from "../conversation-fixtures";

/**
 * The sync over a plain memory standing in for the store: conversations held, the list, the
 * open chat. It logs what the sync told it, so the order of start-up can be checked.
 */
function fakeTab(records: ConversationRecords, summaries: SummaryStore) {
  const held = new Map<string, Conversation>();
  const listed = new Map<string, ConversationSummary>();
  const log: string[] = [];
  const state = {
    open: undefined as string | undefined,
    writing: undefined as string | undefined,
    writes: 0,
    saveError: undefined as unknown,
    readError: undefined as unknown,
    rejected: 0,
  };
  const host: SyncHost = {
    held: (id) => held.get(id),
    heldAll: () => [...held.values()],
    isListed: (id) => listed.has(id),
    commit: (changed) => {
      for (const c of changed) {
        held.set(c.id, c);
        listed.set(c.id, summarize(c));
      }
      log.push(`commit ${changed.map((c) => c.id).join(",")}`);
    },
    forget: (id) => {
      held.delete(id);
      listed.delete(id);
      if (state.open === id) state.open = undefined;
      log.push(`forget ${id}`);
    },
    isWritingInto: (id) => state.writing === id,
    stopWriting: () => {
      log.push("stop");
      state.writing = undefined;
    },
    writesInFlight: (delta) => (state.writes += delta),
    saveFailed: (error) => (state.saveError = error),
    allSaved: () => (state.saveError = undefined),
    readFailed: (error) => (state.readError = error),
    showList: (summaries) => {
      for (const s of summaries) listed.set(s.id, s);
      log.push(`list ${summaries.map((s) => s.id).join(",")}`);
    },
    openNewest: () => {
      state.open ??= [...listed.values()].sort((a, b) => b.updatedAt - a.updatedAt)[0]?.id;
      log.push(`open ${state.open ?? "none"}`);
      return state.open;
    },
    openId: () => state.open,
    allRead: (ids, rejected) => {
      for (const id of listed.keys()) if (!ids.has(id) && !held.has(id)) listed.delete(id);
      state.rejected = rejected;
      log.push("all read");
    },
    allReadFailed: (error) => (state.readError = error),
  };
  const repository = conversationRepository(records, summaries);
  const sync = new ConversationSync(repository, host, 0, () => Promise.resolve());
  return { sync, held, listed, log, state };
}

const summariesOf = (conversations: Conversation[]) =>
  memorySummaryStore({ entries: conversations.map((c) => [c.id, summarize(c)]), complete: true });

function world(initial: Conversation[]) {
  const records = memoryConversationRecords(initial);
  const summaries = summariesOf(initial);
  return { records, summaries, tab: () => fakeTab(records, summaries) };
}

const settled = (tab: ReturnType<typeof fakeTab>) =>
  vi.waitFor(() => expect(tab.state.writes).toBe(0), { interval: 5 });

describe("loading order", () => {
  it("shows the list, then reads the open chat, then every other record", async () => {
    const w = world([chat(1), chat(2), chat(3)]);
    const tab = w.tab();
    const loads: string[] = [];
    const { load, loadAll } = w.records;
    w.records.load = (id) => (loads.push(id), load(id));
    w.records.loadAll = () => (loads.push("all"), loadAll());
    await tab.sync.hydrate();
    expect(tab.log).toEqual(["list c1,c2,c3", "open c3", "commit c3", "commit c1,c2", "all read"]);
    expect(loads).toEqual(["c3", "all"]);
  });

  it("an open chat whose record is gone drops from the list and the next newest opens", async () => {
    const w = world([chat(1), chat(2)]);
    w.records.data.delete("c2");
    const tab = w.tab();
    await tab.sync.hydrate();
    expect(tab.log.slice(0, 4)).toEqual(["list c1,c2", "open c2", "forget c2", "open c1"]);
    expect([...tab.listed.keys()]).toEqual(["c1"]);
    // The summaries are made to match the records for the next start.
    await settled(tab);
    expect([...(await w.summaries.load()).summaries.map((s) => s.id)]).toEqual(["c1"]);
  });

  it("without complete summaries lists the chats from their records", async () => {
    const records = memoryConversationRecords([chat(1), chat(2)]);
    const tab = fakeTab(records, memorySummaryStore({ entries: [], complete: false }));
    await tab.sync.hydrate();
    expect(tab.log).toEqual(["commit c1,c2", "all read"]);
    expect([...tab.listed.keys()].sort()).toEqual(["c1", "c2"]);
  });

  it("reads a conversation once however many ask for it at the same time", async () => {
    const w = world([chat(1)]);
    const load = vi.spyOn(w.records, "load");
    const tab = w.tab();
    const [x, y] = await Promise.all([tab.sync.load("c1"), tab.sync.load("c1")]);
    expect(x).toBe(y);
    expect(load).toHaveBeenCalledOnce();
    expect(await tab.sync.load("c1")).toBe(x);
    expect(load).toHaveBeenCalledOnce();
  });

  it("marks a reply left streaming by a closed tab as interrupted, and saves that", async () => {
    const cutOff = chat(1, {
      messages: [message("u1", 1), { ...message("a1", 2, "half"), status: "streaming" }],
    });
    const w = world([cutOff]);
    const tab = w.tab();
    await tab.sync.load("c1");
    expect(tab.held.get("c1")?.messages[1]?.status).toBe("interrupted");
    await settled(tab);
    expect(w.records.data.get("c1")?.messages[1]?.status).toBe("interrupted");
  });
});

describe("saving, deletion and restore", () => {
  it("merges a save with the stored copy, so another tab's messages stay", async () => {
    const w = world([chat(1)]);
    const tab = w.tab();
    await tab.sync.load("c1");
    // Another tab added a question meanwhile.
    w.records.data.get("c1")?.messages.push(message("u9", 9_000_000));
    const mine = tab.held.get("c1");
    if (!mine) throw new Error("not read");
    tab.sync.save({ ...mine, messages: [...mine.messages, message("u2", 8_000_000)] }, true);
    await settled(tab);
    expect(w.records.data.get("c1")?.messages.map((m) => m.id)).toEqual(["u1", "a1", "u2", "u9"]);
  });

  it("a save refused by another tab's deletion drops the chat here and stops its reply", async () => {
    const w = world([chat(1)]);
    const a = w.tab();
    const b = w.tab();
    await Promise.all([a.sync.load("c1"), b.sync.load("c1")]);
    b.state.writing = "c1";
    a.sync.delete("c1");
    await settled(a);
    const copy = b.held.get("c1");
    if (!copy) throw new Error("not read");
    b.sync.save({ ...copy, title: "still writing" }, true);
    await settled(b);
    expect(b.log).toContain("stop");
    expect(b.held.has("c1")).toBe(false);
    expect(w.records.data.has("c1")).toBe(false);
  });

  it("a restore replaces the tombstone; a plain save after a deletion does not", async () => {
    const w = world([chat(1)]);
    const tab = w.tab();
    const c1 = await tab.sync.load("c1");
    if (!c1) throw new Error("not read");
    tab.sync.delete("c1");
    await settled(tab);
    tab.sync.save(c1, true);
    await settled(tab);
    expect(w.records.data.has("c1")).toBe(false);

    tab.sync.restore("c1");
    tab.sync.save(c1, true);
    await settled(tab);
    expect(w.records.data.get("c1")?.messages).toHaveLength(2);
    expect(w.records.tombstones.has("c1")).toBe(false);
  });

  it("reports a failed save and clears the report once it is saved", async () => {
    const w = world([chat(1)]);
    const tab = w.tab();
    const save = w.records.save;
    w.records.save = () => Promise.reject(new DOMException("full", "QuotaExceededError"));
    tab.sync.save(chat(1, { title: "x" }), false);
    await tab.sync.flush();
    expect((tab.state.saveError as Error).name).toBe("QuotaExceededError");
    w.records.save = save;
    await tab.sync.flush();
    expect(tab.state.saveError).toBeUndefined();
    expect(w.records.data.get("c1")?.title).toBe("x");
  });
});

describe("stale-read fencing", () => {
  it("a re-read that began before a deletion here does not bring the chat back", async () => {
    const w = world([chat(1)]);
    const tab = w.tab();
    await tab.sync.load("c1");
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const load = w.records.load;
    w.records.load = async (id) => {
      const result = load(id);
      await held;
      return result;
    };
    const rereading = tab.sync.reread("c1");
    tab.held.delete("c1");
    tab.listed.delete("c1");
    tab.sync.delete("c1");
    release();
    await rereading;
    await settled(tab);
    expect(tab.held.has("c1")).toBe(false);
    expect(tab.listed.has("c1")).toBe(false);
  });

  it("a record read after another tab deleted the chat stays out of a full load", async () => {
    const w = world([chat(1), chat(2)]);
    const tab = w.tab();
    await tab.sync.load("c1");
    // Another tab deletes it; the notice makes this tab re-read and find it gone.
    await w.records.remove("c1");
    await tab.sync.reread("c1");
    expect(tab.held.has("c1")).toBe(false);
    // A full load that still saw the record (it began earlier) does not bring it back.
    w.records.data.set("c1", chat(1));
    await tab.sync.loadAll();
    expect(tab.held.has("c1")).toBe(false);
    expect(tab.held.has("c2")).toBe(true);
  });

  it("a re-read leaves a chat that a reply is being written into in place", async () => {
    const w = world([chat(1)]);
    const tab = w.tab();
    await tab.sync.load("c1");
    tab.state.writing = "c1";
    await w.records.remove("c1");
    await tab.sync.reread("c1");
    expect(tab.held.has("c1")).toBe(true);
  });
});
