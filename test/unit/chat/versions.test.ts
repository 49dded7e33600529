import { describe, expect, it, vi } from "vitest";
import { removeMessage, undoRemoval } from "../../../app/features/chat/message-removal";
import type { ChatInput } from "../../../app/protocol/worker-protocol";
import { allMessageIds, versionOf } from "../../../app/storage/branches";
import { appWithEngine, scriptedEngine, USAGE } from "./app-harness";

/** An app whose engine answers "Reply N" and records the chat messages of each request. */
function app() {
  const inputs: ChatInput[] = [];
  const chat = vi.fn(async (input: ChatInput, _o: unknown, onDelta: (t: string) => void) => {
    inputs.push(input);
    onDelta(`Reply ${inputs.length}`);
    return USAGE;
  });
  return { ...appWithEngine(scriptedEngine({ chat })), inputs };
}

const contents = (input: ChatInput | undefined) =>
  input?.kind === "messages" ? input.messages.map((m) => m.content) : [];

describe("Regenerate and Edit keep the earlier version", () => {
  it("regenerate, switch back: the next prompt and the saved record use the version shown", async () => {
    const { store, saved, settled, inputs } = app();
    await store.getState().send("Question");
    const id = store.getState().activeId!;
    const first = store.getState().conversations[id]!.messages[1]!;
    await store.getState().regenerate(id, first.id);
    let messages = store.getState().conversations[id]!.messages;
    expect(messages.map((m) => m.content)).toEqual(["Question", "Reply 2"]);
    expect(versionOf(messages[1]!)).toEqual({ current: 2, count: 2 });

    store.getState().showMessageVersion(id, messages[1]!.id, 1);
    messages = store.getState().conversations[id]!.messages;
    expect(messages.map((m) => m.content)).toEqual(["Question", "Reply 1"]);
    expect(versionOf(messages[1]!)).toEqual({ current: 1, count: 2 });

    await store.getState().send("Next");
    expect(contents(inputs.at(-1))).toEqual(["Question", "Reply 1", "Next"]);
    await settled();
    const record = saved(id)!;
    expect(record.messages.map((m) => m.content)).toEqual([
      "Question",
      "Reply 1",
      "Next",
      "Reply 3",
    ]);
    expect(record.messages[1]?.alternatives?.[0]?.[0]?.content).toBe("Reply 2");
    expect(record.removedMessageIds).toBeUndefined();
  });

  it("edit keeps the question and its answers as version 1", async () => {
    const { store, inputs } = app();
    await store.getState().send("Old question");
    const id = store.getState().activeId!;
    const question = store.getState().conversations[id]!.messages[0]!;
    await store.getState().editAndResend(id, question.id, "New question");
    const messages = store.getState().conversations[id]!.messages;
    expect(messages.map((m) => m.content)).toEqual(["New question", "Reply 2"]);
    expect(versionOf(messages[0]!)).toEqual({ current: 2, count: 2 });
    expect(contents(inputs.at(-1))).toEqual(["New question"]);
    store.getState().showMessageVersion(id, messages[0]!.id, 1);
    expect(store.getState().conversations[id]!.messages.map((m) => m.content)).toEqual([
      "Old question",
      "Reply 1",
    ]);
  });

  it("Undo of deleting a versioned question brings back the versions as they were", async () => {
    const { store } = app();
    await store.getState().send("Old question");
    const id = store.getState().activeId!;
    const question = store.getState().conversations[id]!.messages[0]!;
    await store.getState().editAndResend(id, question.id, "New question");
    const before = store.getState().conversations[id]!.messages;
    const removal = removeMessage(before, before[0]!.id);
    store.getState().replaceMessages(id, removal.after);
    // The other version shows while the deleted one is gone.
    expect(removal.after.map((m) => m.content)).toEqual(["Old question", "Reply 1"]);
    const current = store.getState().conversations[id]!.messages;
    store.getState().replaceMessages(id, undoRemoval(current, removal));
    const restored = store.getState().conversations[id]!.messages;
    expect(restored.map((m) => m.content)).toEqual(["New question", "Reply 2"]);
    expect(versionOf(restored[0]!)).toEqual({ current: 2, count: 2 });
    expect(allMessageIds(restored).size).toBe(4);
  });

  it("deleting a question takes every version of its answer along; Undo brings them back", async () => {
    const { store } = app();
    await store.getState().send("Question");
    const id = store.getState().activeId!;
    const reply = store.getState().conversations[id]!.messages[1]!;
    await store.getState().regenerate(id, reply.id);
    const before = store.getState().conversations[id]!.messages;
    const removal = removeMessage(before, before[0]!.id);
    expect(removal.after).toEqual([]);
    store.getState().replaceMessages(id, removal.after);
    const current = store.getState().conversations[id]!.messages;
    store.getState().replaceMessages(id, undoRemoval(current, removal));
    const restored = store.getState().conversations[id]!.messages;
    expect(restored.map((m) => m.content)).toEqual(["Question", "Reply 2"]);
    expect(restored[1]!.alternatives?.[0]?.[0]?.content).toBe("Reply 1");
    // Every id is new: the old ones are tombstones now.
    expect([...allMessageIds(restored)].some((m) => allMessageIds(before).has(m))).toBe(false);
  });
});
