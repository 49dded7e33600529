import { describe, expect, it } from "vitest";
import type { ChatTokenCounts, ChatTurn } from "../../../app/protocol/worker-protocol";
import {
  CHAT_BUDGET_MARGIN,
  PromptTooLongError,
  fitChatToBudget,
  planTurnWindow,
} from "../../../app/prompt/budget";

/** One token per character, 4 per message and 10 fixed: easy to add up by hand. */
const counter = async (messages: ChatTurn[]): Promise<ChatTokenCounts> => ({
  fixed: 10,
  messages: messages.map((m) => m.content.length + 4),
});
const user = (content: string): ChatTurn => ({ role: "user", content });
const reply = (content: string): ChatTurn => ({ role: "assistant", content });
const pair = (i: number, size: number) => [user(`${i}`.padEnd(size, "q")), reply("a".repeat(size))];

describe("fitChatToBudget", () => {
  it("sends everything while it fits, with one count", async () => {
    let calls = 0;
    const fitted = await fitChatToBudget({
      system: { role: "system", content: "sys" },
      pairs: [pair(0, 10), pair(1, 10)],
      tail: [user("now")],
      contextWindow: 1000,
      maxTokens: 100,
      countChatTokens: async (m) => (calls++, counter(m)),
    });
    expect(calls).toBe(1);
    expect(fitted.droppedTurns).toBe(0);
    expect(fitted.messages.map((m) => m.content)).toEqual([
      "sys",
      "0qqqqqqqqq",
      "a".repeat(10),
      "1qqqqqqqqq",
      "a".repeat(10),
      "now",
    ]);
    // 10 fixed + (3 + 4) + 4 × 14 + (3 + 4)
    expect(fitted.promptTokens).toBe(80);
  });

  it("leaves out the oldest pairs, keeps the system prompt and the question, and fits", async () => {
    const pairs = Array.from({ length: 10 }, (_, i) => pair(i, 46)); // 100 tokens a pair
    const fitted = await fitChatToBudget({
      system: { role: "system", content: "s".repeat(36) }, // 40
      pairs,
      tail: [user("q".repeat(46))], // 50
      contextWindow: 600 + CHAT_BUDGET_MARGIN,
      maxTokens: 100,
      countChatTokens: counter,
    });
    expect(fitted.droppedTurns).toBeGreaterThan(0);
    expect(fitted.promptTokens).toBeLessThanOrEqual(500);
    expect(fitted.messages[0]?.role).toBe("system");
    expect(fitted.messages.at(-1)?.content).toBe("q".repeat(46));
    expect(fitted.messages[1]?.content.startsWith(`${fitted.droppedTurns}`)).toBe(true);
    expect(fitted.messages).toHaveLength(2 + 2 * (10 - fitted.droppedTurns));
  });

  it("refuses a question that does not fit even alone, and a continuation that cannot", async () => {
    const request = {
      pairs: [pair(0, 5)],
      contextWindow: 100 + CHAT_BUDGET_MARGIN,
      maxTokens: 50,
      countChatTokens: counter,
    };
    await expect(fitChatToBudget({ ...request, tail: [user("x".repeat(60))] })).rejects.toEqual(
      new PromptTooLongError(74, 50),
    );
    const continuing = fitChatToBudget({
      ...request,
      tail: [user("x"), reply("y".repeat(40)), user("go on")],
    });
    await expect(continuing).rejects.toMatchObject({ continuing: true });
  });
});

describe("planTurnWindow", () => {
  it("does not move the window while turns fit, then jumps to leave room", () => {
    const pairs = Array.from({ length: 6 }, () => ({ question: 10, reply: 40 }));
    // Turn by turn the start only moves when a turn does not fit, and then far enough that
    // the next turns fit again: the same start for several follow-ups (cache reuse).
    const starts = [1, 2, 3, 4, 5, 6].map(
      (n) => planTurnWindow({ fixed: 0, pairs: pairs.slice(0, n), query: 10 }, 200)?.start,
    );
    expect(starts).toEqual([0, 0, 0, 3, 3, 3]);
    expect(planTurnWindow({ fixed: 150, pairs, query: 60 }, 200)).toBeNull();
  });
});
