/**
 * CuteGPT's training layout as web-llm chat turns, so that web-llm's chat API keeps the KV
 * cache from one turn to the next and a follow-up prefills only its own question.
 *
 * What training saw (code/utils.py + code/dataset.py of the CuteGPT repository), each piece
 * encoded on its own without special tokens, then concatenated:
 *
 *     tok(META) + Σ_turns [ tok("问：{q}\n答：\n") + tok("{reply}<end>") ]
 *
 * What web-llm 0.2.86 puts in the KV cache (read in its lib/index.js, checked by
 * test/unit/prompt/webllm-kv-reuse.test.ts with web-llm's own code and a real tokenizer):
 * - each rendered message is encoded on its own (LLMChatPipeline.getInputData);
 * - the sampled stop token (`<end>`) is never fed back: decoding feeds the previous token
 *   before sampling the next, and a stop token ends the loop first;
 * - a follow-up renders only its new user message and reply header
 *   (getPromptArrayLastRound), so the separator after the previous reply is never added
 *   either: no template separator can put `<end>` into the cache.
 *
 * So `<end>` travels at the start of the next question: every user message but the window's
 * first is `"<end>问：{q}\n答：\n"`. The tokenizer splits added tokens out before it normalizes
 * the rest, so that encodes as `[<end>] + tok("问：{q}\n答：\n")` — exactly training's tokens.
 * A full render (first turn, or after the cache was dropped) gives the same sequence, because
 * the template below adds nothing of its own: roles, separators and the reply header are all
 * empty strings, and the system message is the meta prompt as training encoded it.
 *
 * The reference inference scripts instead encode META + Σ"问：{q}\n答：\n{r}\n" + … as one
 * string (app/prompt/cutegpt.ts); that stays available per chat as the "reference layout".
 */

import type { ChatTurn } from "../protocol/worker-protocol";
import { CUTEGPT_META } from "./cutegpt";
import { planJumpingWindow } from "./jumping-window";

/** The token CuteGPT ends every training reply with. */
export const CUTEGPT_END = "<end>";

/**
 * What the worker merges over the model's conv_template (web-llm's `conv_config`), so the
 * chat API renders message contents verbatim. Stop tokens and strings stay the model's own.
 */
export const TRAINING_LAYOUT_CONV_CONFIG: {
  system_template: string;
  system_message: string;
  roles: { user: string; assistant: string; tool: string };
  role_templates: Record<string, string>;
  seps: string[];
  role_content_sep: string;
  role_empty_sep: string;
  add_role_after_system_message: boolean;
} = {
  system_template: "{system_message}",
  system_message: CUTEGPT_META,
  roles: { user: "", assistant: "", tool: "" },
  role_templates: {},
  seps: [""],
  role_content_sep: "",
  role_empty_sep: "",
  add_role_after_system_message: true,
};

function question(query: string, input: string | undefined, first: boolean): string {
  const body =
    input !== undefined && input !== "" ? `问：${query}\n${input}\n答：\n` : `问：${query}\n答：\n`;
  return first ? body : CUTEGPT_END + body;
}

/**
 * The chat turns for one request: the meta prompt as system message, the window's past pairs,
 * then the question to answer. History entries already carry an input as `{q}\n{input}`
 * (conversationToPrompt), which renders exactly like a question sent with one.
 */
export function trainingLayoutTurns(
  query: string,
  history: ReadonlyArray<readonly [string, string]>,
  input?: string,
  meta: string = CUTEGPT_META,
): ChatTurn[] {
  const turns: ChatTurn[] = [{ role: "system", content: meta }];
  history.forEach(([pastQuery, reply], i) => {
    turns.push({ role: "user", content: question(pastQuery, undefined, i === 0) });
    turns.push({ role: "assistant", content: reply });
  });
  turns.push({ role: "user", content: question(query, input, history.length === 0) });
  return turns;
}

/**
 * The layout as one string, for a raw-prompt request (continuing a cut-off reply: the chat
 * API cannot end on an assistant turn). Encoded as one string its tokens differ slightly from
 * the turn-by-turn encoding (one leading "▁" per piece), which is acceptable for that case.
 */
export function trainingLayoutText(turns: readonly ChatTurn[]): string {
  return turns.map((t) => t.content).join("");
}

/** Token counts of the pieces a window is made of, each encoded on its own. */
export interface LayoutCosts {
  meta: number;
  /** Per past pair: its question (without `<end>`) and its reply. */
  pairs: ReadonlyArray<{ question: number; reply: number }>;
  /** The question being asked, without `<end>`. */
  query: number;
}

export interface WindowPlan {
  /** Index of the first past pair the window keeps. */
  start: number;
  /** Tokens the prompt has (meta, kept pairs, question; one per `<end>`). */
  promptTokens: number;
}

/**
 * Where the window starts for the question after `costs.pairs`, given every earlier turn.
 *
 * The window never slides while the prompt fits, so each follow-up extends the previous
 * conversation and reuses the cache. When a turn does not fit, the window jumps forward to
 * the first start that leaves the prompt at most `lowWater` tokens (or, failing that, the
 * first that fits), so the next turns fit and reuse again instead of sliding every turn.
 *
 * The plan is replayed from the first turn each time, so it depends only on the conversation:
 * the same messages always give the same window, and turn n+1 keeps turn n's start unless it
 * must move. A past turn that did not fit even alone is replayed with no history.
 *
 * @returns null when the question does not fit even with no history.
 */
export function planTrainingWindow(
  costs: LayoutCosts,
  limit: number,
  lowWater: number = Math.floor(limit / 2),
): WindowPlan | null {
  const { pairs } = costs;
  const cost = (start: number, end: number, question: number) => {
    let total = costs.meta + question;
    for (let i = start; i < end; i++) {
      // Every question but the window's first carries `<end>`: one token more.
      total += pairs[i]!.question + pairs[i]!.reply + (i === start ? 0 : 1);
    }
    return total + (end > start ? 1 : 0);
  };
  return planJumpingWindow(
    pairs.map((p) => p.question),
    costs.query,
    cost,
    limit,
    lowWater,
  );
}
