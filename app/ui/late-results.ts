import { flushSync } from "react-dom";

/**
 * Results that arrive after the text they belong to (a code block's highlighting, a formula's
 * KaTeX) are held while a reply streams, and rendered with the stream's next update, in the
 * same React commit: they then share its style, layout and frame. Each one landed in a task of
 * its own before, with a React render and a frame after it (11-16 ms of main-thread CPU each,
 * `npx tsx test/bench/render-trace.ts --windows`), two or three a second in the render bench,
 * and the 250 ms windows holding them were its p95.
 */
let holdUntil = 0;
let held: (() => void)[] = [];
let fallback: ReturnType<typeof setTimeout> | undefined;

/** Shows a late result now, or with the next streamed update if one is due. */
export function showLateResult(apply: () => void): void {
  const wait = holdUntil - performance.now();
  if (wait <= 0) {
    apply();
    return;
  }
  held.push(apply);
  // The stream may stall or end: a result never waits longer than the update was due.
  fallback ??= setTimeout(() => flushSync(applyHeld), wait);
}

function applyHeld(): void {
  clearTimeout(fallback);
  fallback = undefined;
  const due = held;
  held = [];
  for (const apply of due) apply();
}

/**
 * Runs a streamed update together with the late results held for it, in one synchronous
 * render. `holdMs`: how long after it late results wait for the next update (a little more
 * than the updates' interval; 0 holds nothing).
 */
export function updateWithLateResults(update: () => void, holdMs: number): void {
  holdUntil = holdMs > 0 ? performance.now() + holdMs : 0;
  flushSync(() => {
    update();
    applyHeld();
  });
}
