import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { CUTEGPT_META, generatePrompt, type HistoryPair } from "../../../app/prompt/cutegpt";
import { trainingLayoutTurns } from "../../../app/prompt/training-layout";
import { replyEndedOnStopToken } from "../../../workers/kv-reuse";
import { END_ID, SimulatedEngine } from "../../webllm/kv-sim";

/**
 * The training layout through web-llm 0.2.86's own chat code (reuse decision, prefill,
 * decode, stop handling) and a real sentencepiece tokenizer in web-llm's own tokenizer; only
 * the GPU forward is replaced by a recorder of the tokens fed (test/webllm/kv-sim.ts). The
 * "model" is deterministic: it answers each turn with the seed's reply, tokenized as the
 * tokenizer tokenizes it, then `<end>`.
 */
interface Fixture {
  conversations: Array<{
    id: string;
    conversation: { messages: Array<{ role: "user" | "assistant"; content: string }> };
  }>;
}

function seedSession(id: string): HistoryPair[] {
  const fixture = JSON.parse(
    readFileSync(new URL("../../fixtures/seed-conversations.json", import.meta.url), "utf8"),
  ) as Fixture;
  const messages = fixture.conversations.find((c) => c.id === id)!.conversation.messages;
  const pairs: HistoryPair[] = [];
  for (let i = 0; i + 1 < messages.length; i += 2) {
    pairs.push([messages[i]!.content, messages[i + 1]!.content]);
  }
  return pairs;
}

const WINDOW = 8192;
let engine: SimulatedEngine;
// Each turn runs web-llm's real prefill and decode code over thousands of tokens: seconds on
// a loaded machine, whatever the speed (no timing is asserted here).
vi.setConfig({ testTimeout: 60_000 });
const encode = (text: string) => engine.encode(text);
/** What CuteGPT's dataset.py builds: each piece encoded alone, the reply with its `<end>`. */
const trainingTokens = (pairs: readonly HistoryPair[]) => [
  ...encode(CUTEGPT_META),
  ...pairs.flatMap(([q, r]) => [...encode(`问：${q}\n答：\n`), ...encode(`${r}<end>`)]),
];
const modelReply = (reply: string) => [...encode(reply), END_ID];

beforeAll(async () => {
  engine = await SimulatedEngine.create(WINDOW);
}, 60_000);

