/**
 * The heavy renderers (highlight.js, KaTeX) load on first use and their results are cached
 * by input, so a chunk that re-mounts or re-renders does not do the work twice.
 */
type Highlighter = typeof import("./highlight");
type MathRenderer = typeof import("./katex");

let highlighter: Promise<Highlighter> | undefined;
let mathRenderer: Promise<MathRenderer> | undefined;
const highlighted = new Map<string, string | undefined>();
const rendered = new Map<string, string>();
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
  highlighter ??= import("./highlight");
  const { highlight } = await highlighter;
  return remember(highlighted, `${language}\u0000${code}`, highlight(code, language));
}

export function cachedMath(tex: string, display: boolean): string | undefined {
  return rendered.get(`${display ? "D" : "I"}${tex}`);
}

export async function renderMathLater(tex: string, display: boolean): Promise<string> {
  mathRenderer ??= import("./katex");
  const { renderMath } = await mathRenderer;
  return remember(rendered, `${display ? "D" : "I"}${tex}`, renderMath(tex, display));
}
