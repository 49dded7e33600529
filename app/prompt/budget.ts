/**
 * Keeps a CuteGPT prompt within the model's context window before it is sent, so no request
 * ever fails inside the engine with a raw "context window exceeded".
 */

import {
  CUTEGPT_META,
  DEFAULT_HISTORY_LIMIT,
  generatePrompt,
  windowHistory,
  type HistoryPair,
} from "./cutegpt";

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
