import { describe, expect, it } from "vitest";
import { mergeWithStored } from "../../../app/storage/cross-tab";
import { memoryConversationRecords } from "../../../app/storage/idb-conversations";
import { conversationRepository } from "../../../app/storage/repository";
import { memorySummaryStore } from "../../../app/storage/summary-store";
import { TOMBSTONE_TTL_MS, tombstoneFor } from "../../../app/storage/tombstones";
import type { ChatMessage, Conversation } from "../../../app/storage/types";
import { message } from "../conversation-fixtures";

const chat = (messages: ChatMessage[], updatedAt = 10): Conversation => ({
  id: "c",
  title: "chat",
  createdAt: 1,
  updatedAt,
  messages,
});

const ids = (c: Conversation | undefined) => c?.messages.map((m) => m.id);

/** Two tabs' repositories over the same databases, each announcing its writes. */
function twoTabs(initial: Conversation[], now: () => number = Date.now) {
  const records = memoryConversationRecords(initial, now);
  const summaries = memorySummaryStore({ complete: true });
  const announced: string[] = [];
  const tabA = conversationRepository(records, summaries, (id) => announced.push(id));
  const tabB = conversationRepository(records, summaries, (id) => announced.push(id));
  return { records, summaries, announced, tabA, tabB };
}

describe("what a save writes over what is stored", () => {
  const mine = chat([message("u1", 1), message("u2", 3)], 20);

  it("merges with a stored record, writes a new one as given, replaces a damaged value", () => {
    expect(ids(mergeWithStored(mine, chat([message("u1", 1), message("a1", 2)])))).toEqual([
      "u1",
      "a1",
      "u2",
    ]);
    expect(mergeWithStored(mine, undefined)).toBe(mine);
    expect(mergeWithStored(mine, { id: "c", title: 7 })).toBe(mine);
  });

  it("writes nothing over a tombstone, unless the user restores the conversation", () => {
    const tombstone = tombstoneFor("c", 5);
    expect(mergeWithStored(mine, tombstone)).toBeUndefined();
    expect(mergeWithStored(mine, tombstone, { restore: false })).toBeUndefined();
    expect(mergeWithStored(mine, tombstone, { restore: true })).toBe(mine);
  });

  it("a restore over a record that is there merges like any save: no message is lost", () => {
    const stored = chat([message("u1", 1), message("a1", 2)], 30);
    expect(ids(mergeWithStored(mine, stored, { restore: true }))).toEqual(["u1", "a1", "u2"]);
  });
});

describe("a deleted conversation stays deleted", () => {
  it("a tab's stale copy saved after another tab deleted it writes nothing at all", async () => {
    const c = chat([message("u1", 1)]);
    const { records, summaries, announced, tabA, tabB } = twoTabs([c]);
    await tabA.remove("c");
    announced.length = 0;

    const stale = { ...c, messages: [...c.messages, message("a1", 2)], updatedAt: 99 };
    expect(await tabB.save(stale)).toBe("deleted");
    expect(await tabB.load("c")).toBeUndefined();
    expect((await tabB.loadAll()).conversations).toEqual([]);
    expect(records.data.has("c")).toBe(false);
    expect(summaries.entries.has("c")).toBe(false);
    // Nothing was written, so nothing is announced either.
    expect(announced).toEqual([]);
  });

  it("a restore (Undo, import) brings it back, and later saves merge as before", async () => {
    const c = chat([message("u1", 1)]);
    const { records, summaries, tabA, tabB } = twoTabs([c]);
    await tabA.remove("c");
    expect(await tabA.save(c, { restore: true })).toBe("saved");
    expect(records.tombstones.has("c")).toBe(false);
    expect(summaries.entries.has("c")).toBe(true);
    // The tombstone is gone: an ordinary save from the other tab is welcome again.
    expect(await tabB.save({ ...c, messages: [...c.messages, message("a1", 2)] })).toBe("saved");
    expect(ids(await tabA.load("c"))).toEqual(["u1", "a1"]);
  });

  it("a tombstone is not an unreadable record: nothing is reported as set aside", async () => {
    const { tabA } = twoTabs([chat([message("u1", 1)]), { ...chat([]), id: "other" }]);
    await tabA.remove("c");
    expect(await tabA.loadAll()).toMatchObject({ rejected: 0, conversations: [{ id: "other" }] });
  });

  it("tombstones are dropped after 30 days, when a full read comes across them", async () => {
    let now = 1_000_000;
    const { records, tabA, tabB } = twoTabs([chat([message("u1", 1)])], () => now);
    await tabA.remove("c");
    expect(records.tombstones.get("c")).toEqual(tombstoneFor("c", 1_000_000));

    now += TOMBSTONE_TTL_MS - 1;
    await tabA.loadAll();
    expect(await tabB.save(chat([message("u1", 1)]))).toBe("deleted");

    now += 1;
    await tabA.loadAll();
    expect(records.tombstones.size).toBe(0);
    // After that an old copy would be written as a new chat: by then no tab should hold one.
    expect(await tabB.save(chat([message("u1", 1)]))).toBe("saved");
  });
});
