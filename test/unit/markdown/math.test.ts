import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { renderMarkdown } from "../../../app/ui/markdown/engine";
import { LARGE_FORMULA_CHARS } from "../../../app/ui/markdown/MathView";
import { parseMarkdown, type Token } from "../../../app/ui/markdown/parser";

// Before KaTeX has loaded (always, in a server render) math shows as its source in a span or
// div with md-math-source; display style adds md-math-display.
const html = (source: string) =>
  renderToStaticMarkup(createElement("div", null, ...renderMarkdown(source, true)));

const inlineMath = (source: string) =>
  parseMarkdown(source)
    .flatMap((t) => t.children ?? [])
    .filter((t: Token) => t.type === "math_inline")
    .map((t) => ({ tex: t.content, display: (t.meta as { display?: boolean } | null)?.display }));

describe("math delimiters as KaTeX users write them", () => {
  it("\\(…\\) and $…$ are inline math", () => {
    expect(inlineMath("so \\(a+b\\) and $c$ hold")).toEqual([
      { tex: "a+b", display: undefined },
      { tex: "c", display: undefined },
    ]);
    expect(html("so \\(a+b\\) here")).toContain('<span class="md-math-source">a+b</span>');
  });

  it("\\[…\\] in the middle of a sentence is display math, not an escaped bracket", () => {
    expect(inlineMath("the sum \\[\\sum_k k\\] grows")).toEqual([
      { tex: "\\sum_k k", display: true },
    ]);
    const out = html("the sum \\[\\sum_k k\\] grows");
    expect(out).toContain('<span class="md-math-display md-math-source">\\sum_k k</span>');
    expect(out).not.toContain("[");
  });

  it("inline $$…$$ is display math with no stray dollars", () => {
    expect(inlineMath("energy $$E=mc^2$$ is famous")).toEqual([{ tex: "E=mc^2", display: true }]);
    expect(html("energy $$E=mc^2$$ is famous")).not.toContain("$");
  });

  it("a line with two $$ formulas is one paragraph, not one block from first to last $$", () => {
    expect(inlineMath("$$a$$ and $$b$$")).toEqual([
      { tex: "a", display: true },
      { tex: "b", display: true },
    ]);
  });

  it("$$ and \\[ blocks over several lines are display blocks", () => {
    for (const source of ["$$\n\\frac{1}{2}\n$$", "\\[\n\\frac{1}{2}\n\\]", "$$\\frac{1}{2}$$"]) {
      const out = html(source);
      expect(out).toBe('<div><div class="md-math-display md-math-source">\\frac{1}{2}</div></div>');
    }
  });

  it("an unclosed $$ in a list item ends with the item", () => {
    const tokens = parseMarkdown("- $$ x\n\nafter");
    expect(tokens.find((t) => t.type === "math_block")?.content).toBe("x");
    expect(tokens.filter((t) => t.type === "paragraph_open" && t.level === 0)).toHaveLength(1);
  });

  it("leaves prices, lone and unmatched delimiters as text", () => {
    expect(inlineMath("cost $5 and $10")).toEqual([]);
    expect(html("cost $5 and $10")).toContain("$5 and $10");
    expect(html("a $$ b")).toContain("a $$ b");
    expect(html("open \\( only")).toContain("open ( only");
  });
});

// KaTeX's cost is not linear in a formula's length (a run of letters is merged one splice at a
// time): 40,000 letters froze the page for 6.7 s. Past the size limit a formula is not handed to
// KaTeX until asked.
describe("a formula too long to render at once", () => {
  const button = '<button type="button" class="md-math-render">Render this long formula</button>';

  it("shows as its source with a button that renders it, in blocks and in running text", () => {
    const long = "x".repeat(40_000);
    expect(html(`$$${long}$$`)).toBe(
      `<div><div class="md-math-display md-math-source">${long} ${button}</div></div>`,
    );
    expect(html(`so $${long}$ holds`)).toContain(
      `<span class="md-math-source">${long} ${button}</span>`,
    );
  });

  it("up to the limit is rendered as before, and half-written TeX gets no button", () => {
    const limit = "x".repeat(LARGE_FORMULA_CHARS);
    expect(html(`$$${limit}$$`)).not.toContain("md-math-render");
    const streaming = renderMarkdown(`$$${limit}x`, false);
    expect(renderToStaticMarkup(createElement("div", null, ...streaming))).not.toContain(
      "md-math-render",
    );
  });
});
