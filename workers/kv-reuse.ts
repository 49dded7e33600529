/**
 * What the web-llm adapter needs to keep CuteGPT's KV cache across turns honestly.
 *
 * web-llm 0.2.86 reuses the cache whenever the new request extends the previous conversation
 * and the last reply's finish reason was "stop". That holds for a reply ended by a stop
 * *token* (never fed to the model, so the cache ends exactly after the visible text), but
 * not for one ended by a stop *string* such as "\n问：": its tokens were fed, then cut from
 * the text, so the cache holds tokens the next request does not mention. Such a reply must
 * drop the cache, and the next turn prefills in full. The internals read here are pinned by
 * test/unit/webllm-contract.test.ts.
 */

interface PipelineInternals {
  tokenizer?: { decode(ids: Int32Array): string };
  outputIds?: number[];
  outputMessage?: string;
  getFinishReason?: () => string | undefined;
}

export interface EngineInternals {
  loadedModelIdToPipeline?: Map<string, PipelineInternals>;
}

/**
 * True when the last reply ended on a stop token, so the KV cache holds exactly the prompt
 * and the reply's text. False when unsure: the caller then drops the cache, which is slower
 * but never wrong.
 */
export function replyEndedOnStopToken(engine: unknown): boolean {
  const pipeline = (engine as EngineInternals).loadedModelIdToPipeline?.values().next().value;
  if (!pipeline?.tokenizer || !pipeline.outputIds || pipeline.outputMessage === undefined) {
    return false;
  }
  if (pipeline.getFinishReason?.() !== "stop") return false;
  // A stop token is never appended to outputIds; a stop string cuts outputMessage short.
  return pipeline.tokenizer.decode(Int32Array.from(pipeline.outputIds)) === pipeline.outputMessage;
}

/**
 * The token ids a request's context holds, each message encoded on its own as web-llm
 * encodes it (for the prompt-wide repetition penalty). Earlier replies are re-encoded from
 * their text; the cache may hold the model's own tokenization of them, nearly always the same.
 */
export function contextTokens(
  tokenizer: { encode(text: string): ArrayLike<number> },
  messages: ReadonlyArray<{ content: string }>,
): number[] {
  return messages.flatMap((m) => Array.from(tokenizer.encode(m.content)));
}
