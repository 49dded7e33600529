import { readFileSync } from "node:fs";
import { buildEngineRequest } from "../../app/features/chat/engine-request";
import { defaultConversationSettings } from "../../app/features/chat/settings";
import type { ChatMessage, PromptLayout } from "../../app/storage/types";
import { END_ID, SimulatedEngine } from "../webllm/kv-sim";
import type { BenchResult } from "./types";

/**
 * Prefill tokens per CuteGPT turn, training layout (chat API, KV cache kept) against the
 * reference layout (one prompt string, full prefill every turn), over the seed's multi-turn
 * sessions, in one run. Both go through the app's own request builder (window, budget:
 * 2048 − 256) and web-llm 0.2.86's own prefill/decode code with a real tokenizer, only the
 * GPU forward replaced by a recorder (test/webllm/kv-sim.ts); the prefill figure is what that
 * code feeds the model. The "model" answers each turn with the seed's reply (at most 255
 * tokens) and `<end>`.
 *
 * The tokenizer is a real 32k sentencepiece BPE, not CuteGPT's (no CuteGPT tokenizer is
 * installable here): Chinese text costs it more tokens, so the 2048-token window fills
 * sooner than with CuteGPT's extended vocabulary and the window moves more often. That
 * makes the training layout's figure pessimistic, not optimistic.
 */
interface Fixture {
  conversations: Array<{
    id: string;
    conversation: { messages: Array<{ role: "user" | "assistant"; content: string }> };
  }>;
}

const SESSIONS = ["book-recommendations", "whole-session"];
const MAX_TOKENS = 256;

async function runSession(
  questions: readonly string[],
  replies: readonly string[],
  layout: PromptLayout,
): Promise<{ prefilled: number[]; dropped: number[] }> {
  const engine = await SimulatedEngine.create(2048);
  const settings = {
    ...defaultConversationSettings(),
    promptLayout: layout,
    decoding: { ...defaultConversationSettings().decoding, maxTokens: MAX_TOKENS },
  };
  const chat: ChatMessage[] = [];
  const prefilled: number[] = [];
  const dropped: number[] = [];
  for (const [t, question] of questions.entries()) {
    chat.push({ id: `u${t}`, role: "user", content: question, createdAt: t, status: "done" });
    const request = await buildEngineRequest(
      chat,
      settings,
      { cutegpt: true, contextWindow: 2048 },
      (text) => engine.encode(text).length,
    );
    const reply = [...engine.encode(replies[t]!).slice(0, MAX_TOKENS - 1), END_ID];
    const input = request.input;
    const result =
      input.kind === "prompt"
        ? await engine.complete(input.prompt, reply)
        : await engine.chat(input.messages, reply);
    if (result.finishReason !== "stop") throw new Error(`turn ${t + 1}: ${result.finishReason}`);
    prefilled.push(result.prefilled);
    dropped.push(request.droppedTurns);
    chat.push({
      id: `a${t}`,
      role: "assistant",
      content: result.text,
      createdAt: t,
      status: "done",
    });
  }
  return { prefilled, dropped };
}

export default async function run(): Promise<BenchResult[]> {
  const fixture = JSON.parse(
    readFileSync(new URL("../fixtures/seed-conversations.json", import.meta.url), "utf8"),
  ) as Fixture;
  const out: BenchResult[] = [];
  let trainingTotal = 0;
  let referenceTotal = 0;
  let followUpTraining = 0;
  let followUpReference = 0;
  for (const id of SESSIONS) {
    const messages = fixture.conversations.find((c) => c.id === id)?.conversation.messages;
    if (!messages) throw new Error(`seed-conversations.json lacks ${id}`);
    const questions = messages.filter((m) => m.role === "user").map((m) => m.content);
    const replies = messages.filter((m) => m.role === "assistant").map((m) => m.content);
    const training = await runSession(questions, replies, "training");
    const reference = await runSession(questions, replies, "reference");
    training.prefilled.forEach((tokens, t) => {
      const moved = t > 0 && training.dropped[t]! > training.dropped[t - 1]!;
      out.push({
        name: `${id} turn ${t + 1} prefill${moved ? ` (window moved: ${training.dropped[t]} pairs out)` : ""}`,
        value: tokens,
        unit: "tokens",
        baseline: reference.prefilled[t]!,
        baselineName: "reference layout",
      });
      if (t > 0) {
        followUpTraining += tokens;
        followUpReference += reference.prefilled[t]!;
      }
    });
    trainingTotal += training.prefilled.reduce((a, b) => a + b, 0);
    referenceTotal += reference.prefilled.reduce((a, b) => a + b, 0);
  }
  out.push(
    {
      name: "follow-ups (turn ≥ 2), all sessions: prefill, training layout",
      value: followUpTraining,
      unit: "tokens",
      baseline: followUpReference,
      baselineName: "reference layout",
    },
    {
      name: "all turns, all sessions: prefill, training layout",
      value: trainingTotal,
      unit: "tokens",
      baseline: referenceTotal,
      baselineName: "reference layout",
    },
  );
  return out;
}
