/**
 * Splits markdown into top-level chunks that can be rendered independently: a chunk ends at a
 * blank line followed by an unindented line, never inside a ``` / ~~~ fence or a $$ / \[ math
 * block. Indented lines after a blank line (list continuations, indented code) stay with the
 * chunk above, so a chunk never changes meaning when the text after it grows.
 *
 * Invariant for streaming: when `text` extends the text of `previous`, every chunk but the
 * last is final and kept as the same string object; only the last one is scanned again. That
 * keeps the work per token proportional to the last chunk, not to the whole reply.
 */
export interface BlockSplit {
  readonly text: string;
  readonly blocks: readonly string[];
  /** Where the last (still open) chunk starts in `text`. */
  readonly lastStart: number;
}

const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const MATH_OPEN = /^ {0,3}(\$\$|\\\[)/;

export function splitBlocks(text: string, previous?: BlockSplit): BlockSplit {
  if (previous && text.length >= previous.text.length && text.startsWith(previous.text)) {
    const kept = previous.blocks.slice(0, -1);
    const tail = scan(text, previous.lastStart);
    return {
      text,
      blocks: [...kept, ...tail.blocks],
      lastStart: tail.lastStart,
    };
  }
  return { text, ...scan(text, 0) };
}

function scan(text: string, from: number): { blocks: string[]; lastStart: number } {
  const blocks: string[] = [];
  let blockStart = from;
  let closer: RegExp | undefined;
  let sawBlank = false;
  let pos = from;
  while (pos < text.length) {
    const newline = text.indexOf("\n", pos);
    const lineEnd = newline === -1 ? text.length : newline;
    const line = text.slice(pos, lineEnd);
    const lineStart = pos;
    pos = newline === -1 ? text.length : newline + 1;
    if (closer) {
      if (closer.test(line)) closer = undefined;
      continue;
    }
    if (line.trim() === "") {
      sawBlank = true;
      continue;
    }
    if (sawBlank && !/^[ \t]/.test(line) && lineStart > blockStart) {
      blocks.push(text.slice(blockStart, lineStart));
      blockStart = lineStart;
    }
    sawBlank = false;
    const fence = FENCE.exec(line);
    if (fence?.[1]) {
      const mark = fence[1];
      closer = new RegExp(`^ {0,3}${mark[0] === "`" ? "`" : "~"}{${mark.length},}\\s*$`);
      continue;
    }
    const math = MATH_OPEN.exec(line);
    if (math?.[1]) {
      const close = math[1] === "$$" ? "$$" : "\\]";
      const rest = line.trimEnd().slice(line.indexOf(math[1]) + 2);
      if (!rest.endsWith(close)) {
        closer = close === "$$" ? /\$\$\s*$/ : /\\\]\s*$/;
      }
    }
  }
  blocks.push(text.slice(blockStart));
  return { blocks, lastStart: blockStart };
}
