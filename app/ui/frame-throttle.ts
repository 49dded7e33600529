/**
 * Runs `fn` at most once per `intervalMs` however often `schedule()` is called. A reply can
 * arrive faster than any screen refreshes (hundreds of deltas a second from a fast GPU, far
 * more from a flood); the UI only needs the latest text about once a frame. `flush()` runs a
 * pending call at once (end of a reply, an error), so nothing written is ever left unshown.
 * A timer, not requestAnimationFrame, so a reply in a background tab still lands.
 */
export function frameThrottle(fn: () => void, intervalMs = 16) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const run = () => {
    timer = undefined;
    fn();
  };
  return {
    schedule() {
      if (intervalMs <= 0) fn();
      else if (timer === undefined) timer = setTimeout(run, intervalMs);
    },
    flush() {
      if (timer === undefined) return;
      clearTimeout(timer);
      run();
    },
  };
}
