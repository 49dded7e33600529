import { describe, expect, it } from "vitest";
import { parseExport } from "../../../app/features/export/format";
import {
  allMessageIds,
  branchAt,
  MAX_VERSION_DEPTH,
  MAX_VERSIONS,
  removeMessages,
  showVersion,
  versionOf,
} from "../../../app/storage/branches";
import { isConversation } from "../../../app/storage/conversation-shape";
import { summarize } from "../../../app/storage/summaries";
import type { ChatMessage, Conversation } from "../../../app/storage/types";

const msg = (id: string, createdAt: number): ChatMessage => ({
  id,
  role: id.startsWith("u") ? "user" : "assistant",
  content: id,
  createdAt,
  status: "done",
});
const ids = (line: ChatMessage[]) => line.map((m) => m.id);
const chat = [msg("u1", 1), msg("a1", 2), msg("u2", 3), msg("a2", 4)];

describe("versions of a conversation", () => {
  it("keeps the earlier tail beside a regenerated reply, and switches back to it", () => {
    const regenerated = branchAt(chat, 3, [msg("a2x", 5)]);
    expect(ids(regenerated)).toEqual(["u1", "a1", "u2", "a2x"]);
    expect(versionOf(regenerated[3]!)).toEqual({ current: 2, count: 2 });
    expect(versionOf(regenerated[1]!)).toEqual({ current: 1, count: 1 });

    const back = showVersion(regenerated, 3, 1);
    expect(ids(back)).toEqual(["u1", "a1", "u2", "a2"]);
    expect(versionOf(back[3]!)).toEqual({ current: 1, count: 2 });
    expect(back[3]!.alternatives?.map(ids)).toEqual([["a2x"]]);
    // A switch moves messages, it never drops one.
    expect(allMessageIds(back)).toEqual(allMessageIds(regenerated));
    expect(ids(showVersion(back, 3, 2))).toEqual(ids(regenerated));
    // Nor does it move the chat in the list.
    const listed = (messages: ChatMessage[]) =>
      summarize({ id: "c", title: "t", createdAt: 0, updatedAt: 9, messages }).lastActivity;
    expect(listed(back)).toBe(5);
    expect(listed(regenerated)).toBe(5);
  });

  it("keeps an edited question's whole earlier tail as one version", () => {
    const edited = branchAt(chat, 0, [msg("u1x", 5)]);
    expect(ids(edited)).toEqual(["u1x"]);
    expect(edited[0]!.alternatives?.map(ids)).toEqual([["u1", "a1", "u2", "a2"]]);
    expect(ids(showVersion(edited, 0, 1))).toEqual(["u1", "a1", "u2", "a2"]);
  });

  it("keeps versions inside versions: a regenerated reply in an earlier edit stays there", () => {
    const regenerated = branchAt(chat, 3, [msg("a2x", 5)]);
    const edited = branchAt(regenerated, 2, [msg("u2x", 6)]);
    expect(ids(edited)).toEqual(["u1", "a1", "u2x"]);
    const older = showVersion(edited, 2, 1);
    expect(ids(older)).toEqual(["u1", "a1", "u2", "a2x"]);
    expect(versionOf(older[3]!)).toEqual({ current: 2, count: 2 });
    expect(allMessageIds(older).size).toBe(6);
  });

  it("keeps at most MAX_VERSIONS versions of one message, dropping the oldest", () => {
    let line = chat;
    for (let i = 0; i < MAX_VERSIONS + 3; i++) line = branchAt(line, 3, [msg(`a${i}x`, 10 + i)]);
    expect(versionOf(line[3]!).count).toBe(MAX_VERSIONS);
    const all = allMessageIds(line);
    expect(all.has("a2")).toBe(false);
    expect(all.has(`a${MAX_VERSIONS + 2}x`)).toBe(true);
  });

  it("on deleting a message with versions, passes them on, or shows the newest left", () => {
    const edited = branchAt(chat, 2, [msg("u2x", 5), msg("a2x", 6)]);
    // The question goes, its answer takes its place among the versions.
    const answerKept = removeMessages(edited, new Set(["u2x"]));
    expect(ids(answerKept)).toEqual(["u1", "a1", "a2x"]);
    expect(answerKept[2]!.alternatives?.map(ids)).toEqual([["u2", "a2"]]);
    // Question and answer go: the earlier version shows again.
    const both = removeMessages(edited, new Set(["u2x", "a2x"]));
    expect(ids(both)).toEqual(["u1", "a1", "u2", "a2"]);
    expect(both.some((m) => m.alternatives)).toBe(false);
    // A message removed inside a version goes from there.
    const inside = removeMessages(edited, new Set(["a2"]));
    expect(inside[2]!.alternatives?.map(ids)).toEqual([["u2"]]);
  });
});

describe("stored versions", () => {
  const conversation = (messages: ChatMessage[]): Conversation => ({
    id: "c",
    title: "t",
    createdAt: 1,
    updatedAt: 1,
    messages,
  });

  it("are read back, and a record without them still reads", () => {
    expect(isConversation(conversation(chat))).toBe(true);
    expect(isConversation(conversation(branchAt(chat, 3, [msg("a2x", 5)])))).toBe(true);
    const damaged = conversation([{ ...msg("u1", 1), alternatives: [[{ id: 3 }]] } as never]);
    expect(isConversation(damaged)).toBe(false);
  });

  it("travel in the export file and are imported again", () => {
    const versioned = conversation(branchAt(chat, 3, [msg("a2x", 5)]));
    const file = { format: "cutegpt-web-conversations", version: 1, conversations: [versioned] };
    const parsed = parseExport(JSON.stringify(file));
    expect(parsed.ok && parsed.conversations[0]).toEqual(versioned);
  });

  it("too deep a nesting is refused before the check could overflow the stack", () => {
    const nested = (depth: number) => {
      let m = msg("u0", 0);
      for (let i = 1; i <= depth; i++) m = { ...msg(`u${i}`, i), alternatives: [[m]] };
      return conversation([m]);
    };
    expect(isConversation(nested(MAX_VERSION_DEPTH))).toBe(true);
    expect(isConversation(nested(20_000))).toBe(false);
    // Written out by hand: JSON.stringify itself would overflow on it.
    const level = '{"id":"u","role":"user","content":"","createdAt":1,"status":"done"';
    const messages = `${`${level},"alternatives":[[`.repeat(20_000)}${level}}${"]]}".repeat(20_000)}`;
    const text = `{"format":"cutegpt-web-conversations","version":1,"conversations":[{"id":"c","title":"t","createdAt":1,"updatedAt":1,"messages":[${messages}]}]}`;
    expect(parseExport(text)).toMatchObject({ ok: false, reason: "wrong-shape" });
    // The app itself never writes one: past the limit a new version replaces the old one.
    const deepest = [msg("a", 0), ...nested(MAX_VERSION_DEPTH).messages];
    const replaced = branchAt(deepest, 0, [msg("ux", 99_999)]);
    expect(ids(replaced)).toEqual(["ux"]);
    expect(replaced[0]!.alternatives).toBeUndefined();
    expect(branchAt(deepest, 1, [msg("ux", 99_999)])[1]!.alternatives).toHaveLength(2);
  });
});
