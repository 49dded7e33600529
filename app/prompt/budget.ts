/**
 * Keeps a prompt within the model's context window before it is sent, so no request
 * ever fails inside the engine with a raw "context window exceeded".
 */

import {
  CUTEGPT_META,
  DEFAULT_HISTORY_LIMIT,
  generatePrompt,
  windowHistory,
  type HistoryPair,
} from "./cutegpt";
import type { ChatTokenCounts, ChatTurn } from "../protocol/worker-protocol";
import { planJumpingWindow } from "./jumping-window";

export type TokenCounter = (text: string) => Promise<number> | number;

export interface PromptBudgetRequest {
  query: string;
  history: ReadonlyArray<readonly [string, string]>;
  input?: string;
  meta?: string;
  /** Pairs the conversation allows before any budget cut (default: the seed's 3). */
  historyLimit?: number;
  contextWindow: number;
  /** Tokens reserved for the reply. */
  maxTokens: number;
  /** The model's own tokenizer, counting exactly what will be encoded (no BOS is added). */
  countTokens: TokenCounter;
  /**
   * A reply being continued: it follows the prompt (the model carries on from its last
   * token), so it takes room in the window like the rest of the prompt.
   */
  continuation?: string;
}

export interface FittedPrompt {
  prompt: string;
  /** The past pairs the prompt contains, oldest first. */
  history: HistoryPair[];
  keptTurns: number;
  /** Pairs inside the history window that were left out to make room. */
  droppedTurns: number;
  promptTokens: number;
  /** contextWindow − maxTokens: the most tokens the prompt may have. */
  limit: number;
}

export type PromptBudgetErrorCode = "prompt-too-long";

const formatCount = (n: number): string => n.toLocaleString("en-US");

export class PromptTooLongError extends Error {
  readonly code: PromptBudgetErrorCode = "prompt-too-long";
  override readonly name = "PromptTooLongError";

  constructor(
    /** Tokens of the prompt with no history at all: meta prompt, message and input. */
    readonly tokens: number,
    readonly limit: number,
    /** True when it is a reply being continued that leaves no room. */
    readonly continuing = false,
  ) {
    super(
      continuing
        ? `This reply cannot be continued: with its question it is ${formatCount(tokens)} ` +
            `tokens, and this model can take at most ${formatCount(Math.max(0, limit))} ` +
            `and still write a reply of the current length. ` +
            `Lower max tokens, or ask for the rest in a new message.`
        : `Your message is ${formatCount(tokens)} tokens; this model can take at most ` +
            `${formatCount(Math.max(0, limit))} with the current reply length. ` +
            `Shorten it or lower max tokens.`,
    );
  }
}

/**
 * Drops the oldest turns until the prompt fits in `contextWindow − maxTokens` tokens.
 *
 * Each count is a round trip to the tokenizer in the worker and tokenizes up to a whole
 * context window, so the number of calls matters more than anything else here:
 * - the whole window is counted first, because it fits in nearly every request (1 call);
 * - otherwise a binary search finds the most turns that fit (⌈log2(n+1)⌉ more calls),
 *   relying on the prompt's token count growing with every turn kept. Tokenization at turn
 *   boundaries could in theory break that monotonicity by a token; even then the answer is
 *   safe, because only a prompt that was actually counted and fit is ever returned.
 *
 * @throws PromptTooLongError when even the message alone (with the meta prompt) does not fit.
 */
export async function fitPromptToBudget(request: PromptBudgetRequest): Promise<FittedPrompt> {
  const meta = request.meta ?? CUTEGPT_META;
  const windowed = windowHistory(request.history, request.historyLimit ?? DEFAULT_HISTORY_LIMIT);
  const total = windowed.length;
  const limit = request.contextWindow - request.maxTokens;

  const counted = new Map<number, { prompt: string; tokens: number }>();
  const measure = async (kept: number): Promise<boolean> => {
    const prompt =
      generatePrompt(request.query, windowed.slice(total - kept), request.input, meta) +
      (request.continuation ?? "");
    const tokens = await request.countTokens(prompt);
    if (!Number.isFinite(tokens) || tokens < 0) {
      throw new TypeError(`The tokenizer returned an invalid count: ${String(tokens)}`);
    }
    counted.set(kept, { prompt, tokens });
    return tokens <= limit;
  };

  let best = -1;
  if (await measure(total)) {
    best = total;
  } else {
    // Invariant: `low` turns fit (−1 stands for "none known yet"), `high` turns do not.
    let low = -1;
    let high = total;
    while (high - low > 1) {
      const mid = Math.floor((low + high) / 2);
      if (await measure(mid)) low = mid;
      else high = mid;
    }
    best = low;
  }

  const fitted = counted.get(best);
  if (fitted === undefined) {
    // best === −1 only after 0 turns was counted and did not fit.
    throw new PromptTooLongError(
      counted.get(0)?.tokens ?? Number.NaN,
      limit,
      Boolean(request.continuation),
    );
  }
  return {
    prompt: fitted.prompt,
    history: windowed.slice(total - best).map(([q, r]): HistoryPair => [q, r]),
    keptTurns: best,
    droppedTurns: total - best,
    promptTokens: fitted.tokens,
    limit,
  };
}