describe("training layout through web-llm's chat API", () => {
  // Three turns of the seed session. This tokenizer spends up to three byte tokens per
  // Chinese character, so they need more than CuteGPT's 2048: the simulated cache is made
  // large enough (only web-llm's "context exceeded" check reads its size).
  const session = seedSession("whole-session").slice(0, 3);

  it("prefills only each follow-up's question and keeps exactly CuteGPT's training tokens", async () => {
    const sim = await SimulatedEngine.create(WINDOW);
    const asked: HistoryPair[] = [];
    for (const [t, [query, reply]] of session.entries()) {
      const turns = trainingLayoutTurns(query, asked, undefined, CUTEGPT_META);
      const result = await sim.chat(turns, modelReply(reply));
      expect(result.finishReason).toBe("stop");
      expect(result.text).toBe(reply);
      if (t === 0) {
        expect(result.prefilled).toBe(
          encode(CUTEGPT_META).length + encode(`问：${query}\n答：\n`).length,
        );
      } else {
        // `<end>` of the previous reply, then the question: nothing else is read again.
        expect(result.prefilled).toBe(1 + encode(`问：${query}\n答：\n`).length);
      }
      asked.push([query, result.text]);
      // The last reply's `<end>` is sampled, not fed: it enters with the next question.
      expect(sim.kv).toEqual(trainingTokens(asked).slice(0, -1));
      expect(replyEndedOnStopToken(sim.engineLike)).toBe(true);
    }
  });

  it("leaves the cache token for token as a fresh prefill of the same conversation would", async () => {
    const reused = await SimulatedEngine.create(WINDOW);
    const asked: HistoryPair[] = [];
    for (const [query, reply] of session) {
      const turns = trainingLayoutTurns(query, asked, undefined, CUTEGPT_META);
      await reused.chat(turns, modelReply(reply));
      const fresh = await SimulatedEngine.create(WINDOW);
      const freshResult = await fresh.chat(turns, modelReply(reply));
      expect(reused.kv).toEqual(fresh.kv);
      // The fresh engine read everything; the reused one only the new question.
      expect(freshResult.prefilled).toBeGreaterThan(encode(CUTEGPT_META).length);
      asked.push([query, reply]);
    }
  });

  it("drops a cache whose reply was cut by a stop string, which web-llm itself would reuse", async () => {
    const [[q1, r1], [q2, r2]] = [session[0]!, session[1]!];
    const stop = ["\n问："];
    const runaway = [...encode(r1), ...encode("\n问：下一个问题"), END_ID];
    const turn1 = trainingLayoutTurns(q1, [], undefined, CUTEGPT_META);
    const turn2 = (reply: string) =>
      trainingLayoutTurns(q2, [[q1, reply]], undefined, CUTEGPT_META);

    // Without the check: the text stops before "\n问：", the cache holds some of its tokens.
    const unchecked = await SimulatedEngine.create(WINDOW);
    const cut = await unchecked.chat(turn1, runaway, stop);
    expect(cut.finishReason).toBe("stop");
    expect(replyEndedOnStopToken(unchecked.engineLike)).toBe(false);
    await unchecked.chat(turn2(cut.text), modelReply(r2));
    const fresh = await SimulatedEngine.create(WINDOW);
    await fresh.chat(turn2(cut.text), modelReply(r2));
    expect(unchecked.kv).not.toEqual(fresh.kv);

    // With it (what the adapter does): the next turn reads everything and matches.
    const checked = await SimulatedEngine.create(WINDOW);
    await checked.chat(turn1, runaway, stop);
    if (!replyEndedOnStopToken(checked.engineLike)) checked.resetChat();
    await checked.chat(turn2(cut.text), modelReply(r2));
    expect(checked.kv).toEqual(fresh.kv);
  });

  it("reads the whole conversation again when the window moves, then reuses from there", async () => {
    const sim = await SimulatedEngine.create(WINDOW);
    const [p1, p2, p3] = [session[0]!, session[1]!, session[2]!];
    await sim.chat(trainingLayoutTurns(p1[0], [], undefined, CUTEGPT_META), modelReply(p1[1]));
    // The window dropped pair 1: the conversation no longer extends the cached one.
    const moved = trainingLayoutTurns(p3[0], [p2], undefined, CUTEGPT_META);
    const full = await sim.chat(moved, modelReply(p3[1]));
    const fresh = await SimulatedEngine.create(WINDOW);
    const freshResult = await fresh.chat(moved, modelReply(p3[1]));
    expect(full.prefilled).toBe(freshResult.prefilled);
    expect(sim.kv).toEqual(fresh.kv);
    const next = trainingLayoutTurns("再来一个", [p2, [p3[0], p3[1]]], undefined, CUTEGPT_META);
    const reused = await sim.chat(next, modelReply("好"));
    expect(reused.prefilled).toBe(1 + encode("问：再来一个\n答：\n").length);
  });
});

describe("reference layout through web-llm's completions API", () => {
  it("prefills the whole prompt every turn, with `\\n` where training had `<end>`", async () => {
    const sim = await SimulatedEngine.create(WINDOW);
    const [[q1, r1], [q2, r2]] = seedSession("book-recommendations") as [HistoryPair, HistoryPair];
    await sim.complete(generatePrompt(q1, []), modelReply(r1));
    const prompt = generatePrompt(q2, [[q1, r1]]);
    const second = await sim.complete(prompt, modelReply(r2));
    expect(second.prefilled).toBe(encode(prompt).length);
    // One string, one leading "▁": the reply and the next question are not split as in
    // training, and no `<end>` appears.
    expect(sim.kv.slice(0, encode(prompt).length)).toEqual(encode(prompt));
    expect(sim.kv).not.toContain(END_ID);
  });
});
