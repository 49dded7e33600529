import { describe, expect, it } from "vitest";
import { messagesToRemove, restoreRemoved } from "../../../app/features/chat/message-removal";
import type { ChatMessage } from "../../../app/storage/types";

const msg = (id: string, role: ChatMessage["role"]): ChatMessage => ({
  id,
  role,
  content: id,
  createdAt: 0,
  status: "done",
});
const chat = [msg("q1", "user"), msg("a1", "assistant"), msg("q2", "user"), msg("a2", "assistant")];

describe("deleting a message", () => {
  it("takes a question's answer with it, and an answer alone", () => {
    expect([...messagesToRemove(chat, "q1")]).toEqual(["q1", "a1"]);
    expect([...messagesToRemove(chat, "a1")]).toEqual(["a1"]);
    expect([...messagesToRemove(chat, "q2")]).toEqual(["q2", "a2"]);
    expect([...messagesToRemove(chat, "missing")]).toEqual([]);
  });

  it("puts removed messages back in place under new ids (the old ones are tombstones)", () => {
    const removed = [
      { message: chat[0]!, index: 0 },
      { message: chat[1]!, index: 1 },
    ];
    const restored = restoreRemoved(chat.slice(2), removed);
    expect(restored.map((m) => m.content)).toEqual(["q1", "a1", "q2", "a2"]);
    expect(restored[0]!.id).not.toBe("q1");
    expect(restored[2]!.id).toBe("q2");
  });
});
