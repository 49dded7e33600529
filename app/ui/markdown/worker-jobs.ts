/**
 * The page's side of a renderer in a worker (highlight.worker.ts, math.worker.ts): one job at a
 * time, each with a time budget. A job that runs past it is abandoned by terminating the
 * worker (a grammar stuck in a regular expression, or KaTeX on a formula whose cost is not
 * linear, cannot be interrupted any other way); the caller shows the source and the next job
 * gets a fresh worker. The worker's side is `serveJobs`.
 */
export interface JobRequest<Job> {
  id: number;
  job: Job;
}

export interface JobReply<Result> {
  id: number;
  /** Undefined when the renderer failed: the caller shows the source. */
  result: Result | undefined;
}

/** The part of `Worker` used here, so tests can hand in a fake. */
export interface JobWorker<Job, Result> {
  onmessage: ((event: MessageEvent<JobReply<Result>>) => void) | null;
  onerror: ((event: ErrorEvent) => void) | null;
  postMessage(request: JobRequest<Job>): void;
  terminate(): void;
}

export interface WorkerJobsOptions<Job, Result> {
  spawn: () => JobWorker<Job, Result>;
  budgetMs: number;
  /** Checks a reply's result (it crossed a thread boundary): anything else counts as failed. */
  isResult: (value: unknown) => value is Result;
}

/** The check for renderers whose result is HTML text. */
export const isString = (value: unknown): value is string => typeof value === "string";

/** Runs a job in the worker; never rejects (`undefined`: failed, too slow or no worker). */
export type RunJob<Job, Result> = (job: Job) => Promise<Result | undefined>;

export function createWorkerJobs<Job, Result>({
  spawn,
  budgetMs,
  isResult,
}: WorkerJobsOptions<Job, Result>): RunJob<Job, Result> {
  let worker: JobWorker<Job, Result> | undefined;
  let nextId = 0;
  let chain: Promise<unknown> = Promise.resolve();

  const stop = () => {
    worker?.terminate();
    worker = undefined;
  };

  const runOne = (job: Job) =>
    new Promise<Result | undefined>((resolve) => {
      const id = ++nextId;
      let current: JobWorker<Job, Result>;
      try {
        current = worker ??= spawn();
      } catch {
        resolve(undefined);
        return;
      }
      const finish = (result: Result | undefined) => {
        clearTimeout(timer);
        current.onmessage = null;
        current.onerror = null;
        resolve(result);
      };
      const timer = setTimeout(() => {
        stop();
        finish(undefined);
      }, budgetMs);
      current.onmessage = ({ data }) => {
        if (data.id === id) finish(isResult(data.result) ? data.result : undefined);
      };
      current.onerror = () => {
        stop();
        finish(undefined);
      };
      current.postMessage({ id, job });
    });

  return (job) => {
    const run = chain.then(() => runOne(job));
    chain = run;
    return run;
  };
}

/** A worker's global as a worker sees it (these files compile with the page's DOM types). */
interface WorkerScope<Job, Result> {
  onmessage: ((event: MessageEvent<JobRequest<Job>>) => void) | null;
  postMessage(reply: JobReply<Result>): void;
}

/** The worker's side: answers each request with `render`'s result, undefined if it throws. */
export function serveJobs<Job, Result>(render: (job: Job) => Result | undefined): void {
  const scope = self as unknown as WorkerScope<Job, Result>;
  scope.onmessage = ({ data }) => {
    let result: Result | undefined;
    try {
      result = render(data.job);
    } catch {
      result = undefined;
    }
    scope.postMessage({ id: data.id, result });
  };
}
