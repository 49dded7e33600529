import { createHighlightClient, type Highlight, type HighlightWorker } from "./highlight-client";
import { createWorkerJobs, isString, type JobWorker, type RunJob } from "./worker-jobs";

/**
 * The heavy renderers (highlight.js, KaTeX) load on first use, run in workers with a time
 * budget, and their results are cached by input, so a chunk that re-mounts or re-renders does
 * not do the work twice. Nothing here ever rejects: a failure is `undefined`, and the caller
 * shows the source.
 *
 * KaTeX ran on the page before, in slices of 8 ms: in the render bench that was about 5 % of
 * the main thread's time while a reply streamed (parsing and building each formula), and the
 * page now only sets the HTML the worker returns.
 */

/** Past this a code block stays plain text (a worker stuck on it helps nobody). */
const HIGHLIGHT_BUDGET_MS = 1500;
const HIGHLIGHT_MAX_CHARS = 50_000;

/**
 * A formula longer than this is rendered only when the reader asks for it (MathView.tsx), in a
 * worker of its own. KaTeX's cost is not linear in the length: a run of letters that it merges
 * into one glyph string is spliced one letter at a time (`tryCombineChars`), so 40,000 letters
 * took 6.7 s, 10,000 about 0.1 s. A formula this long costs tens of milliseconds at most; real
 * ones are far shorter.
 */
export const LARGE_FORMULA_CHARS = 4_000;

/**
 * What a formula up to `LARGE_FORMULA_CHARS` may take: such a formula takes KaTeX tens of
 * milliseconds at most, so one past this is stuck, and its source stays.
 */
const MATH_BUDGET_MS = 2_000;

/**
 * What a formula the reader asked for may take. It has a worker of its own: nothing waits for
 * it but that formula (it shows as source meanwhile), not the formulas shown as they come.
 * Past it the source stays.
 */
const LARGE_MATH_BUDGET_MS = 30_000;

/** A formula for math.worker.ts. */
export interface MathJob {
  tex: string;
  display: boolean;
}

let highlighter: Highlight | undefined;
let mathWorker: RunJob<MathJob, string> | undefined;
let largeMathWorker: RunJob<MathJob, string> | undefined;
let mathStyle: Promise<boolean> | undefined;
const highlighted = new Map<string, string | undefined>();
const rendered = new Map<string, string | undefined>();
const MAX_CACHED = 500;

function remember<V>(cache: Map<string, V>, key: string, value: V): V {
  if (cache.size >= MAX_CACHED) {
    const oldest = cache.keys().next();
    if (!oldest.done) cache.delete(oldest.value);
  }
  cache.set(key, value);
  return value;
}

export function cachedHighlight(code: string, language: string): string | undefined | null {
  const key = `${language}\u0000${code}`;
  return highlighted.has(key) ? highlighted.get(key) : null;
}

export async function highlightLater(code: string, language: string): Promise<string | undefined> {
  highlighter ??= createHighlightClient({
    spawn: () =>
      new Worker(new URL("./highlight.worker.ts", import.meta.url), {
        type: "module",
        name: "highlight",
      }) as unknown as HighlightWorker,
    budgetMs: HIGHLIGHT_BUDGET_MS,
    maxChars: HIGHLIGHT_MAX_CHARS,
  });
  const html = await highlighter(code, language).catch(() => undefined);
  return remember(highlighted, `${language}\u0000${code}`, html);
}

/** `null`: not rendered yet; `undefined`: KaTeX failed, show the source. */
export function cachedMath(tex: string, display: boolean): string | undefined | null {
  const key = `${display ? "D" : "I"}${tex}`;
  return rendered.has(key) ? rendered.get(key) : null;
}

export async function renderMathLater(tex: string, display: boolean): Promise<string | undefined> {
  const large = tex.length > LARGE_FORMULA_CHARS;
  const run = large
    ? (largeMathWorker ??= mathJobs(LARGE_MATH_BUDGET_MS))
    : (mathWorker ??= mathJobs(MATH_BUDGET_MS));
  const [html, styled] = await Promise.all([run({ tex, display }), loadMathStyle()]);
  // Without the stylesheet KaTeX's HTML is unreadable: the source stays.
  return remember(rendered, `${display ? "D" : "I"}${tex}`, styled ? html : undefined);
}

/** The page needs KaTeX's stylesheet and fonts to show the worker's HTML, not KaTeX. */
function loadMathStyle(): Promise<boolean> {
  mathStyle ??= import("./math-style").then(
    () => true,
    () => false,
  );
  return mathStyle;
}

function mathJobs(budgetMs: number): RunJob<MathJob, string> {
  return createWorkerJobs<MathJob, string>({
    spawn: () =>
      new Worker(new URL("./math.worker.ts", import.meta.url), {
        type: "module",
        name: "math",
      }) as unknown as JobWorker<MathJob, string>,
    budgetMs,
    isResult: isString,
  });
}
