import markdownIt, {
  type MarkdownIt,
  type StateBlock,
  type StateCore,
  type StateInline,
  type Token,
} from "markdown-it";

export type { Token };

/**
 * GFM-flavoured markdown as tokens; the renderer turns them into React elements, so no HTML
 * string from a message ever reaches the DOM. `html: false` makes raw HTML plain text.
 */
const md = new markdownIt({ html: false, linkify: true, typographer: false, breaks: false });
md.use(mathPlugin);
md.core.ruler.after("inline", "task_lists", taskLists);

export function parseMarkdown(source: string): Token[] {
  return md.parse(source, {});
}

/** `$…$`, `\(…\)` inline and `$$…$$`, `\[…\]` blocks, as math_inline / math_block tokens. */
function mathPlugin(markdown: MarkdownIt): void {
  markdown.inline.ruler.before("escape", "math_inline", mathInline);
  markdown.block.ruler.before("fence", "math_block", mathBlock, {
    alt: ["paragraph", "reference", "blockquote", "list"],
  });
}

function mathInline(state: StateInline, silent: boolean): boolean {
  const src = state.src;
  const start = state.pos;
  let open: string;
  let close: string;
  if (src.startsWith("\\(", start)) {
    open = "\\(";
    close = "\\)";
  } else if (src[start] === "$" && src[start + 1] !== "$") {
    open = "$";
    close = "$";
  } else return false;
  const contentStart = start + open.length;
  if (open === "$" && /\s/.test(src[contentStart] ?? " ")) return false;
  let end = src.indexOf(close, contentStart);
  // Skip escaped dollars (\$) inside the math.
  while (open === "$" && end !== -1 && isEscaped(src, end, contentStart)) {
    end = src.indexOf(close, end + 1);
  }
  if (end === -1 || end === contentStart) return false;
  // "$5 and $10": the first $ after an opening one must close it; a closing $ after a space or
  // before a digit means this was no math at all.
  if (open === "$" && (/\s/.test(src[end - 1] ?? " ") || /\d/.test(src[end + 1] ?? ""))) {
    return false;
  }
  if (!silent) {
    const token = state.push("math_inline", "math", 0);
    token.content = src.slice(contentStart, end);
    token.markup = open;
  }
  state.pos = end + close.length;
  return true;
}

function mathBlock(
  state: StateBlock,
  startLine: number,
  endLine: number,
  silent: boolean,
): boolean {
  const lineStart = (line: number) => (state.bMarks[line] ?? 0) + (state.tShift[line] ?? 0);
  const lineEnd = (line: number) => state.eMarks[line] ?? 0;
  if ((state.sCount[startLine] ?? 0) - state.blkIndent >= 4) return false;
  const first = state.src.slice(lineStart(startLine), lineEnd(startLine));
  const open = first.startsWith("$$") ? "$$" : first.startsWith("\\[") ? "\\[" : undefined;
  if (!open) return false;
  const close = open === "$$" ? "$$" : "\\]";
  if (silent) return true;
  let content: string;
  let line = startLine;
  const rest = first.slice(open.length);
  if (rest.trimEnd().endsWith(close)) {
    content = rest.trimEnd().slice(0, -close.length);
  } else {
    const lines = [rest];
    let closed = false;
    while (++line < endLine) {
      const text = state.src.slice(lineStart(line), lineEnd(line));
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
