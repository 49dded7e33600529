import type { ChatInput, ChatOptions, ChatTurn } from "../../engine/protocol";
import { conversationToPrompt, type ConversationMessage } from "../../prompt/cutegpt";
import { fitPromptToBudget, type TokenCounter } from "../../prompt/budget";
import { CUTEGPT_STOP_STRINGS } from "../../prompt/stops";
import { REFERENCE_TOP_K } from "../../prompt/decoding";
import type { ChatMessage, ConversationSettings } from "../../storage/types";

/** CuteGPT was trained on 2048-token sequences. */
export const CUTEGPT_CONTEXT_WINDOW = 2048;

export interface EngineRequest {
  input: ChatInput;
  options: ChatOptions;
  /** Set for CuteGPT: the reply must pass through its stop filter. */
  cutegpt: boolean;
  /** Past pairs left out to fit the context window (CuteGPT only). */
  droppedTurns: number;
}

/**
 * What the engine is asked for the reply to the last user message in `messages`.
 *
 * CuteGPT takes the raw-prompt path: the app renders the training layout itself
 * (generatePrompt) and the engine encodes it as one string, exactly as the reference
 * scripts do (`tokenizer(prompt, add_special_tokens=False)`). The chat-template path would
 * reuse the KV cache between turns, but it tokenizes each turn separately (token boundaries
 * at "\n问：" can differ from encoding the whole string) and its prefix stops matching as
 * soon as the 3-pair history window slides, i.e. from the fourth turn on. Exact tokens win;
 * the cost is a full prefill per turn (at most 2048 − max_tokens tokens), measured in
 * test/bench/kv-reuse.bench.ts.
 *
 * Other models keep web-llm's chat API with their own templates.
 */
export async function buildEngineRequest(
  messages: readonly ChatMessage[],
  settings: ConversationSettings,
  model: { cutegpt: boolean; contextWindow?: number | undefined },
  countTokens: TokenCounter,
  /** A reply being continued: the model is asked to go on from it. */
  continuation = "",
): Promise<EngineRequest> {
  const { decoding } = settings;
  const options: ChatOptions = {
    maxTokens: decoding.maxTokens,
    temperature: decoding.temperature,
    topP: decoding.topP,
    repetitionPenalty: decoding.repetitionPenalty,
  };
  if (!model.cutegpt) {
    const turns = chatTurns(messages);
    return {
      input: { kind: "messages", messages: continuation ? continued(turns, continuation) : turns },
      options,
      cutegpt: false,
      droppedTurns: 0,
    };
  }
  const split = conversationToPrompt(messages.map(toPromptMessage));
  if (!split) throw new Error("The last message must be the user's.");
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
    options: {
      ...options,
      stop: [...CUTEGPT_STOP_STRINGS],
      // The reference scripts' top_k and HF's prompt-wide repetition penalty, applied in the
      // worker by a logit processor.
      topK: REFERENCE_TOP_K,
      repetitionOverPrompt: true,
    },
    cutegpt: true,
    droppedTurns: fitted.droppedTurns,
  };
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
