import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { splitBlocks, type BlockSplit } from "../../../app/ui/markdown/blocks";
import { renderMarkdown } from "../../../app/ui/markdown/engine";

/** The text rendered chunk by chunk, as Markdown.tsx does it. */
const chunked = (text: string, split: BlockSplit = splitBlocks(text)) =>
  renderToStaticMarkup(
    createElement(
      "div",
      null,
      ...split.blocks.flatMap((block) => renderMarkdown(block, true, split.references)),
    ),
  );
const whole = (text: string) =>
  renderToStaticMarkup(createElement("div", null, ...renderMarkdown(text, true)));

const SAMPLES = [
  "1. a\n\n2. b\n\n3. c",
  "See [the docs] and [x][ref].\n\nMore text.\n\n[the docs]: https://docs.example/\n[ref]: https://ref.example/ 'T'",
  "[first]: https://one.example/\n\n[first]: https://two.example/\n\n[first]",
  "- a\n\n  more\n\n- b\n\n```\nx\n\ny\n```\n\n> q\n\n> r\n\npara\n===\n\n| a |\n|---|\n| 1 |\n\n$$\nx\n\ny\n$$\n\nend",
  "\n\nlead\r\nline two\r\rlast",
  "- $$ x\n\nafter\n\n    indented code\n\n* * *\n\n<div>\n\nhtml as text\n</div>",
];

describe("chunks follow markdown-it's own blocks", () => {
  it("renders every sample chunk by chunk exactly as markdown-it renders the whole", () => {
    for (const text of SAMPLES)
      expect(chunked(text), text).toBe(whole(text.replace(/\r\n?/g, "\n")));
  });

  it('keeps "1. a⏎⏎2. b" one list, in one chunk', () => {
    expect(splitBlocks("1. a\n\n2. b").blocks).toEqual(["1. a\n\n2. b"]);
    expect(chunked("1. a\n\n2. b").match(/<ol>/g)).toHaveLength(1);
  });

  it("resolves a reference defined in a later chunk", () => {
    const text = "Read [the docs].\n\nMore.\n\n[the docs]: https://docs.example/";
    expect(splitBlocks(text).blocks.length).toBeGreaterThan(1);
    expect(chunked(text)).toContain('href="https://docs.example/"');
  });

  it("splitting as the text streams in gives the chunks and links of splitting at once", () => {
    for (const text of SAMPLES.map((s) => s.replace(/\r\n?/g, "\n"))) {
      let state = splitBlocks("");
      for (let i = 1; i <= text.length; i += 2) state = splitBlocks(text.slice(0, i), state, true);
      state = splitBlocks(text, state);
      const once = splitBlocks(text);
      expect(state.blocks, text).toEqual(once.blocks);
      expect({ ...state.references }, text).toEqual({ ...once.references });
      expect(chunked(text, state)).toBe(whole(text));
    }
  });

  it("keeps finished chunks and the references object identical while the text grows", () => {
    const first = splitBlocks("[a]: https://a.example/\n\nalpha [a]\n\nbeta\n", undefined, true);
    const second = splitBlocks(
      "[a]: https://a.example/\n\nalpha [a]\n\nbeta\ngamma\n\ndelta",
      first,
      true,
    );
    expect(second.blocks[0]).toBe(first.blocks[0]);
    expect(second.blocks[1]).toBe(first.blocks[1]);
    expect(second.references).toBe(first.references);
    const third = splitBlocks(`${second.text}\n\n[b]: https://b.example/`, second, true);
    expect(third.references).not.toBe(second.references);
    expect(Object.keys(third.references)).toEqual(["A", "B"]);
  });
});
