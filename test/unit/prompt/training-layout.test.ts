import { describe, expect, it } from "vitest";
import {
  planTrainingWindow,
  trainingLayoutText,
  trainingLayoutTurns,
  type LayoutCosts,
} from "../../../app/prompt/training-layout";
import { buildEngineRequest } from "../../../app/features/chat/engine-request";
import { defaultConversationSettings } from "../../../app/features/chat/settings";
import type { ChatMessage } from "../../../app/storage/types";

describe("trainingLayoutTurns", () => {
  it("puts <end> before every question but the window's first, and the input before 答：", () => {
    expect(
      trainingLayoutTurns(
        "q3",
        [
          ["q1", "r1"],
          ["q2\nin2", "r2"],
        ],
        "in3",
        "M\n",
      ),
    ).toEqual([
      { role: "system", content: "M\n" },
      { role: "user", content: "问：q1\n答：\n" },
      { role: "assistant", content: "r1" },
      { role: "user", content: "<end>问：q2\nin2\n答：\n" },
      { role: "assistant", content: "r2" },
      { role: "user", content: "<end>问：q3\nin3\n答：\n" },
    ]);
  });

  it("joins into the training text: replies end with <end>, questions follow directly", () => {
    const turns = trainingLayoutTurns("q2", [["q1", "r1"]], undefined, "M\n");
    expect(trainingLayoutText(turns)).toBe("M\n问：q1\n答：\nr1<end>问：q2\n答：\n");
  });
});

describe("planTrainingWindow", () => {
  const pairs = (n: number, question = 10, reply = 40) =>
    Array.from({ length: n }, () => ({ question, reply }));
  const costs = (n: number): LayoutCosts => ({ meta: 20, pairs: pairs(n), query: 10 });

  it("keeps every past pair while the prompt fits, counting one token per <end>", () => {
    // 20 + 3 × 50 + 2 (<end> of questions 2, 3) + 10 + 1 (<end> of the current question)
    expect(planTrainingWindow(costs(3), 500)).toEqual({ start: 0, promptTokens: 183 });
  });

  it("jumps to at most half the budget when it must move, so the next turns reuse again", () => {
    const limit = 300;
    const starts = [];
    for (let n = 0; n <= 14; n++) starts.push(planTrainingWindow(costs(n), limit)!.start);
    // Each move drops several pairs at once; between moves the start stays put.
    // 30 + 51k tokens for k pairs: 5 fit in 300; a move keeps 2 (≤ 150).
    expect(starts).toEqual([0, 0, 0, 0, 0, 0, 4, 4, 4, 4, 8, 8, 8, 8, 12]);
    for (let n = 0; n <= 14; n++) {
      expect(planTrainingWindow(costs(n), limit)!.promptTokens).toBeLessThanOrEqual(limit);
    }
  });

  it("gives the same start for a turn whether it is planned now or replayed later", () => {
    const limit = 300;
    for (let n = 1; n <= 12; n++) {
      const now = planTrainingWindow(costs(n), limit)!.start;
      const next = planTrainingWindow(costs(n + 1), limit)!.start;
      // The window only moves forward, and only when the next prompt would not fit.
      expect(next).toBeGreaterThanOrEqual(now);
      if (next !== now) {
        const unmoved = 30 + 51 * (n + 1 - now);
        expect(unmoved).toBeGreaterThan(limit);
      }
    }
  });

  it("returns null when the question alone does not fit", () => {
    expect(planTrainingWindow({ meta: 20, pairs: pairs(2), query: 400 }, 300)).toBeNull();
  });
});

describe("buildEngineRequest with the training layout (the default)", () => {
  const message = (role: "user" | "assistant", content: string): ChatMessage => ({
    id: `${role}-${content}`,
    role,
    content,
    createdAt: 0,
    status: "done",
  });
  const chat = [
    message("user", "q1"),
    message("assistant", "r1"),
    message("user", "q2"),
    message("assistant", "r2"),
    message("user", "q3"),
  ];

  it("sends every past pair as chat turns, beyond the reference layout's history limit", async () => {
    const settings = { ...defaultConversationSettings(), historyLimit: 1, metaPrompt: "M\n" };
    const request = await buildEngineRequest(chat, settings, { cutegpt: true }, (t) => t.length);
    expect(request.input).toEqual({
      kind: "training-layout",
      messages: trainingLayoutTurns(
        "q3",
        [
          ["q1", "r1"],
          ["q2", "r2"],
        ],
        undefined,
        "M\n",
      ),
    });
    expect(request.droppedTurns).toBe(0);
    expect(request.options).toMatchObject({ topK: 50, repetitionOverPrompt: true });
  });

  it("keeps the reference layout per chat: one prompt string within the history limit", async () => {
    const settings = {
      ...defaultConversationSettings(),
      promptLayout: "reference" as const,
      historyLimit: 1,
      metaPrompt: "M\n",
    };
    const request = await buildEngineRequest(chat, settings, { cutegpt: true }, (t) => t.length);
    expect(request.input).toEqual({
      kind: "prompt",
      prompt: "M\n问：q2\n答：\nr2\n问：q3\n答：\n",
    });
  });

  it("drops the oldest pairs when the context is full, and refuses a question that cannot fit", async () => {
    const long = "x".repeat(1000);
    const full = [
      message("user", long),
      message("assistant", long),
      message("user", "q2"),
      message("assistant", "r2"),
      message("user", "q3"),
    ];
    const settings = defaultConversationSettings();
    const request = await buildEngineRequest(full, settings, { cutegpt: true }, (t) => t.length);
    expect(request.droppedTurns).toBe(1);
    const tooLong = [message("user", "y".repeat(2000))];
    await expect(
      buildEngineRequest(tooLong, settings, { cutegpt: true }, (t) => t.length),
    ).rejects.toThrow(/this model can take at most/);
  });
});
