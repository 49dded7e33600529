import { describe, expect, it, vi } from "vitest";
import type { ChatInput } from "../../../app/protocol/worker-protocol";
import { defaultConversationSettings } from "../../../app/features/chat/settings";
import type { ChatMessage, Conversation } from "../../../app/storage/types";
import { appWithEngine, gate, scriptedEngine, USAGE } from "./app-harness";

const settings = defaultConversationSettings();
settings.decoding = { ...settings.decoding, maxTokens: 50 };

const at = (n: number) => 1_000 + n;
const user = (id: string, content: string, n: number): ChatMessage => ({
  id,
  role: "user",
  content,
  createdAt: at(n),
  status: "done",
});
const answer = (id: string, content: string, n: number, cut = false): ChatMessage => ({
  id,
  role: "assistant",
  content,
  createdAt: at(n),
  status: "done",
  usage: { ...USAGE, finishReason: cut ? "length" : "stop" },
});

function conversation(messages: ChatMessage[]): Conversation {
  return { id: "c", title: "c", createdAt: at(0), updatedAt: at(9), messages, settings };
}

/** CuteGPT with a 300-token window (the engine counts one token per character). */
function cutegpt(initial: Conversation) {
  const prompts: string[] = [];
  const chat = vi.fn(async (input: ChatInput, _o: unknown, onDelta: (t: string) => void) => {
    if (input.kind === "prompt") prompts.push(input.prompt);
    onDelta(" and more");
    return USAGE;
  });
  const app = appWithEngine(scriptedEngine({ chat }), {
    entry: { family: "cutegpt", contextWindow: 300 },
    initial: [initial],
  });
  return { app, chat, prompts };
}

describe("Continue stays within the context window", () => {
  it("counts the continued text in the budget: an old turn is dropped to make room", async () => {
    const cut = "x".repeat(120);
    const { app, prompts } = cutegpt(
      conversation([
        user("u1", "old question", 1),
        answer("a1", "o".repeat(60), 2),
        user("u2", "new question", 3),
        answer("a2", cut, 4, true),
      ]),
    );
    await app.store.getState().hydrate();
    await app.store.getState().continueReply("c", "a2");
    expect(prompts).toHaveLength(1);
    const prompt = prompts[0]!;
    expect(prompt.endsWith(`问：new question\n答：\n${cut}`)).toBe(true);
    expect(prompt).not.toContain("old question");
    expect(Array.from(prompt).length).toBeLessThanOrEqual(300 - 50);
    expect(app.saved("c")?.messages[3]).toMatchObject({
      content: `${cut} and more`,
      status: "done",
    });
  });

  it("says so before sending when even the question and the reply alone do not fit", async () => {
    const cut = "x".repeat(220);
    const { app, chat } = cutegpt(
      conversation([user("u1", "question", 1), answer("a1", cut, 2, true)]),
    );
    await app.store.getState().hydrate();
    await app.store.getState().continueReply("c", "a1");
    expect(chat).not.toHaveBeenCalled();
    const saved = app.saved("c")?.messages[1];
    expect(saved).toMatchObject({ content: cut, status: "done" });
    expect(saved?.error?.code).toBe("context-window-exceeded");
    expect(saved?.error?.message).toMatch(/cannot be continued/);
  });
});

describe("a continuation is saved while it is written", () => {
  it("reaches storage before it ends, so a closed tab keeps it (as the pagehide flush does)", async () => {
    const going = gate();
    const app = appWithEngine(
      scriptedEngine({
        async chat(_i, _o, onDelta) {
          onDelta(" and more");
          await going.promise;
          return USAGE;
        },
      }),
      { initial: [conversation([user("u1", "question", 1), answer("a1", "partial", 2, true)])] },
    );
    await app.store.getState().hydrate();
    const continuing = app.store.getState().continueReply("c", "a1");
    await vi.waitFor(() =>
      expect(app.store.getState().conversations.c?.messages[1]?.content).toBe("partial and more"),
    );
    await new Promise((r) => setTimeout(r, 80));
    await app.store.getState().flushSaves();
    expect(app.saved("c")?.messages[1]).toMatchObject({
      content: "partial and more",
      status: "streaming",
    });
    going.open();
    await continuing;
    expect(app.saved("c")?.messages[1]).toMatchObject({
      content: "partial and more",
      status: "done",
    });
  });
});
