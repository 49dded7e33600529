import { describe, expect, it } from "vitest";
import { splitBlocks } from "../../../app/ui/markdown/blocks";
import { renderMarkdown } from "../../../app/ui/markdown/engine";

/**
 * No text within the limits may cost the renderer more than linear time. Each generated input
 * repeats one markdown construct (closed, unclosed, nested) to a small and to a 32 times larger
 * size; parsing and rendering the larger one must cost less than 12 × 32 times as much. Linear
 * work measures 30–80 on a quiet machine and up to about 350 with a browser test and a build
 * sharing its two cores (a larger heap also costs more per character); the quadratic scan this
 * test was written for measured 1,500. So the check holds on a busy machine and still fails for
 * anything quadratic. Each timing is the fastest of a few runs (noise only ever adds time), after a
 * warm-up.
 */
const SMALL = 2_000;
const FACTOR = 32;
const LIMIT = 12 * FACTOR;

/** `unit` repeated to `chars` characters. */
const repeat = (unit: string) => (chars: number) => unit.repeat(Math.ceil(chars / unit.length));

/** Nested `depth` levels deep by `open`, then repeated. */
const nested =
  (open: (level: number) => string, depth: number, leaf: string) => (chars: number) => {
    let one = "";
    for (let level = 0; level < depth; level++) one += open(level);
    return repeat(one + leaf)(chars);
  };

const CONSTRUCTS: Record<string, (chars: number) => string> = {
  "unclosed $ openers": repeat("$a "),
  "unclosed \\( openers": repeat("\\(a "),
  "unclosed \\[ openers": repeat("\\[a "),
  "unclosed $$ openers": repeat("$$a "),
  "closed inline math": repeat("$x^2$ and \\(y\\) and $$z$$ "),
  "unclosed $$ blocks": repeat("$$\na\n\n"),
  "unclosed \\[ blocks in list items": repeat("- \\[ a\n"),
  "math blocks": repeat("$$\n\\frac{1}{2}\n$$\n\n"),
  "unclosed backticks": repeat("`a ``b "),
  "code spans": repeat("`a` "),
  "unclosed emphasis": repeat("*a **b _c __d "),
  emphasis: repeat("*a* **b** _c_ ~~d~~ "),
  "mixed delimiter runs": repeat("*_~*_~"),
  "unclosed link brackets": repeat("[a "),
  "unclosed link destinations": repeat("[a]( "),
  "unclosed images": repeat("![a]( "),
  links: repeat("[a](https://x.example/a) "),
  "reference definitions and uses": (chars) => {
    const defs = repeat("[r]: https://x.example/r\n")(chars / 2);
    return `${defs}\n${repeat("[r] [r][] [x][r] ")(chars / 2)}`;
  },
  "unclosed autolinks": repeat("<http://a "),
  "linkified urls": repeat("https://a.example/b www.c.example d@e.example "),
  "raw html as text": repeat("<div><span a='"),
  entities: repeat("&amp; &#123; &#x1F600; &nope "),
  "backslash escapes": repeat("\\* \\_ \\` \\\\ "),
  "hard breaks": repeat("a  \nb\\\n"),
  headings: repeat("# a\nb\n===\n"),
  "unclosed fences": repeat("```\na\n"),
  fences: repeat("```js\nlet a = 1;\n```\n"),
  "indented code": repeat("    code\n"),
  tables: (chars) => `| a | b | c |\n|---|:-:|--:|\n${repeat("| 1 | *2* | `3` |\n")(chars)}`,
  "wide table header with short rows": (chars) =>
    `${"| h ".repeat(200)}|\n${"|-".repeat(200)}|\n${repeat("|\n")(chars)}`,
  "table-like lines": repeat("a | b\n"),
  // One paragraph of many lines: every line runs every paragraph terminator rule.
  "lines of one character": repeat("a\n"),
  "lines of pipes": repeat("|\n"),
  "task lists": repeat("- [ ] a\n- [x] b\n"),
  "loose lists": repeat("1. a\n\n2. b\n\n"),
  "nested lists": nested((level) => `${"  ".repeat(level)}- a\n`, 12, "\n"),
  "nested blockquotes": nested(() => "> ", 20, "a\n\n"),
  "blockquoted lists": nested(() => "> - ", 8, "a\n"),
  "nested brackets": nested(() => "[", 30, "a"),
  "nested emphasis": nested((level) => (level % 2 ? "*" : "_"), 30, "a "),
  "lazy continuation lines": repeat("> a\nb\n"),
  "horizontal rules": repeat("***\n---\n___\n"),
  "every construct at once": (chars) =>
    repeat(
      "# T\n\n$a \\(b \\[c $$d `e *f [g ![h <i &j\n\n- [ ] k $x$\n  > l\n\n| m | n |\n|-|-|\n| o | p |\n\n```py\nq\n```\n\n",
    )(chars),
};

function cost(work: () => void, runs = 3): number {
  let fastest = Infinity;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    work();
    fastest = Math.min(fastest, performance.now() - started);
  }
  return fastest;
}

/**
 * The cost ratio, measured again (up to three times) while it is over the limit: a burst of
 * load on a shared machine can inflate one measurement, but not a quadratic cost's every one.
 */
function ratio(work: (text: string) => void, make: (chars: number) => string): number {
  let best = Infinity;
  for (let attempt = 0; attempt < 3 && best >= LIMIT; attempt++) {
    best = Math.min(best, measureRatio(work, make));
  }
  return best;
}

function measureRatio(work: (text: string) => void, make: (chars: number) => string): number {
  const small = make(SMALL);
  const large = make(SMALL * FACTOR);
  work(large); // warm-up: the JIT has seen this shape of input
  const smallCost = Math.max(
    cost(() => work(small), 7),
    0.05,
  );
  return cost(() => work(large)) / smallCost;
}

describe("rendering cost grows linearly with the text", { timeout: 60_000 }, () => {
  for (const [name, make] of Object.entries(CONSTRUCTS)) {
    it(`parsing and rendering: ${name}`, () => {
      expect(ratio((text) => renderMarkdown(text, true), make)).toBeLessThan(LIMIT);
    });
  }

  it("splitting into chunks, for every construct at once", () => {
    for (const [name, make] of Object.entries(CONSTRUCTS)) {
      expect(
        ratio((text) => splitBlocks(text), make),
        name,
      ).toBeLessThan(LIMIT);
    }
  });
});
