import type { ChatInput, ChatOptions, ChatTurn } from "../../protocol/worker-protocol";
import {
  CUTEGPT_META,
  conversationToPrompt,
  type ConversationMessage,
  type ConversationPrompt,
} from "../../prompt/cutegpt";
import {
  PromptTooLongError,
  fitChatToBudget,
  fitPromptToBudget,
  type ChatTokenCounter,
  type TokenCounter,
} from "../../prompt/budget";
import {
  planTrainingWindow,
  trainingLayoutText,
  trainingLayoutTurns,
} from "../../prompt/training-layout";
import { CUTEGPT_STOP_STRINGS } from "../../prompt/stops";
import { REFERENCE_TOP_K, modelSamplesItself } from "../../prompt/decoding";
import type { ChatMessage, ConversationSettings, PromptLayout } from "../../storage/types";

/** CuteGPT was trained on 2048-token sequences. */
export const CUTEGPT_CONTEXT_WINDOW = 2048;

/**
 * The window assumed for a chat-template model whose catalog entry names none: web-llm's
 * prebuilt libraries are compiled for 4096, and a smaller guess only leaves out turns early.
 */
export const DEFAULT_CHAT_CONTEXT_WINDOW = 4096;

/**
 * The layout a chat without a choice gets. "training": measured in test/bench/kv-reuse.bench.ts,
 * follow-ups prefill a fraction of what the reference layout re-reads every turn, and the
 * tokens are the ones CuteGPT was trained on (the reference scripts' `\n` where training had
 * `<end>` is the difference).
 */
export const DEFAULT_PROMPT_LAYOUT: PromptLayout = "training";

/**
 * Tokens the training layout keeps free besides max tokens: the cache holds the replies as
 * the model generated them, which can tokenize a few tokens differently from re-encoding
 * their text, as the plan counts them.
 */
const TRAINING_LAYOUT_MARGIN = 16;

export interface EngineRequest {
  input: ChatInput;
  options: ChatOptions;
  /** Set for CuteGPT: the reply must pass through its stop filter. */
  cutegpt: boolean;
  /** Past pairs left out to fit the context window. */
  droppedTurns: number;
}

/**
 * What the engine is asked for the reply to the last user message in `messages`.
 *
 * CuteGPT has two layouts, chosen per chat (settings.promptLayout):
 * - "training" (default): the layout CuteGPT was trained on, `…问：{q}\n答：\n{reply}<end>`
 *   then the next `问：…`, as chat turns (app/prompt/training-layout.ts). web-llm's chat API
 *   keeps the KV cache while each request extends the previous conversation, so a follow-up
 *   prefills only its question; the window moves only when the context is full.
 * - "reference": the reference scripts' prompt (generatePrompt, last `historyLimit` pairs,
 *   `\n` after each reply) as one string through the completions API, exactly the tokens of
 *   `tokenizer(prompt, add_special_tokens=False)`; every turn prefills the whole prompt.
 * Both cost and tokens are measured in test/bench/kv-reuse.bench.ts.
 *
 * Other models keep web-llm's chat API with their own templates, under the same kind of
 * budget: the worker renders the messages with the model's template and counts them
 * (countChatTokens), and the oldest pairs are left out until they fit (fitChatToBudget).
 */
