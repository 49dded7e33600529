import { describe, expect, it } from "vitest";
import {
  memoryConversationRecords,
  type ConversationRecords,
} from "../../../app/storage/idb-conversations";
import { conversationRepository } from "../../../app/storage/repository";
import { diffSummaries, summarize } from "../../../app/storage/summaries";
import { memorySummaryStore } from "../../../app/storage/summary-store";
import type { ChatMessage, Conversation } from "../../../app/storage/types";
import { message } from "../conversation-fixtures";

const chat = (id: string, messages: ChatMessage[], extra: Partial<Conversation> = {}) => ({
  id,
  title: `Chat ${id}`,
  createdAt: 1,
  updatedAt: 100,
  messages,
  ...extra,
});

describe("conversation summaries", () => {
  it("take the list's order from the last message, or the creation time without one", () => {
    expect(summarize(chat("a", [message("u1", 5), message("a1", 9)], { pinned: true }))).toEqual({
      id: "a",
      title: "Chat a",
      pinned: true,
      createdAt: 1,
      updatedAt: 100,
      lastActivity: 9,
      messageCount: 2,
    });
    expect(summarize(chat("b", []))).toMatchObject({ pinned: false, lastActivity: 1 });
  });

  it("diff: adds missing ones, corrects stale and damaged ones, drops orphans, keeps the rest", () => {
    const fresh = summarize(chat("same", [message("u1", 2)]));
    const stored = new Map<string, unknown>([
      ["same", fresh],
      ["stale", { ...summarize(chat("stale", [message("u1", 2)])), title: "Old title" }],
      ["damaged", { id: "damaged", title: 7 }],
      ["orphan", summarize(chat("orphan", []))],
    ]);
    const wanted = [
      fresh,
      summarize(chat("stale", [message("u1", 2)])),
      summarize(chat("damaged", [])),
      summarize(chat("missing", [])),
    ];
    const diff = diffSummaries(stored, wanted);
    expect(diff.put.map((s) => s.id).sort()).toEqual(["damaged", "missing", "stale"]);
    expect(diff.remove).toEqual(["orphan"]);
    expect([diff.added, diff.updated, diff.removed]).toEqual([1, 2, 1]);
    expect(diffSummaries(new Map([["same", fresh]]), [fresh])).toMatchObject({
      put: [],
      remove: [],
    });
  });

  it("a memory store rebuilt from records matches them and is marked complete", async () => {
    const store = memorySummaryStore({ entries: [["orphan", summarize(chat("orphan", []))]] });
    expect((await store.load()).complete).toBe(false);
    const report = await store.replaceAll([summarize(chat("a", []))]);
    expect(report).toEqual({ added: 1, updated: 0, removed: 1, complete: true });
    expect(await store.load()).toEqual({ summaries: [summarize(chat("a", []))], complete: true });
  });

  it("with no conversations at all nothing is written; the first summary then marks it", async () => {
    // A new user's first visit writes nothing (Chromium, for one, settles an origin's quota
    // at its first write); the first chat saved brings the mark with its summary.
    const summaries = memorySummaryStore();
    const repo = conversationRepository(memoryConversationRecords(), summaries);
    expect(await repo.rebuildSummaries([])).toMatchObject({
      added: 0,
      removed: 0,
      complete: false,
    });
    expect(summaries.complete).toBe(false);
    await repo.save(chat("a", [message("u1", 1)]));
    expect(summaries.complete).toBe(true);
    expect([...summaries.entries.keys()]).toEqual(["a"]);
  });
});

describe("repository: records are the truth, summaries follow them", () => {
  it("summarizes the record as stored after the merge, not the copy handed in", async () => {
    // Another tab added a message this tab's copy lacks; the save unites both.
    const records = memoryConversationRecords([chat("a", [message("u1", 1), message("u2", 7)])]);
    const summaries = memorySummaryStore({ complete: true });
    const repo = conversationRepository(records, summaries);
    await repo.save(chat("a", [message("u1", 1), message("a1", 3)], { updatedAt: 200 }));
    expect(summaries.entries.get("a")).toMatchObject({ messageCount: 3, lastActivity: 7 });
  });

  it("writes the summary after the record, so a failed record write leaves no summary", async () => {
    const records: ConversationRecords = {
      ...memoryConversationRecords(),
      save: () => Promise.reject(new DOMException("full", "QuotaExceededError")),
    };
    const summaries = memorySummaryStore({ complete: true });
    const changed: string[] = [];
    const repo = conversationRepository(records, summaries, (id) => changed.push(id));
    await expect(repo.save(chat("a", []))).rejects.toThrow("full");
    expect(summaries.entries.size).toBe(0);
    expect(changed).toEqual([]);
  });

  it("a summary that cannot be written does not fail the save: the record is kept", async () => {
    const records = memoryConversationRecords();
    const summaries = {
      ...memorySummaryStore(),
      put: () => Promise.reject(new Error("summary store broken")),
    };
    const changed: string[] = [];
    const repo = conversationRepository(records, summaries, (id) => changed.push(id));
    await repo.save(chat("a", [message("u1", 1)]));
    expect(records.data.get("a")?.messages).toHaveLength(1);
    expect(changed).toEqual(["a"]);
  });

  it("removes the summary with the record and announces once both are gone", async () => {
    const records = memoryConversationRecords([chat("a", [])]);
    const summaries = memorySummaryStore({ entries: [["a", summarize(chat("a", []))]] });
    const seen: [boolean, boolean][] = [];
    const repo = conversationRepository(records, summaries, () =>
      seen.push([records.data.has("a"), summaries.entries.has("a")]),
    );
    await repo.remove("a");
    expect(seen).toEqual([[false, false]]);
  });
});
