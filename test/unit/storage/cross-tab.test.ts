import { describe, expect, it } from "vitest";
import {
  allMessageIds,
  branchAt,
  removeMessages,
  showVersion,
} from "../../../app/storage/branches";
import { mergeConversations, newerMessage } from "../../../app/storage/cross-tab";
import type { ChatMessage, Conversation } from "../../../app/storage/types";

const msg = (
  id: string,
  createdAt: number,
  content = id,
  status: ChatMessage["status"] = "done",
): ChatMessage => ({
  id,
  role: id.startsWith("u") ? "user" : "assistant",
  content,
  createdAt,
  status,
});

const conv = (messages: ChatMessage[], updatedAt = 10, title = "chat"): Conversation => ({
  id: "c",
  title,
  createdAt: 1,
  updatedAt,
  messages,
});

const ids = (c: Conversation) => c.messages.map((m) => m.id);

describe("merging two tabs' copies of a conversation", () => {
  it("keeps every message both tabs added to the same chat, in creation order", () => {
    const shared = [msg("u1", 1), msg("a1", 2)];
    const tabA = conv([...shared, msg("uA", 3), msg("aA", 5)]);
    const tabB = conv([...shared, msg("uB", 4), msg("aB", 6)]);
    expect(ids(mergeConversations(tabA, tabB))).toEqual(["u1", "a1", "uA", "uB", "aA", "aB"]);
    expect(ids(mergeConversations(tabB, tabA))).toEqual(["u1", "a1", "uA", "uB", "aA", "aB"]);
  });

  it("never lets a stale copy drop messages another tab added", () => {
    const stale = conv([msg("u1", 1), msg("a1", 2)], 10);
    const fresh = conv([msg("u1", 1), msg("a1", 2), msg("u2", 3), msg("a2", 4)], 20);
    expect(ids(mergeConversations(stale, fresh))).toEqual(["u1", "a1", "u2", "a2"]);
    expect(mergeConversations(fresh, stale)).toBe(fresh);
  });

  it("returns the same object when the other copy adds nothing", () => {
    const c = conv([msg("u1", 1), msg("a1", 2)]);
    expect(mergeConversations(c, structuredClone(c))).toBe(c);
  });

  it("prefers a finished reply over a copy still streaming, whichever side has it", () => {
    const streaming = msg("a1", 2, "Hel", "streaming");
    const done = msg("a1", 2, "Hello there", "done");
    expect(newerMessage(streaming, done)).toBe(done);
    expect(newerMessage(done, streaming)).toBe(done);
    // A stop ends a reply: a copy another tab holds of it is not a different text.
    const stopped = msg("a1", 2, "Hello", "stopped");
    expect(newerMessage(msg("a1", 2, "Hello", "streaming"), stopped)).toBe(stopped);
    expect(newerMessage(msg("a1", 2, "Hi", "streaming"), stopped)).toBe(stopped);
  });

  it("lets a reply reopened by Continue win over its own older finished copy, also cut off", () => {
    const finished = msg("a1", 2, "Hello", "done");
    const continuing = msg("a1", 2, "Hello there", "streaming");
    expect(newerMessage(finished, continuing)).toBe(continuing);
    expect(newerMessage(continuing, finished)).toBe(continuing);
    const cutOff = msg("a1", 2, "Hello there", "interrupted");
    expect(newerMessage(finished, cutOff)).toBe(cutOff);
  });

  it("lets the writing tab's longer text overrule another tab's start-up guess of interrupted", () => {
    const guessed = msg("a1", 2, "Hel", "interrupted");
    const live = msg("a1", 2, "Hello wor", "streaming");
    expect(newerMessage(guessed, live)).toBe(live);
    expect(newerMessage(live, guessed)).toBe(live);
  });

  it("between two open copies the longer text wins; ties keep mine", () => {
    const a = msg("a1", 2, "abc", "streaming");
    const b = msg("a1", 2, "abcdef", "streaming");
    expect(newerMessage(a, b)).toBe(b);
    const same = msg("a1", 2, "abc", "streaming");
    expect(newerMessage(a, same)).toBe(a);
  });

  it("takes title and settings from the copy updated last and keeps the widest time span", () => {
    const older = { ...conv([msg("u1", 1)], 10, "old title"), createdAt: 0 };
    const newer = conv([msg("u1", 1)], 30, "new title");
    const merged = mergeConversations(older, newer);
    expect(merged).toMatchObject({ title: "new title", createdAt: 0, updatedAt: 30 });
  });

  it("keeps a rename, pin or settings change made while another tab streams into the chat", () => {
    // Tab B renamed and pinned at 20 while tab A kept streaming, its updatedAt moving per token.
    const streamed = msg("a1", 2, "Hello there, still writing", "streaming");
    const tabA = conv([msg("u1", 1), streamed], 50, "old title");
    const settings = {
      metaPrompt: "m",
      historyLimit: 1,
      decoding: {
        preset: "creative" as const,
        temperature: 0.7,
        topP: 0.9,
        repetitionPenalty: 1,
        maxTokens: 256,
      },
    };
    const tabB: Conversation = {
      ...conv([msg("u1", 1), msg("a1", 2, "Hello", "streaming")], 20, "new title"),
      pinned: true,
      settings,
      fieldsUpdatedAt: 20,
    };
    for (const merged of [mergeConversations(tabA, tabB), mergeConversations(tabB, tabA)]) {
      expect(merged).toMatchObject({ title: "new title", pinned: true, settings, updatedAt: 50 });
      expect(merged.fieldsUpdatedAt).toBe(20);
      // The messages still follow their own rule: the longer streamed text is kept.
      expect(merged.messages[1]?.content).toBe("Hello there, still writing");
    }
  });

  it("takes the fields from the copy that changed them last, also when it is unpinned", () => {
    const pinned: Conversation = { ...conv([msg("u1", 1)], 40), pinned: true, fieldsUpdatedAt: 5 };
    const unpinned: Conversation = { ...conv([msg("u1", 1)], 30), fieldsUpdatedAt: 25 };
    expect(mergeConversations(pinned, unpinned).pinned).toBeUndefined();
    expect(mergeConversations(unpinned, pinned).pinned).toBeUndefined();
    expect(mergeConversations(pinned, unpinned).updatedAt).toBe(40);
  });

  it("prefers a copy whose fields were stamped over an older record without the stamp", () => {
    const oldRecord = conv([msg("u1", 1), msg("a1", 2, "long streamed text", "streaming")], 90);
    const renamed: Conversation = { ...conv([msg("u1", 1)], 20, "renamed"), fieldsUpdatedAt: 20 };
    expect(mergeConversations(oldRecord, renamed).title).toBe("renamed");
    expect(mergeConversations(renamed, oldRecord).title).toBe("renamed");
  });

  it("counts a later updatedAt of the other copy as a change even when mine keeps the fields", () => {
    const mine: Conversation = { ...conv([msg("u1", 1)], 10, "mine"), fieldsUpdatedAt: 10 };
    const theirs = conv([msg("u1", 1)], 30, "theirs");
    const merged = mergeConversations(mine, theirs);
    expect(merged).not.toBe(mine);
    expect(merged).toMatchObject({ title: "mine", updatedAt: 30 });
  });

  it("keeps a tab's own order when clocks give two messages the same time", () => {
    const tabA = conv([msg("u1", 5), msg("a1", 5)]);
    const tabB = conv([msg("u1", 5), msg("a1", 5), msg("u2", 5)]);
    expect(ids(mergeConversations(tabA, tabB))).toEqual(["u1", "a1", "u2"]);
  });
});

