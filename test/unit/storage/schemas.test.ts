import { describe, expect, it } from "vitest";
import { isConversation } from "../../../app/storage/conversation-shape";
import { mergeWithStored } from "../../../app/storage/cross-tab";
import { isSummary, summarize } from "../../../app/storage/summaries";
import { isTombstone, tombstoneFor } from "../../../app/storage/tombstones";
import { chat } from "../conversation-fixtures";

describe("stored values are checked against their schemas", () => {
  it("accepts what the app writes, keeping fields a newer version added", () => {
    const record = { ...chat(1), fromTheFuture: { x: 1 } };
    expect(isConversation(record)).toBe(true);
    // A save of a record read this way writes it back with that field.
    expect(mergeWithStored(record as ReturnType<typeof chat>, chat(1))).toHaveProperty(
      "fromTheFuture",
    );
    expect(isSummary(summarize(chat(1)))).toBe(true);
    expect(isTombstone(tombstoneFor("c1", 5))).toBe(true);
  });

  it("sets aside records whose fields have the wrong shape, not only missing ones", () => {
    const bad = [
      { ...chat(1), pinned: "yes" },
      { ...chat(1), settings: { metaPrompt: "m" } },
      { ...chat(1), messages: [{ ...chat(1).messages[0], status: "thinking" }] },
      { ...chat(1), messages: [{ ...chat(1).messages[0], usage: { promptTokens: "3" } }] },
      { ...chat(1), messages: [{ ...chat(1).messages[0], input: undefined }] },
      tombstoneFor("c1", 5),
      null,
    ];
    for (const value of bad) expect(isConversation(value)).toBe(false);
    expect(isSummary({ ...summarize(chat(1)), pinned: undefined })).toBe(false);
    expect(isTombstone({ kind: "deleted-conversation", id: "c1" })).toBe(false);
  });
});
