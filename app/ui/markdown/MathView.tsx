import { memo, useState } from "react";
import { useStrings } from "../../i18n/i18n";
import { cachedMath, LARGE_FORMULA_CHARS, renderMathLater } from "./lazy";
import { useWorkerHtml } from "./use-worker-html";

interface Props {
  tex: string;
  /** KaTeX's display style ($$…$$, \[…\]). */
  display: boolean;
  /** A block of its own (a <div>); otherwise it sits in running text (a <span>). */
  block: boolean;
  /** False while the chunk is still streaming: half-written TeX is shown as source. */
  complete: boolean;
}

/**
 * A formula longer than `LARGE_FORMULA_CHARS` shows as its source with a button that renders
 * it, in a worker (lazy.ts): KaTeX's cost is not linear in a formula's length.
 */
export { LARGE_FORMULA_CHARS };

/** TeX through KaTeX (loaded on first use); the source shows until KaTeX is there, or if it fails. */
export const MathView = memo(function MathView({ tex, display, block, complete }: Props) {
  const t = useStrings();
  const [asked, setAsked] = useState(false);
  const large = tex.length > LARGE_FORMULA_CHARS && !asked;
  const shown = useWorkerHtml(
    `${display ? "D" : "I"}${tex}`,
    cachedMath(tex, display),
    complete && !large,
    () => renderMathLater(tex, display),
  );

  const Tag = block ? "div" : "span";
  if (shown === undefined || large) {
    return (
      <Tag className={display ? "md-math-display md-math-source" : "md-math-source"}>
        {tex}
        {large && complete && (
          <>
            {" "}
            <button type="button" className="md-math-render" onClick={() => setAsked(true)}>
              {t.renderFormula}
            </button>
          </>
        )}
      </Tag>
    );
  }
  // KaTeX output with trust: false: its own escaped markup, no links or external resources.
  return (
    <Tag
      className={display ? "md-math-display" : undefined}
      data-testid="math"
      dangerouslySetInnerHTML={{ __html: shown }}
    />
  );
});
