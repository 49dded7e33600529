import { parseBlocks, type References } from "./parser";

/**
 * Splits markdown into top-level chunks that can be rendered independently, where markdown-it
 * itself sees top-level blocks: a chunk starts at the first line (`token.map`) of each
 * top-level block token, and blank lines belong to the chunk above. So a loose list is one
 * chunk (one list, as markdown-it renders it), and a fence or math block is never cut.
 * Link reference definitions are collected for the whole text and handed to every chunk, so
 * "[a]" resolves wherever "[a]: url" is written.
 *
 * Invariant for streaming: when `text` extends the text of `previous`, every chunk but the
 * last is final and kept as the same string object; only the last one is parsed again (at
 * block level only). That keeps the work per token proportional to the last chunk, not to
 * the whole reply. It holds because markdown's block structure is decided line by line:
 * once a later top-level block has begun on a finished line, nothing appended can reopen an
 * earlier one.
 *
 * A finished top-level paragraph longer than `PARAGRAPH_PIECE_CHARS` is cut into pieces of
 * about that size (see `paragraphPieces`), so that the slicing in Markdown.tsx can spread one
 * huge paragraph (90,000 characters of "|" lines, say) over several tasks; markdown-it would
 * otherwise parse and render it in one.
 */
export interface BlockSplit {
  /** The text, with "\r\n" and "\r" read as "\n" (as markdown-it reads them). */
  readonly text: string;
  readonly blocks: readonly string[];
  /** Where the last (still open) chunk starts in `text`. */
  readonly lastStart: number;
  /** Definitions in the final chunks (all but the last). */
  readonly settled: References;
  /** Definitions in the whole text; the same object while they do not change. */
  readonly references: References;
  /** Split as a text that may still grow (see `splitBlocks`). */
  readonly open: boolean;
}

const NO_REFERENCES: References = Object.freeze(Object.create(null) as References);

/**
 * `open`: the text may still grow (a streaming reply), so a block that starts on its unfinished
 * last line is not yet taken as a boundary. A split made for finished text is not extended
 * (text appended to it is split again from the start).
 */
export function splitBlocks(raw: string, previous?: BlockSplit, open = false): BlockSplit {
  const text = raw.includes("\r") ? raw.replace(/\r\n?/g, "\n") : raw;
  if (previous?.text === text && previous.open === open) return previous;
  if (previous?.open && text.length >= previous.text.length && text.startsWith(previous.text)) {
    const tail = scan(text, previous.lastStart, previous.settled, open);
    return {
      open,
      text,
      blocks: [...previous.blocks.slice(0, -1), ...tail.blocks],
      lastStart: tail.lastStart,
      settled: tail.settled,
      references: sameReferences(tail.references, previous.references)
        ? previous.references
        : tail.references,
    };
  }
  return { text, open, ...scan(text, 0, NO_REFERENCES, open) };
}

function scan(
  text: string,
  from: number,
  settledBefore: References,
  open: boolean,
): Omit<BlockSplit, "text" | "open"> {
  const source = from === 0 ? text : text.slice(from);
  const { tokens, references } = parseBlocks(source);
  const starts: number[] = [];
  const paragraphs = new Set<number>();
  for (const token of tokens) {
    if (token.level === 0 && token.nesting !== -1 && token.map) {
      starts.push(token.map[0]);
      if (token.type === "paragraph_open") paragraphs.add(token.map[0]);
    }
  }
  // Line number → offset in `source`, only as far as the last block start.
  const lastLine = starts.at(-1) ?? 0;
  const lineOffsets = [0];
  for (let at = 0; lineOffsets.length <= lastLine;) {
    const newline = source.indexOf("\n", at);
    if (newline === -1) break;
    at = newline + 1;
    lineOffsets.push(at);
  }
  // The first chunk starts at the start, leading blank lines and all.
  const offsets = [0];
  const paragraphAt = new Set<number>();
  for (const [i, line] of starts.entries()) {
    const offset = i === 0 ? 0 : (lineOffsets[line] ?? source.length);
    if (offset > offsets.at(-1)!) offsets.push(offset);
    if (paragraphs.has(line) && offset === offsets.at(-1)) paragraphAt.add(offset);
  }
  // A block that starts on an unfinished last line may still turn out to continue the one
  // before ("1. a⏎⏎2" becomes "1. a⏎⏎2. b", one list), so that one stays open too.
  if (
    open &&
    offsets.length > 1 &&
    !source.endsWith("\n") &&
    offsets.at(-1)! > source.lastIndexOf("\n")
  ) {
    offsets.pop();
  }
  const blocks: string[] = [];
  let lastOffset = 0;
  for (let i = 0; i < offsets.length; i++) {
    const start = offsets[i]!;
    const block = source.slice(start, offsets[i + 1] ?? source.length);
    // The open last block may still become something else (a heading, a table): not cut.
    const last = i === offsets.length - 1;
    const pieces = paragraphAt.has(start) && !(open && last) ? paragraphPieces(block) : [block];
    lastOffset = start;
    for (const piece of pieces.slice(0, -1)) lastOffset += piece.length;
    blocks.push(...pieces);
  }
  const lastStart = from + lastOffset;

  // Definitions in the chunks that just became final: parse them once, on their own. A split
  // of finished text is never extended, so it needs none.
  let settled = settledBefore;
  if (open && offsets.length > 1) {
    const finished = parseBlocks(source.slice(0, offsets.at(-1))).references;
    settled = merge(settledBefore, finished);
  }
  return { blocks, lastStart, settled, references: merge(settled, references) };
}