export async function buildEngineRequest(
  messages: readonly ChatMessage[],
  settings: ConversationSettings,
  model: { cutegpt: boolean; contextWindow?: number | undefined },
  countTokens: TokenCounter,
  /** A reply being continued: the model is asked to go on from it. */
  continuation = "",
  /** Required for chat-template models: counts messages as their template renders them. */
  countChatTokens?: ChatTokenCounter,
): Promise<EngineRequest> {
  const { decoding } = settings;
  const options: ChatOptions = {
    maxTokens: decoding.maxTokens,
    // The "model" preset leaves sampling to the model's own generation config.
    ...(!modelSamplesItself(decoding) && {
      temperature: decoding.temperature,
      topP: decoding.topP,
      repetitionPenalty: decoding.repetitionPenalty,
    }),
  };
  if (!model.cutegpt) {
    if (!countChatTokens) throw new TypeError("Chat-template models need countChatTokens.");
    const turns = chatTurns(messages);
    const question = turns.pop();
    if (question?.role !== "user") throw new Error("The last message must be the user's.");
    const system = systemMessage(settings.metaPrompt);
    const contextWindow = model.contextWindow ?? DEFAULT_CHAT_CONTEXT_WINDOW;
    const fitted = await fitChatToBudget({
      ...(system && { system }),
      pairs: pairsOf(turns),
      tail: continuation ? continued([question], continuation) : [question],
      contextWindow,
      // Room for the reply, but never more than half the window: web-llm ends a longer reply
      // when the context is full ("length"), so a max tokens beyond the window (a stored or
      // linked setting) must not refuse every message.
      maxTokens: Math.min(decoding.maxTokens, Math.floor(contextWindow / 2)),
      countChatTokens,
    });
    return {
      input: { kind: "messages", messages: fitted.messages },
      options,
      cutegpt: false,
      droppedTurns: fitted.droppedTurns,
    };
  }
  const split = conversationToPrompt(messages.map(toPromptMessage));
  if (!split) throw new Error("The last message must be the user's.");
  const cutegptOptions: ChatOptions = {
    ...options,
    stop: [...CUTEGPT_STOP_STRINGS],
    // The reference scripts' top_k and HF's prompt-wide repetition penalty, applied in the
    // worker by a logit processor.
    topK: REFERENCE_TOP_K,
    repetitionOverPrompt: true,
  };
  if ((settings.promptLayout ?? DEFAULT_PROMPT_LAYOUT) === "training") {
    const contextWindow = model.contextWindow ?? CUTEGPT_CONTEXT_WINDOW;
    // A continuation is counted in the budget like the reference path counts it.
    const continued = continuation ? await countTokens(continuation) : 0;
    const request = await trainingLayoutRequest(
      split,
      settings.metaPrompt,
      contextWindow - decoding.maxTokens - continued,
      countTokens,
      cutegptOptions,
    ).catch((error: unknown) => {
      if (!continuation || !(error instanceof PromptTooLongError)) throw error;
      throw new PromptTooLongError(error.tokens + continued, error.limit + continued, true);
    });
    // The chat API cannot end on the model's turn: a continuation goes as one string that
    // ends with the text so far, and the model carries on from its last token.
    if (continuation && request.input.kind === "training-layout") {
      request.input = {
        kind: "prompt",
        prompt: trainingLayoutText(request.input.messages) + continuation,
      };
    }
    return request;
  }
  const fitted = await fitPromptToBudget({
    query: split.query,
    history: split.history,
    ...(split.input !== undefined && { input: split.input }),
    meta: settings.metaPrompt,
    historyLimit: settings.historyLimit,
    contextWindow: model.contextWindow ?? CUTEGPT_CONTEXT_WINDOW,
    maxTokens: decoding.maxTokens,
    countTokens,
    // CuteGPT's raw prompt ends where the reply starts, so the text so far is appended and
    // the model carries on from its last token; the budget counts it.
    ...(continuation && { continuation }),
  });
  return {
    input: { kind: "prompt", prompt: fitted.prompt },
    options: cutegptOptions,
    cutegpt: true,
    droppedTurns: fitted.droppedTurns,
  };
}

/**
 * The training layout: every past pair the context allows, with a window that moves only
 * when the budget requires it (planTrainingWindow), so follow-ups extend the conversation
 * web-llm holds and prefill only the new question. Each piece is counted on its own, as
 * web-llm encodes it; `<end>` is one token.
 */