/** Token counts of chat messages as the model's chat template renders them (engine-side). */
export type ChatTokenCounter = (messages: ChatTurn[]) => Promise<ChatTokenCounts>;

export interface ChatBudgetRequest {
  /** Sent first when present; kept whatever else is dropped. */
  system?: ChatTurn;
  /**
   * Past turns, oldest first, in the units they may be left out in: a question and its answer
   * (or a lone message, which a chat can have after a deletion).
   */
  pairs: ReadonlyArray<readonly ChatTurn[]>;
  /** What must be sent: the question, and for a continuation the reply so far and the ask. */
  tail: readonly ChatTurn[];
  contextWindow: number;
  /** Tokens reserved for the reply. */
  maxTokens: number;
  countChatTokens: ChatTokenCounter;
}

export interface FittedChat {
  messages: ChatTurn[];
  /** Past pairs left out to make room, oldest first. */
  droppedTurns: number;
  promptTokens: number;
  /** The most tokens the messages may have. */
  limit: number;
}

/**
 * Tokens a chat request keeps free besides max tokens. Counts are exact for what is rendered
 * (web-llm encodes each rendered message on its own and adds them up), but a follow-up that
 * reuses the KV cache holds the last reply as generated, which can differ by a few tokens
 * from its re-encoded text; and a template that leaves the role out of its first message
 * (add_role_after_system_message: false) is counted with it, which only over-counts.
 */
export const CHAT_BUDGET_MARGIN = 16;

/**
 * Leaves out the oldest past pairs until a chat-template model's messages fit in
 * `contextWindow − maxTokens − CHAT_BUDGET_MARGIN` tokens. One round trip: the engine renders
 * every message with the model's own template and counts each on its own, so any subset of
 * whole pairs costs the sum of its parts (dropping pairs keeps web-llm's alternating
 * separators on the same messages).
 *
 * The window moves like the training layout's (planTurnWindow): not while everything fits,
 * then in a jump, so follow-ups keep extending the conversation web-llm has in its cache.
 *
 * @throws PromptTooLongError when the system prompt and the tail alone do not fit.
 */
export async function fitChatToBudget(request: ChatBudgetRequest): Promise<FittedChat> {
  const system = request.system ? [request.system] : [];
  const all = [...system, ...request.pairs.flat(), ...request.tail];
  const counts = await request.countChatTokens(all);
  for (const n of [counts.fixed, ...counts.messages]) {
    if (!Number.isFinite(n) || n < 0) {
      throw new TypeError(`The tokenizer returned an invalid count: ${String(n)}`);
    }
  }
  if (counts.messages.length !== all.length) {
    throw new TypeError("The engine counted a different number of messages than were sent.");
  }
  const at = (i: number) => counts.messages[i]!;
  const base = system.length;
  const fixed = counts.fixed + (system.length ? at(0) : 0);
  let next = base;
  const pairs = request.pairs.map((pair) => {
    const [question = 0, ...rest] = pair.map(() => at(next++));
    return { question, reply: rest.reduce((a, b) => a + b, 0) };
  });
  const tailStart = next;
  const tail = request.tail.reduce((sum, _, i) => sum + at(tailStart + i), 0);
  const limit = request.contextWindow - request.maxTokens - CHAT_BUDGET_MARGIN;
  const plan = planTurnWindow({ fixed, pairs, query: tail }, limit);
  if (!plan) throw new PromptTooLongError(fixed + tail, limit, request.tail.length > 1);
  return {
    messages: [...system, ...request.pairs.slice(plan.start).flat(), ...request.tail],
    droppedTurns: plan.start,
    promptTokens: plan.promptTokens,
    limit,
  };
}

/** Token costs of a chat's pieces, each as the template renders it. */
export interface TurnCosts {
  /** Always there: template prefix, system prompt, reply header. */
  fixed: number;
  pairs: ReadonlyArray<{ question: number; reply: number }>;
  /** The current question (with a continuation's extra turns). */
  query: number;
}

/**
 * Where the kept history starts for the current question. Replayed from the first turn, as
 * planTrainingWindow does for CuteGPT: the window never moves while a turn fits; when one does
 * not, it jumps to the first start that leaves at most `lowWater` tokens (or else the first
 * that fits), so the next turns fit and extend the cached conversation instead of sliding.
 * Costs add up because web-llm encodes each rendered message on its own.
 *
 * @returns null when the question does not fit even with no history.
 */
export function planTurnWindow(
  costs: TurnCosts,
  limit: number,
  lowWater: number = Math.floor(limit / 2),
): { start: number; promptTokens: number } | null {
  const { pairs } = costs;
  const cost = (start: number, end: number, question: number) => {
    let total = costs.fixed + question;
    for (let i = start; i < end; i++) total += pairs[i]!.question + pairs[i]!.reply;
    return total;
  };
  return planJumpingWindow(
    pairs.map((p) => p.question),
    costs.query,
    cost,
    limit,
    lowWater,
  );
}
