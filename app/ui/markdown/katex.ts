import katex from "katex";
import "katex/dist/katex.min.css";

/**
 * Loaded on demand with its stylesheet and fonts. `trust: false` keeps \href, \url and
 * \includegraphics out; errors render as red source text instead of throwing.
 */
export function renderMath(tex: string, display: boolean): string {
  return katex.renderToString(tex, {
    displayMode: display,
    throwOnError: false,
    trust: false,
    strict: "ignore",
    maxExpand: 500,
    maxSize: 50,
    output: "htmlAndMathml",
  });
}
