import { afterEach, describe, expect, it, vi } from "vitest";
import { isConversation, markCutOffReplies } from "../../../app/storage/conversation-shape";
import { memoryConversationRepository } from "../../../app/storage/repository";
import { ThrottledSaver } from "../../../app/storage/throttled-saver";
import type { Conversation } from "../../../app/storage/types";

const conversation = (id: string, status: "done" | "streaming" = "done"): Conversation => ({
  id,
  title: "t",
  createdAt: 1,
  updatedAt: 2,
  messages: [
    { id: "u", role: "user", content: "q", createdAt: 1, status: "done" },
    { id: "a", role: "assistant", content: "partial", createdAt: 1, status },
  ],
});

afterEach(() => vi.useRealTimers());

describe("stored conversation shape", () => {
  it("accepts a well-formed record and rejects odd ones", () => {
    expect(isConversation(conversation("x"))).toBe(true);
    expect(isConversation(null)).toBe(false);
    expect(isConversation({ ...conversation("x"), messages: "nope" })).toBe(false);
    expect(
      isConversation({ ...conversation("x"), messages: [{ id: "m", role: "robot", content: "" }] }),
    ).toBe(false);
  });

  it("marks a reply left streaming by a closed tab as interrupted and keeps its text", () => {
    const fixed = markCutOffReplies(conversation("x", "streaming"));
    expect(fixed.messages[1]).toMatchObject({ status: "interrupted", content: "partial" });
    const untouched = conversation("y");
    expect(markCutOffReplies(untouched)).toBe(untouched);
  });
});

describe("throttled saver", () => {
  it("writes a streaming conversation at most once per interval, latest value last", async () => {
    vi.useFakeTimers();
    const writes: string[] = [];
    const saver = new ThrottledSaver<string>(async (v) => void writes.push(v), 500);
    for (let i = 0; i < 100; i++) saver.schedule("c", `v${i}`);
    expect(writes).toEqual([]);
    await vi.advanceTimersByTimeAsync(500);
    expect(writes).toEqual(["v99"]);
    saver.schedule("c", "final");
    await saver.flush();
    expect(writes).toEqual(["v99", "final"]);
  });

  it("keeps a value whose write failed and saves it on the next flush", async () => {
    let full = true;
    const saved: string[] = [];
    const errors: unknown[] = [];
    const saver = new ThrottledSaver<string>(
      async (v) => {
        if (full) throw new DOMException("full", "QuotaExceededError");
        saved.push(v);
      },
      500,
      (e) => errors.push(e),
    );
    saver.schedule("c", "reply");
    await saver.flush();
    expect(errors).toHaveLength(1);
    expect(saver.failed).toBeInstanceOf(DOMException);
    full = false;
    await saver.flush();
    expect(saved).toEqual(["reply"]);
    expect(saver.failed).toBeUndefined();
  });
});

describe("throttled saver with several conversations", () => {
  it("still reports a failure while one conversation is unsaved, even after another saves", async () => {
    const saver = new ThrottledSaver<string>(async (v) => {
      if (v === "big") throw new DOMException("full", "QuotaExceededError");
    }, 500);
    saver.schedule("big-chat", "big");
    saver.schedule("small-chat", "small");
    await saver.flush();
    expect(saver.failed).toBeInstanceOf(DOMException);
    saver.schedule("small-chat", "small again");
    await saver.flush();
    expect(saver.failed).toBeInstanceOf(DOMException);
  });
});

describe("memory repository", () => {
  it("returns copies, so later edits do not leak into storage", async () => {
    const repo = memoryConversationRepository();
    const c = conversation("x");
    await repo.save(c);
    c.title = "changed";
    const { conversations } = await repo.loadAll();
    expect(conversations[0]?.title).toBe("t");
  });
});
