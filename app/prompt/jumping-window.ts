/**
 * The window rule both chat layouts share (CuteGPT's training layout and chat-template models):
 * the window of past pairs never moves while a turn fits; when one does not, it jumps to the
 * first start that leaves at most `lowWater` tokens (or else the first that fits), so the next
 * turns fit and extend the cached conversation instead of sliding by one pair each time.
 * Replaying every past turn makes the same messages always give the same window.
 *
 * `cost(start, end, question)` is the prompt's size with pairs [start, end) before `question`;
 * `questions[t]` is what pair t's question cost when it was asked, `query` the current one's.
 *
 * @returns null when the current question does not fit even with no history.
 */
export function planJumpingWindow(
  questions: readonly number[],
  query: number,
  cost: (start: number, end: number, question: number) => number,
  limit: number,
  lowWater: number,
): { start: number; promptTokens: number } | null {
  const firstStart = (from: number, to: number, question: number, most: number) => {
    for (let s = from; s <= to; s++) if (cost(s, to, question) <= most) return s;
    return -1;
  };
  let start = 0;
  // Turn t asked pair t's question (t = n: the current one) with pairs [start, t) before it.
  for (let t = 0; t <= questions.length; t++) {
    const question = t < questions.length ? questions[t]! : query;
    if (cost(start, t, question) <= limit) continue;
    let next = firstStart(start + 1, t, question, lowWater);
    if (next === -1) next = firstStart(start + 1, t, question, limit);
    start = next === -1 ? t : next;
  }
  const promptTokens = cost(start, questions.length, query);
  return promptTokens <= limit ? { start, promptTokens } : null;
}
