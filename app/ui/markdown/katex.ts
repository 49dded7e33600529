import "./math-style";

/** KaTeX on the page, loaded on demand with its stylesheet and fonts. */
export { renderMath } from "./katex-render";
