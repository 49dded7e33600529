import { createHighlightClient, type Highlight, type HighlightWorker } from "./highlight-client";
import { inSlices } from "./slices";

/**
 * The heavy renderers (highlight.js, KaTeX) load on first use and their results are cached
 * by input, so a chunk that re-mounts or re-renders does not do the work twice. highlight.js
 * runs in a worker with a time budget; KaTeX runs on the page in slices (slices.ts). Neither
 * ever rejects: a failure is `undefined`, and the caller shows the source.
 */
type MathRenderer = typeof import("./katex");

/** Past this a code block stays plain text (a worker stuck on it helps nobody). */
const HIGHLIGHT_BUDGET_MS = 1500;
const HIGHLIGHT_MAX_CHARS = 50_000;

let highlighter: Highlight | undefined;
let mathRenderer: Promise<MathRenderer> | undefined;
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
  mathRenderer ??= import("./katex");
  let html: string | undefined;
  try {
    const { renderMath } = await mathRenderer;
    html = await inSlices(() => renderMath(tex, display));
  } catch {
    // The chunk failed to load, or KaTeX threw past its own guard: the source stays.
    html = undefined;
  }
  return remember(rendered, `${display ? "D" : "I"}${tex}`, html);
}