async function trainingLayoutRequest(
  split: ConversationPrompt,
  meta: string | undefined,
  limit: number,
  countTokens: TokenCounter,
  options: ChatOptions,
): Promise<EngineRequest> {
  const metaText = meta ?? CUTEGPT_META;
  // The question of every pair is counted without `<end>`: the plan adds one where it goes.
  const questionOf = (query: string, input?: string) =>
    trainingLayoutTurns(query, [], input, "").at(-1)!.content;
  const texts = [
    metaText,
    ...split.history.flatMap(([q, r]) => [questionOf(q), r]),
    questionOf(split.query, split.input),
  ];
  const counts = await Promise.all(texts.map((text) => countTokens(text)));
  for (const n of counts) {
    if (!Number.isFinite(n) || n < 0) {
      throw new TypeError(`The tokenizer returned an invalid count: ${String(n)}`);
    }
  }
  const pairs = split.history.map((_, i) => ({
    question: counts[1 + 2 * i]!,
    reply: counts[2 + 2 * i]!,
  }));
  const query = counts.at(-1)!;
  const budget = limit - TRAINING_LAYOUT_MARGIN;
  const plan = planTrainingWindow({ meta: counts[0]!, pairs, query }, budget);
  if (!plan) throw new PromptTooLongError(counts[0]! + query, budget);
  const history = split.history.slice(plan.start);
  return {
    input: {
      kind: "training-layout",
      messages: trainingLayoutTurns(split.query, history, split.input, metaText),
    },
    options,
    cutegpt: true,
    droppedTurns: plan.start,
  };
}

/**
 * The system prompt a chat-template model is sent: the one the user wrote, as a system message.
 * None when the field is empty or still holds CuteGPT's meta prompt (the default of every new
 * chat before the model was chosen), so the model's own template supplies its system prompt.
 */
export function systemMessage(metaPrompt: string | undefined): ChatTurn | undefined {
  const text = metaPrompt?.trim() ?? "";
  if (text === "" || text === CUTEGPT_META.trim()) return undefined;
  return { role: "system", content: metaPrompt! };
}

/** Past turns as the units the budget leaves out: a question with its answer, else alone. */
function pairsOf(turns: readonly ChatTurn[]): ChatTurn[][] {
  const pairs: ChatTurn[][] = [];
  for (let i = 0; i < turns.length; i++) {
    const next = turns[i + 1];
    if (turns[i]!.role === "user" && next?.role === "assistant") {
      pairs.push([turns[i]!, next]);
      i++;
    } else {
      pairs.push([turns[i]!]);
    }
  }
  return pairs;
}

/**
 * Chat templates require the last turn to be the user's, so other models get the partial
 * reply and a request to go on.
 */
function continued(turns: ChatTurn[], partial: string): ChatTurn[] {
  return [
    ...turns,
    { role: "assistant", content: partial },
    { role: "user", content: "Continue exactly where your last reply stopped." },
  ];
}

/**
 * Which past replies the model sees again. A reply the user stopped is kept: it is on the
 * screen, and a follow-up ("shorter", "go on") refers to it. A reply that failed, was cut
 * off by a crash or a closed tab (interrupted), or has no text stays out with its question:
 * nobody chose to end it there, and the model should not build on a broken answer.
 */
export function replyEntersHistory(m: ChatMessage): boolean {
  return m.content !== "" && (m.status === "done" || m.status === "stopped");
}

function toPromptMessage(m: ChatMessage): ConversationMessage {
  const complete = m.role === "user" || replyEntersHistory(m);
  return {
    role: m.role,
    content: m.content,
    complete,
    ...(m.input !== undefined && { input: m.input }),
  };
}

/** The conversation as chat messages; a failed reply is dropped with its question. */
function chatTurns(messages: readonly ChatMessage[]): ChatTurn[] {
  const turns: ChatTurn[] = [];
  for (const m of messages) {
    // Dropping a failed reply with its question keeps user and assistant turns alternating,
    // which chat templates require.
    if (m.role === "assistant" && !replyEntersHistory(m)) {
      if (turns.at(-1)?.role === "user") turns.pop();
      continue;
    }
    const content = m.input ? `${m.content}\n${m.input}` : m.content;
    turns.push({ role: m.role, content });
  }
  return turns;
}
