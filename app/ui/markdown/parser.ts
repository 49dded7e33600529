import markdownIt, {
  type MarkdownIt,
  type StateBlock,
  type StateCore,
  type StateInline,
  type Token,
} from "markdown-it";
import { boundedTables } from "./bounded-table";

export type { Token };

/**
 * GFM-flavoured markdown as tokens; the renderer turns them into React elements, so no HTML
 * string from a message ever reaches the DOM. `html: false` makes raw HTML plain text.
 */
const md = new markdownIt({ html: false, linkify: true, typographer: false, breaks: false });
md.use(mathPlugin);
md.use(boundedTables);
md.core.ruler.after("inline", "task_lists", taskLists);

/** Link reference definitions by markdown-it's normalised label, as in its `env.references`. */
export type References = Readonly<Record<string, { href: string; title: string }>>;

/**
 * Tokens for one chunk of a message. `references` holds the definitions of the whole message
 * (a chunk may use a link defined in another); the chunk's own are added to a child object, so
 * the shared one is never written and the first definition of a label wins, as in markdown-it.
 */
export function parseMarkdown(source: string, references?: References): Token[] {
  const env = {
    references: Object.create(references ?? null) as Record<
      string,
      { href: string; title: string }
    >,
  };
  return md.parse(source, env);
}

/**
 * Block-level tokens only (no inline parsing: cheap), for finding chunk boundaries, and the
 * link reference definitions found on the way. `source` must already have "\n" line ends.
 */
export function parseBlocks(source: string): { tokens: Token[]; references: References } {
  const env = {
    references: Object.create(null) as Record<string, { href: string; title: string }>,
  };
  const tokens: Token[] = [];
  md.block.parse(source, md, env, tokens);
  return { tokens, references: env.references };
}

/**
 * Math as KaTeX's auto-render reads it: `$…$` and `\(…\)` inline, `$$…$$` and `\[…\]` in
 * display style, both inside a paragraph and as blocks of their own (math_inline tokens, with
 * `meta.display` for display style in running text, and math_block tokens).
 */
function mathPlugin(markdown: MarkdownIt): void {
  markdown.inline.ruler.before("escape", "math_inline", mathInline);
  markdown.block.ruler.before("fence", "math_block", mathBlock, {
    alt: ["paragraph", "reference", "blockquote", "list"],
  });
}

interface Delimiter {
  open: string;
  close: string;
  display: boolean;
}

const DELIMITERS: readonly Delimiter[] = [
  { open: "$$", close: "$$", display: true },
  { open: "\\[", close: "\\]", display: true },
  { open: "\\(", close: "\\)", display: false },
  { open: "$", close: "$", display: false },
];

/**
 * Where each closing delimiter next occurs, per inline run. Without it every unmatched opener
 * scans to the end of the paragraph, and a paragraph of openers costs the square of its length
 * (a 500-character link froze the tab for 18 s). With it the source is scanned once per
 * delimiter kind, like markdown-it's own cache for backtick runs.
 */
const closers = new WeakMap<StateInline, Map<string, { from: number; at: number }>>();

function nextCloser(state: StateInline, close: string, from: number): number {
  let seen = closers.get(state);
  if (!seen) closers.set(state, (seen = new Map()));
  const known = seen.get(close);
  // A search from `known.from` found nothing before `known.at` (or nothing at all: -1).
  if (known && known.from <= from && (known.at === -1 || known.at >= from)) return known.at;
  const at = state.src.indexOf(close, from);
  seen.set(close, { from, at });
  return at;
}

// Characters a math opener can start with: "$" and "\".
const DOLLAR = 0x24;
const BACKSLASH = 0x5c;

function delimiterAt(src: string, at: number): Delimiter | undefined {
  for (const delimiter of DELIMITERS) if (src.startsWith(delimiter.open, at)) return delimiter;
  return undefined;
}

