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
  for (const token of tokens) {
    if (token.level === 0 && token.nesting !== -1 && token.map) starts.push(token.map[0]);
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
  for (const line of starts.slice(1)) {
    const offset = lineOffsets[line] ?? source.length;
    if (offset > offsets.at(-1)!) offsets.push(offset);
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
  for (let i = 0; i < offsets.length; i++) {
    blocks.push(source.slice(offsets[i], offsets[i + 1] ?? source.length));
  }
  const lastStart = from + offsets.at(-1)!;

  // Definitions in the chunks that just became final: parse them once, on their own.
  let settled = settledBefore;
  if (offsets.length > 1) {
    const finished = parseBlocks(source.slice(0, offsets.at(-1))).references;
    settled = merge(settledBefore, finished);
  }
  return { blocks, lastStart, settled, references: merge(settled, references) };
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
