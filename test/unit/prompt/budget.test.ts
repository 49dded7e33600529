import { describe, expect, it } from "vitest";
import { PromptTooLongError, fitPromptToBudget } from "../../../app/prompt/budget";
import type { HistoryPair } from "../../../app/prompt/cutegpt";

// A one-character meta prompt and one token per character keep the arithmetic checkable by
// hand: every past turn "问：qN\n答：\nrN\n" is 11 tokens, the question "问：now\n答：\n" is 9.
const META = "M\n";
const HISTORY: HistoryPair[] = [
  ["q1", "r1"],
  ["q2", "r2"],
  ["q3", "r3"],
];

function charCounter() {
  const seen: string[] = [];
  const countTokens = (text: string): number => {
    seen.push(text);
    return text.length;
  };
  return { seen, countTokens };
}

function request(limit: number, countTokens: (text: string) => number | Promise<number>) {
  return {
    query: "now",
    history: HISTORY,
    meta: META,
    historyLimit: 3,
    contextWindow: limit + 100,
    maxTokens: 100,
    countTokens,
  };
}

describe("fitPromptToBudget", () => {
  it("sends the whole window after a single count when it fits", async () => {
    const counter = charCounter();
    const fitted = await fitPromptToBudget(request(44, counter.countTokens));
    expect(fitted).toEqual({
      prompt: "M\n问：q1\n答：\nr1\n问：q2\n答：\nr2\n问：q3\n答：\nr3\n问：now\n答：\n",
      history: HISTORY,
      keptTurns: 3,
      droppedTurns: 0,
      promptTokens: 44,
      limit: 44,
    });
    expect(counter.seen).toHaveLength(1);
  });

  it("drops the oldest turn when the window is one token too long", async () => {
    const counter = charCounter();
    const fitted = await fitPromptToBudget(request(43, counter.countTokens));
    expect(fitted.prompt).toBe("M\n问：q2\n答：\nr2\n问：q3\n答：\nr3\n问：now\n答：\n");
    expect(fitted.history).toEqual([
      ["q2", "r2"],
      ["q3", "r3"],
    ]);
    expect(fitted.keptTurns).toBe(2);
    expect(fitted.droppedTurns).toBe(1);
    expect(fitted.promptTokens).toBe(33);
    expect(counter.seen).toHaveLength(3);
  });

  it("keeps only the newest turn when two do not fit", async () => {
    const counter = charCounter();
    const fitted = await fitPromptToBudget(request(32, counter.countTokens));
    expect(fitted.prompt).toBe("M\n问：q3\n答：\nr3\n问：now\n答：\n");
    expect(fitted.keptTurns).toBe(1);
    expect(fitted.droppedTurns).toBe(2);
    expect(fitted.promptTokens).toBe(22);
  });

  it("sends the question alone when no past turn fits", async () => {
    const fitted = await fitPromptToBudget(request(11, charCounter().countTokens));
    expect(fitted.prompt).toBe("M\n问：now\n答：\n");
    expect(fitted.history).toEqual([]);
    expect(fitted.keptTurns).toBe(0);
    expect(fitted.droppedTurns).toBe(3);
    expect(fitted.promptTokens).toBe(11);
  });

  it("refuses a question that does not fit even alone, saying its length and the limit", async () => {
    const error = await fitPromptToBudget(request(10, charCounter().countTokens)).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PromptTooLongError);
    expect(error).toMatchObject({ code: "prompt-too-long", tokens: 11, limit: 10 });
    expect((error as Error).message).toBe(
      "Your message is 11 tokens; this model can take at most 10 with the current reply length. " +
        "Shorten it or lower max tokens.",
    );
  });

  it("formats large counts with thousands separators in the refusal", async () => {
    const error = await fitPromptToBudget({
      query: "x".repeat(4000),
      history: [],
      meta: META,
      historyLimit: 3,
      contextWindow: 2048,
      maxTokens: 256,
      countTokens: () => 2345,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PromptTooLongError);
    expect((error as Error).message).toBe(
      "Your message is 2,345 tokens; this model can take at most 1,792 with the current reply " +
        "length. Shorten it or lower max tokens.",
    );
  });

  it("applies the history window before the budget and counts only budget cuts as dropped", async () => {
    const counter = charCounter();
    const fitted = await fitPromptToBudget({
      ...request(100, counter.countTokens),
      history: [["old", "older"], ...HISTORY],
      historyLimit: 2,
    });
    expect(fitted.prompt).toBe("M\n问：q2\n答：\nr2\n问：q3\n答：\nr3\n问：now\n答：\n");
    expect(fitted.keptTurns).toBe(2);
    expect(fitted.droppedTurns).toBe(0);
  });

  it("sends no history with a window of 0", async () => {
    const fitted = await fitPromptToBudget({ ...request(100, (t) => t.length), historyLimit: 0 });
    expect(fitted.prompt).toBe("M\n问：now\n答：\n");
  });

  it("defaults to the CuteGPT meta prompt, the seed's window of 3, and includes the input", async () => {
    const fitted = await fitPromptToBudget({
      query: "抽取人物",
      input: "张三是教授。",
      history: [["a", "1"], ...HISTORY],
      contextWindow: 2048,
      maxTokens: 256,
      countTokens: (t) => Math.ceil(t.length / 2),
    });
    expect(fitted.prompt).toBe(
      "你是复旦大学知识工场实验室训练出来的语言模型CuteGPT。给定任务描述，请给出对应请求的回答。\n" +
        "问：q1\n答：\nr1\n问：q2\n答：\nr2\n问：q3\n答：\nr3\n" +
        "问：抽取人物\n张三是教授。\n答：\n",
    );
    expect(fitted.keptTurns).toBe(3);
  });

  it("works with an asynchronous tokenizer and stays within log2 calls for long histories", async () => {
    const long: HistoryPair[] = Array.from({ length: 32 }, (_, i) => [`q${i}`, `r${i}`]);
    let calls = 0;
    const fitted = await fitPromptToBudget({
      query: "now",
      history: long,
      meta: META,
      historyLimit: 32,
      contextWindow: 200,
      maxTokens: 100,
      countTokens: async (text) => {
        calls += 1;
        await Promise.resolve();
        return text.length;
      },
    });
    // Meta and question take 2 + 9 = 11 tokens; turns q10..q31 take 13 each. 100 tokens hold
    // six of those (11 + 78 = 89) but not seven (11 + 91 = 102).
    expect(fitted.keptTurns).toBe(6);
    expect(fitted.droppedTurns).toBe(26);
    expect(fitted.prompt.startsWith("M\n问：q26\n答：\nr26\n")).toBe(true);
    expect(fitted.promptTokens).toBe(89);
    expect(calls).toBeLessThanOrEqual(1 + 6);
  });

  it("rejects a tokenizer that returns nonsense instead of guessing", async () => {
    await expect(fitPromptToBudget(request(44, () => Number.NaN))).rejects.toThrow(TypeError);
  });
});
