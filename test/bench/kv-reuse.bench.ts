import { readFileSync } from "node:fs";
import { generatePrompt, windowHistory, type HistoryPair } from "../../app/prompt/cutegpt";
import type { BenchResult } from "./types";

/**
 * What KV-cache reuse would save CuteGPT, per turn, on a multi-turn chat built from the
 * seed's examples. The app sends CuteGPT the full prompt every turn (raw-prompt path, exact
 * tokens; see app/features/chat/engine-request.ts). A chat-template path could prefill only
 * the new text while the previous prompt + reply is a prefix of the new prompt; once the
 * 3-pair history window slides, the prefix changes and it too must prefill everything.
 *
 * Lengths are in characters: no CuteGPT tokenizer exists on these machines. For Chinese text
 * the extended vocabulary puts tokens close to characters, and the ratio is what matters.
 */
interface Fixture {
  conversations: Array<{
    id: string;
    conversation: { messages: Array<{ role: "user" | "assistant"; content: string }> };
  }>;
}

export default async function run(): Promise<BenchResult[]> {
  const fixture = JSON.parse(
    readFileSync(new URL("../fixtures/seed-conversations.json", import.meta.url), "utf8"),
  ) as Fixture;
  const session = fixture.conversations.find((c) => c.id === "whole-session");
  if (!session) throw new Error("seed-conversations.json lacks the whole-session chat");
  const turns: HistoryPair[] = [];
  const messages = session.conversation.messages;
  for (let i = 0; i + 1 < messages.length; i += 2) {
    turns.push([messages[i]!.content, messages[i + 1]!.content]);
  }

  let rawTotal = 0;
  let reuseTotal = 0;
  let previousContext = "";
  const perTurn: BenchResult[] = [];
  turns.forEach(([query, reply], t) => {
    const prompt = generatePrompt(query, windowHistory(turns.slice(0, t), 3));
    const reusable = previousContext !== "" && prompt.startsWith(previousContext);
    const reusePrefill = reusable ? prompt.length - previousContext.length : prompt.length;
    rawTotal += prompt.length;
    reuseTotal += reusePrefill;
    perTurn.push({
      name: `turn ${t + 1} prefill${reusable ? "" : " (no reusable prefix)"}`,
      value: prompt.length,
      unit: "chars",
      baseline: reusePrefill,
      baselineName: "with KV reuse",
    });
    // The chat path's cache holds the prompt and the reply the model wrote, plus the
    // separator the next turn's template adds.
    previousContext = `${prompt}${reply}\n`;
  });
  return [
    ...perTurn,
    {
      name: `all ${turns.length} turns: prefill, raw prompt (app)`,
      value: rawTotal,
      unit: "chars",
      baseline: reuseTotal,
      baselineName: "with KV reuse",
    },
  ];
}
