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
