import katex from "katex";

/**
 * KaTeX to HTML, in math.worker.ts (the page loads only the stylesheet, math-style.ts).
 * `trust: false` keeps \href, \url and \includegraphics out; TeX errors KaTeX reports (ParseError) render as red source text.
 * Anything else it throws (a RangeError from the stack on deeply nested input, say) gives
 * undefined, and the caller shows the source as plain text.
 */
export function renderMath(tex: string, display: boolean): string | undefined {
  try {
    return katex.renderToString(tex, {
      displayMode: display,
      throwOnError: false,
      trust: false,
      strict: "ignore",
      maxExpand: 500,
      maxSize: 50,
      output: "htmlAndMathml",
    });
  } catch {
    return undefined;
  }
}