function mathInline(state: StateInline, silent: boolean): boolean {
  const src = state.src;
  const start = state.pos;
  const first = src.charCodeAt(start);
  if (first !== DOLLAR && first !== BACKSLASH) return false;
  const delimiter = delimiterAt(src, start);
  if (!delimiter) return false;
  const { open, close, display } = delimiter;
  const contentStart = start + open.length;
  if (open === "$" && /\s/.test(src[contentStart] ?? " ")) return false;
  let end = nextCloser(state, close, contentStart);
  // Skip escaped dollars (\$) inside the math.
  while (open === "$" && end !== -1 && isEscaped(src, end, contentStart)) {
    end = nextCloser(state, close, end + 1);
  }
  // A closer past the end of this run (a link's text, say) does not close it.
  if (end + close.length > state.posMax) end = -1;
  if (end === -1 || end === contentStart) {
    // An unmatched `$$` is text, not an opener of `$` math one character on.
    if (open !== "$$") return false;
    if (!silent) state.pending += open;
    state.pos = contentStart;
    return true;
  }
  // "$5 and $10": the first $ after an opening one must close it; a closing $ after a space or
  // before a digit means this was no math at all.
  if (open === "$" && (/\s/.test(src[end - 1] ?? " ") || /\d/.test(src[end + 1] ?? ""))) {
    return false;
  }
  if (!silent) {
    const token = state.push("math_inline", "math", 0);
    token.content = src.slice(contentStart, end).trim();
    token.markup = open;
    if (display) token.meta = { display: true };
  }
  state.pos = end + close.length;
  return true;
}

const lineStart = (state: StateBlock, line: number) =>
  (state.bMarks[line] ?? 0) + (state.tShift[line] ?? 0);
const lineEnd = (state: StateBlock, line: number) => state.eMarks[line] ?? 0;

/**
 * A block rule, and a terminator of paragraphs, lists and blockquotes: it runs on every line
 * of every paragraph, so a line that cannot open math is turned away on its first character,
 * before anything is sliced or allocated.
 */
function mathBlock(
  state: StateBlock,
  startLine: number,
  endLine: number,
  silent: boolean,
): boolean {
  if ((state.sCount[startLine] ?? 0) - state.blkIndent >= 4) return false;
  const firstChar = state.src.charCodeAt(lineStart(state, startLine));
  if (firstChar !== DOLLAR && firstChar !== BACKSLASH) return false;
  const first = state.src.slice(lineStart(state, startLine), lineEnd(state, startLine));
  const open = first.startsWith("$$") ? "$$" : first.startsWith("\\[") ? "\\[" : undefined;
  if (!open) return false;
  const close = open === "$$" ? "$$" : "\\]";
  const rest = first.slice(open.length);
  const closedAt = rest.indexOf(close);
  // "$$a$$ and $$b$$" is a paragraph with two display formulas, not one block.
  if (closedAt !== -1 && rest.slice(closedAt + close.length).trim() !== "") return false;
  if (silent) return true;
  let content: string;
  let line = startLine;
  if (closedAt !== -1) {
    content = rest.slice(0, closedAt);
  } else {
    const lines = [rest];
    let closed = false;
    while (++line < endLine) {
      // A line indented less than the container (a list item, say) ends the container, and
      // with it the block, as it ends a fenced code block.
      const blank = lineStart(state, line) >= lineEnd(state, line);
      if (!blank && (state.sCount[line] ?? 0) < state.blkIndent) {
        line--;
        closed = true;
        break;
      }
      const text = state.src.slice(lineStart(state, line), lineEnd(state, line));
      if (text.trimEnd().endsWith(close)) {
        lines.push(text.trimEnd().slice(0, -close.length));
        closed = true;
        break;
      }
      lines.push(text);
    }
    // An unclosed block (a reply still streaming) takes the rest of the text.
    if (!closed) line = endLine - 1;
    content = lines.join("\n");
  }
  state.line = line + 1;
  const token = state.push("math_block", "math", 0);
  token.block = true;
  token.content = content.trim();
  token.markup = open;
  token.map = [startLine, state.line];
  return true;
}

/** GFM task list items: "- [ ] todo" / "- [x] done". Marks the list item, strips the box. */
function taskLists(state: StateCore): void {
  const tokens = state.tokens;
  for (let i = 2; i < tokens.length; i++) {
    const inline = tokens[i];
    const item = tokens[i - 2];
    if (inline?.type !== "inline" || tokens[i - 1]?.type !== "paragraph_open") continue;
    if (item?.type !== "list_item_open") continue;
    const match = /^\[([ xX])\][ \t]/.exec(inline.content);
    const firstText = inline.children?.[0];
    if (!match || firstText?.type !== "text") continue;
    item.meta = { task: match[1] !== " " };
    firstText.content = firstText.content.slice(match[0].length);
  }
}

function isEscaped(src: string, at: number, from: number): boolean {
  let backslashes = 0;
  for (let i = at - 1; i >= from && src[i] === "\\"; i--) backslashes++;
  return backslashes % 2 === 1;
}
