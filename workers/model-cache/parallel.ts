/**
 * Runs `work` over `items` with at most `limit` in flight, starting them in order.
 *
 * The first failure wins: it aborts the signal every running item was given (so their
 * downloads stop instead of finishing into a cache the load has given up on), no further
 * item starts, and the call rejects with that failure once the running items have settled
 * (so nothing is still writing when the caller reports the error). The caller's own signal
 * aborts the same way.
 */
export async function forEachConcurrently<T>(
  items: readonly T[],
  limit: number,
  signal: AbortSignal,
  work: (item: T, signal: AbortSignal) => Promise<void>,
): Promise<void> {
  const controller = new AbortController();
  const forward = () => controller.abort(signal.reason);
  if (signal.aborted) forward();
  else signal.addEventListener("abort", forward, { once: true });
  let next = 0;
  let failure: { error: unknown } | undefined;
  const lane = async () => {
    while (failure === undefined && !controller.signal.aborted && next < items.length) {
      const item = items[next++]!;
      try {
        await work(item, controller.signal);
      } catch (error) {
        failure ??= { error };
        controller.abort(error);
      }
    }
  };
  try {
    const lanes = Math.max(1, Math.min(Math.floor(limit) || 1, items.length));
    await Promise.all(Array.from({ length: lanes }, lane));
  } finally {
    signal.removeEventListener("abort", forward);
  }
  if (failure !== undefined) throw failure.error;
  // Aborted before or between items without any of them failing: the caller's cancel.
  if (signal.aborted && next < items.length) throw signal.reason;
}
