/**
 * The page's side of highlight.worker.ts: one job at a time, each with a time budget. A job
 * that runs past it is abandoned by terminating the worker (a grammar stuck in a regular
 * expression cannot be interrupted any other way); the code stays plain text and the next
 * job gets a fresh worker.
 */
export interface HighlightRequest {
  id: number;
  code: string;
  language: string;
}

export interface HighlightReply {
  id: number;
  html: string | undefined;
}

/** The part of `Worker` used here, so tests can hand in a fake. */
export interface HighlightWorker {
  onmessage: ((event: MessageEvent<HighlightReply>) => void) | null;
  onerror: ((event: ErrorEvent) => void) | null;
  postMessage(request: HighlightRequest): void;
  terminate(): void;
}

export interface HighlightClientOptions {
  spawn: () => HighlightWorker;
  budgetMs: number;
  /** Longer code is not highlighted at all: it would only run into the budget. */
  maxChars: number;
}

export type Highlight = (code: string, language: string) => Promise<string | undefined>;

export function createHighlightClient({
  spawn,
  budgetMs,
  maxChars,
}: HighlightClientOptions): Highlight {
  let worker: HighlightWorker | undefined;
  let nextId = 0;
  let chain: Promise<unknown> = Promise.resolve();

  const stop = () => {
    worker?.terminate();
    worker = undefined;
  };

  const runOne = (code: string, language: string) =>
    new Promise<string | undefined>((resolve) => {
      const id = ++nextId;
      let current: HighlightWorker;
      try {
        current = worker ??= spawn();
      } catch {
        resolve(undefined);
        return;
      }
      const finish = (html: string | undefined) => {
        clearTimeout(timer);
        current.onmessage = null;
        current.onerror = null;
        resolve(html);
      };
      const timer = setTimeout(() => {
        stop();
        finish(undefined);
      }, budgetMs);
      current.onmessage = ({ data }) => {
        if (data.id === id) finish(typeof data.html === "string" ? data.html : undefined);
      };
      current.onerror = () => {
        stop();
        finish(undefined);
      };
      current.postMessage({ id, code, language });
    });

  return (code, language) => {
    if (code.length > maxChars) return Promise.resolve(undefined);
    const job = chain.then(() => runOne(code, language));
    chain = job;
    return job;
  };
}
