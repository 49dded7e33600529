import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import {
  PARAGRAPH_PIECE_CHARS,
  paragraphPieces,
  splitBlocks,
  type BlockSplit,
} from "../../../app/ui/markdown/blocks";
import { renderMarkdown } from "../../../app/ui/markdown/engine";
import { GROUP_CHARS, GROUP_SIZE, groupChunks } from "../../../app/ui/markdown/groups";

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

/** The text of every paragraph, markup stripped, joined as one run of words. */
const words = (html: string) =>
  html
    .replace(/<[^>]+>/g, " ")
    .replace(/\s+/g, " ")
    .trim();

describe("a huge paragraph is cut into pieces the slicing can spread over tasks", () => {
  const pipes = "|\n".repeat(45_000);

  it("90,000 characters of short lines become pieces of at most 4,000, cut at line breaks", () => {
    const { blocks } = splitBlocks(pipes);
    expect(blocks.length).toBeGreaterThanOrEqual(90_000 / PARAGRAPH_PIECE_CHARS);
    expect(blocks.join("")).toBe(pipes);
    for (const block of blocks) {
      expect(block.length).toBeLessThanOrEqual(PARAGRAPH_PIECE_CHARS);
      expect(block.endsWith("\n")).toBe(true);
    }
    // Each piece is a paragraph; together they hold the paragraph's text.
    const html = chunked(pipes);
    expect(html.match(/<p>/g)).toHaveLength(blocks.length);
    expect(words(html)).toBe(words(whole(pipes)));
  });

  it("a paragraph of one 100,000-character line is cut after spaces", () => {
    const openers = "\\(a ".repeat(25_000);
    const { blocks } = splitBlocks(openers);
    expect(blocks.length).toBeGreaterThanOrEqual(25);
    expect(blocks.join("")).toBe(openers);
    for (const block of blocks.slice(0, -1)) expect(block.endsWith("a ")).toBe(true);
    expect(words(chunked(openers))).toBe(words(whole(openers)));
  });

  it("without spaces, never between a backslash and what it escapes", () => {
    const escapes = "\\(".repeat(30_000);
    const pieces = paragraphPieces(escapes);
    expect(pieces.length).toBeGreaterThan(1);
    for (const piece of pieces) expect(piece.startsWith("(")).toBe(false);
    const text = (html: string) => words(html).replaceAll(" ", "");
    expect(text(chunked(escapes))).toBe(text(whole(escapes)));
  });

  it("starts no piece on a line that would begin another block on its own", () => {
    // Inside a paragraph these lines are text (none can interrupt one); at the start of a
    // piece each would be code, an ordered list from 2 or a link definition.
    const text = "text\n" + "    indented\n2. two\n[a]: https://a.example/\nword\n".repeat(2_000);
    const html = chunked(text);
    expect(splitBlocks(text).blocks.length).toBeGreaterThan(10);
    expect(html).not.toMatch(/<pre|<ol|<code/);
    expect(words(html)).toBe(words(whole(text)));
  });

  it("keeps short paragraphs, and the paragraph still being written, whole", () => {
    expect(splitBlocks("a\nb\n\nc").blocks).toEqual(["a\nb\n\n", "c"]);
    const growing = splitBlocks(pipes, undefined, true);
    expect(growing.blocks).toEqual([pipes]);
    // Finished, it is cut as if split at once.
    expect(splitBlocks(pipes, growing).blocks).toEqual(splitBlocks(pipes).blocks);
    // Once a later block has begun, it is final and cut while the text still grows.
    const next = splitBlocks(`${pipes}\n# next\n`, growing, true);
    expect(next.blocks.slice(0, -1)).toEqual(splitBlocks(`${pipes}\n`).blocks);
    expect(next.blocks.length).toBeGreaterThan(20);
    expect(next.blocks.at(-1)).toBe("# next\n");
  });
});

describe("chunks are mounted in groups", () => {
  it("of eight chunks, or fewer when they hold more than a slice's worth of characters", () => {
    const { blocks } = splitBlocks("|\n".repeat(45_000));
    const groups = groupChunks(blocks);
    expect(groups.flatMap((g) => g.sources)).toEqual(blocks);
    for (const group of groups) {
      expect(group.sources.length).toBeLessThan(GROUP_SIZE);
      expect(group.chars - group.sources.at(-1)!.length).toBeLessThan(GROUP_CHARS);
    }
    const short = groupChunks(Array.from({ length: 20 }, (_, i) => `chunk ${i}\n\n`));
    expect(short.map((g) => g.sources.length)).toEqual([8, 8, 4]);
  });

  it("a growing last chunk stays in the group it started in", () => {
    const chunks = ["a".repeat(7_000), "b", "c"];
    const before = groupChunks(chunks).map((g) => g.start);
    const after = groupChunks([...chunks.slice(0, -1), "c".repeat(50_000)]).map((g) => g.start);
    expect(after).toEqual(before);
  });
});
