import { createElement, Fragment, isValidElement, type ReactElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { splitBlocks } from "../../../app/ui/markdown/blocks";
import { renderMarkdown } from "../../../app/ui/markdown/engine";
import { classifyImage, safeLinkHref } from "../../../app/ui/markdown/url";

const html = (source: string) =>
  renderToStaticMarkup(createElement("div", null, ...renderMarkdown(source, true)));

describe("splitBlocks", () => {
  it("splits at blank lines but never inside fences or math blocks", () => {
    const text = "para one\n\n```js\na\n\nb\n```\n\n$$\nx\n\ny\n$$\n\nlast";
    expect(splitBlocks(text).blocks).toEqual([
      "para one\n\n",
      "```js\na\n\nb\n```\n\n",
      "$$\nx\n\ny\n$$\n\n",
      "last",
    ]);
  });

  it("keeps indented continuations with the list above", () => {
    const text = "- item\n\n  more of the item\n\nnext";
    expect(splitBlocks(text).blocks).toEqual(["- item\n\n  more of the item\n\n", "next"]);
  });

  it("reuses finished chunks as the same strings when the text grows", () => {
    // Streaming (open), a block starting on the unfinished last line is not final yet.
    const first = splitBlocks("alpha\n\nbeta\n", undefined, true);
    const second = splitBlocks("alpha\n\nbeta\ngamma\n\ndelta", first);
    expect(second.blocks).toEqual(["alpha\n\n", "beta\ngamma\n\n", "delta"]);
    expect(second.blocks[0]).toBe(first.blocks[0]);
  });

  it("splitting incrementally gives the same chunks as splitting at once", () => {
    const text = "# T\n\n| a |\n|---|\n| 1 |\n\n- x\n- y\n\n```\ncode\n\nmore\n```\n\ntext $a$\n";
    let state = splitBlocks("");
    for (let i = 1; i <= text.length; i += 3) state = splitBlocks(text.slice(0, i), state, true);
    state = splitBlocks(text, state);
    expect(state.blocks).toEqual(splitBlocks(text).blocks);
    expect(state.blocks.join("")).toBe(text);
  });
});

/** Each element of a rendered tree as its path of tags and keys, in document order. */
function keysOf(nodes: readonly unknown[], path = ""): string[] {
  const out: string[] = [];
  for (const node of nodes) {
    if (!isValidElement<{ children?: unknown }>(node)) continue;
    const tag = typeof node.type === "string" ? node.type : node.type === Fragment ? "#" : "C";
    const here = `${path}/${tag}:${node.key}`;
    const { children } = node.props;
    out.push(here);
    if (children !== undefined) out.push(...keysOf([children].flat(), here));
  }
  return out;
}

describe("markdown rendering", () => {
  // React rebuilds an element whose key changed: with keys taken where an element closed, a
  // list or table being streamed got a new key with every item or row, and all of its DOM
  // was made again on every update (losing a selection in it, too).
  it.each([
    ["a list", "- one\n- two", "- one\n- two\n- three"],
    ["a nested list", "- one\n  - a", "- one\n  - a\n  - b\n- two"],
    ["a table", "| a | b |\n|---|---|\n| 1 | 2 |", "| a | b |\n|---|---|\n| 1 | 2 |\n| 3 | 4 |"],
    ["a blockquote", "> one\n>\n> two", "> one\n>\n> two\n>\n> three"],
  ])("keeps the keys of %s as more of it is written", (_, before, after) => {
    const was = keysOf(renderMarkdown(before, false));
    const now = keysOf(renderMarkdown(after, false));
    expect(now.length).toBeGreaterThan(was.length);
    expect(now.slice(0, was.length)).toEqual(was);
  });

  it("renders a paragraph of many lines as one text, not a node per line", () => {
    const [paragraph] = renderMarkdown("a\nb\n*c*\nd\ne", true) as [ReactElement];
    const inline = (paragraph.props as { children: ReactElement }).children;
    const children = (inline.props as { children: unknown[] }).children;
    expect(children.map((child) => (typeof child === "string" ? child : "<em>"))).toEqual([
      "a\nb\n",
      "<em>",
      "\nd\ne",
    ]);
  });

  it("renders GFM tables, task lists and strikethrough", () => {
    const out = html("| a | b |\n|:-|-:|\n| 1 | 2 |\n\n- [x] done\n- [ ] todo\n\n~~old~~");
    expect(out).toContain("<table>");
    expect(out).toContain('<td style="text-align:right">2</td>');
    expect(out).toContain('class="md-task"');
    expect(out).toContain("<s>old</s>");
  });

  it("never turns source into markup: raw HTML is text", () => {
    const out = html('<img src=x onerror="alert(1)"><script>alert(2)</script>');
    expect(out).not.toContain("<img");
    expect(out).not.toContain("<script");
    expect(out).toContain("&lt;script&gt;");
  });

  it("drops unsafe link targets and marks safe ones noopener", () => {
    const out = html(
      "[a](javascript:alert(1)) [b](vbscript:x) [c](data:text/html,hi) [d](https://ok.example/)",
    );
    expect(out).not.toMatch(/href="(javascript|vbscript|data)/);
    expect(out).toContain('href="https://ok.example/"');
    expect(out).toContain('rel="noopener noreferrer nofollow"');
  });

  it("shows remote images as a button, inline images as images", () => {
    const out = html("![r](https://t.example/p.png) ![i](data:image/png;base64,AAAA)");
    expect(out).toContain('data-testid="remote-image"');
    expect(out).not.toContain('src="https://t.example');
    expect(out).toContain('<img src="data:image/png;base64,AAAA"');
  });

  it("parses inline and display math but not prices", () => {
    const tokens = html("cost $5 and $10, math $x^2$ and\n\n$$\n\\frac{1}{2}\n$$");
    expect(tokens).toContain("x^2");
    expect(tokens).toContain("$5 and $10");
    expect(tokens).toContain("md-math-display");
  });

  it("renders code blocks with their language and a copy button", () => {
    const out = html("```python\nprint(1)\n```");
    expect(out).toContain('data-testid="code-block"');
    expect(out).toContain("python");
    expect(out).toContain("print(1)");
  });
});

describe("url rules", () => {
  it("allows only web and mail links", () => {
    expect(safeLinkHref("https://a.example/x")).toBe("https://a.example/x");
    expect(safeLinkHref("mailto:a@b.example")).toBe("mailto:a@b.example");
    expect(safeLinkHref("javascript:alert(1)")).toBeUndefined();
    expect(safeLinkHref("/relative")).toBeUndefined();
  });
  it("classifies images", () => {
    expect(classifyImage("https://x.example/a.png").kind).toBe("remote");
    expect(classifyImage("data:image/svg+xml;base64,AAAA").kind).toBe("blocked");
    expect(classifyImage("blob:https://x.example/123").kind).toBe("inline");
  });
});
