import { createWorkerJobs, isString, type JobWorker } from "./worker-jobs";

/** A code block for highlight.worker.ts. */
export interface HighlightJob {
  code: string;
  language: string;
}

export type HighlightWorker = JobWorker<HighlightJob, string>;

export interface HighlightClientOptions {
  spawn: () => HighlightWorker;
  budgetMs: number;
  /** Longer code is not highlighted at all: it would only run into the budget. */
  maxChars: number;
}

export type Highlight = (code: string, language: string) => Promise<string | undefined>;

/** highlight.js in its worker, one block at a time, each within `budgetMs` (worker-jobs.ts). */
export function createHighlightClient({
  spawn,
  budgetMs,
  maxChars,
}: HighlightClientOptions): Highlight {
  const run = createWorkerJobs<HighlightJob, string>({ spawn, budgetMs, isResult: isString });
  return (code, language) =>
    code.length > maxChars ? Promise.resolve(undefined) : run({ code, language });
}