describe("messages the user removed", () => {
  it("stay removed when merged with a copy that still has them, on either side", () => {
    const stored = conv([msg("u1", 1), msg("a1", 2), msg("u2", 3), msg("a2", 4)], 10);
    const edited = { ...conv([msg("u1", 1), msg("a1", 2), msg("u3", 5)], 20) };
    edited.removedMessageIds = ["u2", "a2"];
    for (const merged of [mergeConversations(edited, stored), mergeConversations(stored, edited)]) {
      expect(ids(merged)).toEqual(["u1", "a1", "u3"]);
      expect(merged.removedMessageIds?.sort()).toEqual(["a2", "u2"]);
    }
  });

  it("unites both copies' tombstones", () => {
    const a = { ...conv([msg("u1", 1)]), removedMessageIds: ["x"] };
    const b = { ...conv([msg("u1", 1)]), removedMessageIds: ["y"] };
    expect(mergeConversations(a, b).removedMessageIds?.sort()).toEqual(["x", "y"]);
    expect(mergeConversations(a, structuredClone(a))).toBe(a);
  });
});

describe("versions (Edit and Regenerate keep the earlier one)", () => {
  const versioned = (
    messages: ChatMessage[],
    branchesChangedAt: number,
    updatedAt = 20,
  ): Conversation => ({ ...conv(messages, updatedAt), branchesChangedAt });
  const tails = (m: ChatMessage | undefined) => m?.alternatives?.map((t) => t.map((x) => x.id));
  const allIds = (c: Conversation) => [...allMessageIds(c.messages)].sort();

  it("a tab that has not seen a Regenerate does not bring the old reply back into the chat", () => {
    const stale = conv([msg("u1", 1), msg("a1", 2)], 10);
    const regenerated = versioned(branchAt(stale.messages, 1, [msg("a1x", 3)]), 20);
    for (const merged of [
      mergeConversations(stale, regenerated),
      mergeConversations(regenerated, stale),
    ]) {
      expect(ids(merged)).toEqual(["u1", "a1x"]);
      expect(tails(merged.messages[1])).toEqual([["a1"]]);
      expect(merged.removedMessageIds).toBeUndefined();
    }
    expect(mergeConversations(regenerated, stale)).toBe(regenerated);
    expect(mergeConversations(regenerated, structuredClone(regenerated))).toBe(regenerated);
  });

  it("a switch back to the earlier version is not a deletion: the version chosen last shows", () => {
    const base = [msg("u1", 1), msg("a1", 2)];
    const regenerated = versioned(branchAt(base, 1, [msg("a1x", 3)]), 20);
    const switchedBack = versioned(showVersion(regenerated.messages, 1, 1), 30);
    for (const merged of [
      mergeConversations(regenerated, switchedBack),
      mergeConversations(switchedBack, regenerated),
    ]) {
      expect(ids(merged)).toEqual(["u1", "a1"]);
      expect(tails(merged.messages[1])).toEqual([["a1x"]]);
      expect(merged.branchesChangedAt).toBe(30);
      expect(allIds(merged)).toEqual(["a1", "a1x", "u1"]);
    }
  });

  it("what a stale tab added to the earlier version stays in that version", () => {
    const regenerated = versioned(branchAt([msg("u1", 1), msg("a1", 2)], 1, [msg("a1x", 5)]), 20);
    const staleWithMore = conv([msg("u1", 1), msg("a1", 2), msg("u2", 3), msg("a2", 4)], 10);
    for (const merged of [
      mergeConversations(regenerated, staleWithMore),
      mergeConversations(staleWithMore, regenerated),
    ]) {
      expect(ids(merged)).toEqual(["u1", "a1x"]);
      expect(tails(merged.messages[1])).toEqual([["a1", "u2", "a2"]]);
    }
  });

  it("merges each copy of a message inside a version, and keeps versions both tabs made", () => {
    const base = [msg("u1", 1), msg("a1", 2, "Hel", "streaming")];
    // Tab A regenerated while the old reply was still being written in tab B.
    const tabA = versioned(branchAt(base, 1, [msg("a1x", 3)]), 20);
    const tabB = versioned(
      branchAt([msg("u1", 1), msg("a1", 2, "Hello there", "done")], 1, [msg("a1y", 4)]),
      25,
    );
    for (const merged of [mergeConversations(tabA, tabB), mergeConversations(tabB, tabA)]) {
      expect(ids(merged)).toEqual(["u1", "a1y"]);
      expect(tails(merged.messages[1])).toEqual([["a1"], ["a1x"]]);
      expect(merged.messages[1]?.alternatives?.[0]?.[0]?.content).toBe("Hello there");
    }
  });

  it("keeps a message removed in one tab removed from the versions of the other", () => {
    const regenerated = versioned(branchAt([msg("u1", 1), msg("a1", 2)], 1, [msg("a1x", 3)]), 20);
    const deleted: Conversation = {
      ...versioned(removeMessages(regenerated.messages, new Set(["a1"])), 20, 30),
      removedMessageIds: ["a1"],
    };
    const merged = mergeConversations(regenerated, deleted);
    expect(ids(merged)).toEqual(["u1", "a1x"]);
    expect(merged.messages[1]?.alternatives).toBeUndefined();
  });
});
