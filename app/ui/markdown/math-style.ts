// KaTeX's stylesheet and fonts alone: what the page needs to show a formula rendered in
// math.worker.ts without loading KaTeX itself.
import "katex/dist/katex.min.css";
