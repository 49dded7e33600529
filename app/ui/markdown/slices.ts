/**
 * Runs small synchronous jobs (a KaTeX formula, say) in slices of at most about `SLICE_MS`,
 * yielding to the browser in between. A message of 50,000 formulas would otherwise render them
 * all in one task, and the page would stop answering until it was done.
 */
const SLICE_MS = 8;

const queue: (() => void)[] = [];
let scheduled = false;

/** Resolves with the job's result, or rejects with what it threw. */
export function inSlices<T>(job: () => T): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    queue.push(() => {
      try {
        resolve(job());
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
    schedule();
  });
}

function schedule(): void {
  if (scheduled) return;
  scheduled = true;
  yieldToBrowser(run);
}

function run(): void {
  scheduled = false;
  const started = performance.now();
  while (queue.length > 0 && performance.now() - started < SLICE_MS) queue.shift()?.();
  if (queue.length > 0) schedule();
}

/**
 * Runs `callback` in a task of its own, after the tasks already queued; callbacks queued here
 * run one per task, in order, so the browser can handle input and paint between them.
 */
export function nextTask(callback: () => void): void {
  yieldToBrowser(callback);
}

// A message-channel task, as React's scheduler uses: no 4 ms clamp on nested setTimeout calls.
const channel = typeof MessageChannel === "undefined" ? undefined : new MessageChannel();
const next: (() => void)[] = [];
if (channel) {
  channel.port1.onmessage = () => next.shift()?.();
  // Outside a browser (unit tests, Node) an open port would keep the process alive.
  (channel.port1 as MessagePort & { unref?: () => void }).unref?.();
}

function yieldToBrowser(callback: () => void): void {
  if (!channel) {
    setTimeout(callback, 0);
    return;
  }
  next.push(callback);
  channel.port2.postMessage(null);
}
