/**
 * Coalesces a reply's streamed text before it crosses to the main thread. Every message the
 * worker posts is a task on the main thread (about 0.1 ms each on a slow CPU, measured in
 * test/bench/render.bench.ts), and a fast GPU or a small model streams hundreds of tokens a
 * second, while the UI shows new text at most 10 times a second anyway. The first piece of a
 * reply goes out at once, so the time to the first token is not delayed; after that, text is
 * sent at most once per `intervalMs`. `flush()` sends whatever is waiting (end of the reply,
 * an error), so nothing generated is ever held back. An interval of 0 sends every token.
 */
export function deltaBatcher(
  send: (text: string, tokens: number) => void,
  intervalMs = 16,
  now: () => number = () => performance.now(),
) {
  let text = "";
  let tokens = 0;
  let lastSent = -Infinity;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const flush = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    if (tokens === 0) return;
    const batch = text;
    const count = tokens;
    text = "";
    tokens = 0;
    lastSent = now();
    send(batch, count);
  };

  return {
    push(delta: string) {
      text += delta;
      tokens += 1;
      if (timer !== undefined) return;
      const wait = lastSent + intervalMs - now();
      if (wait <= 0) flush();
      else timer = setTimeout(flush, wait);
    },
    flush,
  };
}
