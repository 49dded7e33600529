import type { ChatTokenCounts, ChatTurn } from "../app/protocol/worker-protocol";

/**
 * The parts of web-llm 0.2.86's internal Conversation (lib/index.js, `class Conversation`)
 * that counting uses. A loaded pipeline holds one as `conversation`; its `config` is the chat
 * template merged with the chat config, exactly what the chat API renders requests with
 * (getConversationFromChatCompletionRequest). Pinned by test/unit/prompt/chat-budget.test.ts.
 */
export interface ConversationLike {
  config: { system_prefix_token_ids?: readonly number[] | null };
  override_system_message?: string | undefined;
  appendMessage(role: "user" | "assistant", message: string): void;
  appendReplyHeader(role: "assistant"): void;
  getSystemPrompt(): string;
  getPromptArray(): ReadonlyArray<string | readonly unknown[]>;
}

export interface ChatCountingPipeline {
  conversation: ConversationLike;
  tokenizer: { encode(text: string): ArrayLike<number> };
}

/**
 * Tokens of `messages` as web-llm will prefill them for a chat request, counted with web-llm's
 * own rendering: a fresh Conversation of the loaded model's class and config gets the messages
 * the way getConversationFromChatCompletionRequest adds them (a system message overrides the
 * template's), then the reply header, and each element of getPromptArray() is encoded on its
 * own, as LLMChatPipeline.getInputData encodes it. The sum is what web-llm checks against the
 * context window.
 */
export function countChatTokens(
  pipeline: ChatCountingPipeline,
  messages: readonly ChatTurn[],
): ChatTokenCounts {
  const Conversation = pipeline.conversation.constructor as new (
    config: unknown,
  ) => ConversationLike;
  const conversation = new Conversation(pipeline.conversation.config);
  for (const m of messages) {
    if (m.role === "system") conversation.override_system_message = m.content;
    else conversation.appendMessage(m.role, m.content);
  }
  conversation.appendReplyHeader("assistant");
  const prompts = conversation.getPromptArray();
  const count = (prompt: string | readonly unknown[] | undefined): number =>
    typeof prompt === "string" ? pipeline.tokenizer.encode(prompt).length : 0;
  const hasSystem = conversation.getSystemPrompt() !== "";
  const first = hasSystem ? 1 : 0;
  const turns = prompts.slice(first, -1).map(count);
  let next = 0;
  return {
    fixed:
      (conversation.config.system_prefix_token_ids?.length ?? 0) +
      (hasSystem ? count(prompts[0]) : 0) +
      count(prompts.at(-1)),
    messages: messages.map((m) => (m.role === "system" ? 0 : (turns[next++] ?? 0))),
  };
}
