/**
 * The CuteGPT prompt layout, exactly as the model was trained on it (shared/notes/cutegpt.md).
 *
 * Invariants:
 * - No BOS or other special token is ever added here: the reference scripts encode with
 *   add_special_tokens=False, so the text below is all the model sees.
 * - A newline follows every `答：`; the seed README's older variant without it is not what the
 *   training code produced.
 * - History windowing is the caller's decision (per-conversation setting), never done inside
 *   generatePrompt, so the prompt for a given history is always the same string.
 */

export const CUTEGPT_META =
  "你是复旦大学知识工场实验室训练出来的语言模型CuteGPT。给定任务描述，请给出对应请求的回答。\n";

/** The seed's `memory_limit`: how many past (query, response) pairs the model sees. */
export const DEFAULT_HISTORY_LIMIT = 3;

/** One completed past turn: what the user asked and what the model answered. */
export type HistoryPair = [query: string, response: string];

// Python's `if input:` treats "" as absent; matching it keeps an empty input field from
// producing a blank line the model never saw in training.
function hasInput(input: string | undefined): input is string {
  return input !== undefined && input !== "";
}

function formatQuery(query: string, input: string | undefined): string {
  return hasInput(input) ? `问：${query}\n${input}\n答：\n` : `问：${query}\n答：\n`;
}

export function generatePrompt(
  query: string,
  history: ReadonlyArray<readonly [string, string]>,
  input?: string,
  meta: string = CUTEGPT_META,
): string {
  let prompt = meta;
  for (const [pastQuery, response] of history) {
    prompt += `问：${pastQuery}\n答：\n${response}\n`;
  }
  return prompt + formatQuery(query, input);
}

/**
 * Keeps the last `limit` pairs. Unlike the seed's `history[-memory_limit:]`, a limit of 0
 * means no history at all (Python's `[-0:]` would keep everything).
 */
export function windowHistory<T>(
  history: readonly T[],
  limit: number = DEFAULT_HISTORY_LIMIT,
): T[] {
  const keep = Number.isNaN(limit) ? 0 : Math.max(0, Math.floor(limit));
  if (keep === 0) return [];
  return history.slice(Math.max(0, history.length - keep));
}

export interface ConversationMessage {
  readonly role: "system" | "user" | "assistant";
  readonly content: string;
  /** The instruction's input field, for user messages sent with one. */
  readonly input?: string;
  /**
   * False for an assistant reply that must not be built on (the app decides which: a failed
   * or interrupted one, see replyEntersHistory in features/chat/engine-request.ts; a reply the
   * user stopped stays in). Such a reply and the question it answered stay out of the history.
   */
  readonly complete?: boolean;
}

export interface ConversationPrompt {
  history: HistoryPair[];
  query: string;
  input?: string;
}

/**
 * Splits an app conversation into the seed's `(history, query, input)`.
 *
 * The last message must be the user's message to answer; otherwise there is nothing to ask
 * and the result is null. Earlier messages count only as completed user → assistant pairs:
 * a user message that got no (complete) answer, an assistant message without a question
 * (e.g. a greeting), and system messages are left out, because the training layout has no
 * place for them. A past question that carried an input keeps it (`{q}\n{input}`), so the
 * earlier turn reads exactly as it did when it was asked.
 */
export function conversationToPrompt(
  messages: readonly ConversationMessage[],
): ConversationPrompt | null {
  const last = messages[messages.length - 1];
  if (last === undefined || last.role !== "user") return null;

  const history: HistoryPair[] = [];
  let pending: ConversationMessage | null = null;
  for (const message of messages.slice(0, -1)) {
    if (message.role === "user") {
      pending = message;
    } else if (message.role === "assistant") {
      if (pending !== null && message.complete !== false) {
        const query = hasInput(pending.input)
          ? `${pending.content}\n${pending.input}`
          : pending.content;
        history.push([query, message.content]);
      }
      pending = null;
    }
  }

  const result: ConversationPrompt = { history, query: last.content };
  if (hasInput(last.input)) result.input = last.input;
  return result;
}