/**
 * A top-level paragraph is cut into pieces of at most about this many characters. Each piece
 * is then a chunk of its own, parsed and rendered in its own task when Markdown.tsx slices a
 * message; one piece of the densest markdown ("|" lines: a token per character) parses and
 * renders in a few milliseconds.
 */
export const PARAGRAPH_PIECE_CHARS = 4_000;

/**
 * Cuts a paragraph (its source, trailing blank lines and all) into pieces that each read as a
 * paragraph of their own, preferably at a line break, else after a space, else anywhere but
 * inside an escape or a surrogate pair. A piece starts only where a line would start a
 * paragraph ("- a", "# a", "    a" or "[a]: b" would start another block), so every piece
 * renders the same text, and the pieces together the paragraph's text, with two differences:
 * each cut shows as a paragraph break (where a line break or a space was), and inline markup
 * that spans a cut (emphasis, a link, a code span, math) is not recognised across it.
 */
export function paragraphPieces(text: string, max = PARAGRAPH_PIECE_CHARS): string[] {
  if (text.length <= max) return [text];
  const pieces: string[] = [];
  let start = 0;
  while (text.length - start > max) {
    const cut = cutPoint(text, start, start + max);
    pieces.push(text.slice(start, cut));
    start = cut;
  }
  pieces.push(text.slice(start));
  return pieces;
}

/** Where to cut in (start, end]: the latest good place in the second half, else at `end`. */
function cutPoint(text: string, start: number, end: number): number {
  const floor = start + Math.floor((end - start) / 2);
  for (const separator of ["\n", " "]) {
    // A few tries each: a line that cannot start a paragraph is rare, a run of them hostile.
    let at = end;
    for (let tries = 0; tries < 16; tries++) {
      const found = text.lastIndexOf(separator, at - 1);
      if (found < floor) break;
      let next = found + 1;
      while (text[next] === " " || text[next] === "\t") next++;
      if (next <= end && next < text.length && startsParagraph(text, next)) return next;
      at = found;
    }
  }
  let cut = end;
  // Not between a backslash and what it escapes, nor inside a surrogate pair.
  while (cut > floor && (text[cut - 1] === "\\" || isLowSurrogate(text.charCodeAt(cut)))) cut--;
  return cut;
}

/** Whether the line at `at` would start a paragraph at the start of a text. */
function startsParagraph(text: string, at: number): boolean {
  const newline = text.indexOf("\n", at);
  // Whether a line starts a paragraph is decided by its first characters.
  const line = text.slice(at, Math.min(newline === -1 ? text.length : newline, at + 200));
  return parseBlocks(line).tokens[0]?.type === "paragraph_open";
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/** `first`'s definitions win, as the first definition of a label wins in markdown. */
function merge(first: References, then: References): References {
  const added = Object.keys(then).filter((label) => !(label in first));
  if (added.length === 0) return first;
  const merged = Object.assign(Object.create(null) as Record<string, References[string]>, first);
  for (const label of added) merged[label] = then[label]!;
  return merged;
}

function sameReferences(a: References, b: References): boolean {
  if (a === b) return true;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every(
    (label) => b[label]?.href === a[label]?.href && b[label]?.title === a[label]?.title,
  );
}
