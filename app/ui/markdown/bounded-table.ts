import type { MarkdownIt, StateBlock } from "markdown-it";

/**
 * A table with more cells than this is parsed only as far as the budget: the rest of its rows
 * are read (to know where the table ends) but make no tokens. A few kilobytes of "|" make tens
 * of thousands of cells (markdown-it fills short rows up to the header's width), and each
 * cell is three tokens to build and then DOM to lay out: five such tables in a shared link
 * kept the page from answering for 15 s. The renderer shows the cut (render.tsx).
 */
export const TABLE_CELL_BUDGET = 2_000;

/** On the `table_open` token of a table cut at the budget. */
export interface TableCut {
  /** Cells that have tokens: the header's and those of the rows that fit the budget. */
  shown: number;
  /** Cells markdown-it would have made for the whole table. */
  total: number;
}

export function tableCutOf(meta: unknown): TableCut | undefined {
  const cut = (meta as { tableCut?: TableCut } | null)?.tableCut;
  return cut && typeof cut.total === "number" ? cut : undefined;
}

// markdown-it's own limit on cells it fills in for short rows (rules_block/table): past it the
// table ends, and the following lines are read as other blocks.
const MAX_AUTOCOMPLETED_CELLS = 0x10000;

type BlockRule = (
  state: StateBlock,
  startLine: number,
  endLine: number,
  silent: boolean,
) => boolean;

/** Replaces markdown-it's table rule with one that stops making tokens at the cell budget. */
export function boundedTables(markdown: MarkdownIt): void {
  // markdown-it has no public way to read a rule by name; its ruler keeps them in __rules__.
  const ruler = markdown.block.ruler as unknown as { __rules__: { name: string; fn: BlockRule }[] };
  const table = ruler.__rules__.find((rule) => rule.name === "table")?.fn;
  if (!table) throw new Error("markdown-it has no table rule to bound");
  markdown.block.ruler.at("table", (state, startLine, endLine, silent) =>
    boundedTable(table, state, startLine, endLine, silent),
  );
}

function boundedTable(
  table: BlockRule,
  state: StateBlock,
  startLine: number,
  endLine: number,
  silent: boolean,
): boolean {
  const columns = silent ? 0 : delimiterColumns(state, startLine + 1);
  const rowsInBudget = Math.floor((TABLE_CELL_BUDGET - columns) / Math.max(columns, 1));
  const limit = startLine + 2 + Math.max(rowsInBudget, 0);
  if (columns === 0 || limit >= endLine) return table(state, startLine, endLine, silent);
  const first = state.tokens.length;
  if (!table(state, startLine, limit, false)) return false;
  // Ended on its own before the budget: nothing was cut.
  if (state.line < limit) return true;
  const { end, rows } = tableEnd(state, startLine, endLine, columns);
  if (end <= limit) return true;
  const open = state.tokens[first];
  if (open?.type !== "table_open" || !open.map) return true;
  const shown = columns * (1 + Math.min(rows, limit - startLine - 2));
  open.meta = { ...(open.meta as object | null), tableCut: { shown, total: columns * (1 + rows) } };
  open.map[1] = end;
  for (let i = first; i < state.tokens.length; i++) {
    const token = state.tokens[i]!;
    if (token.type === "tbody_open" && token.map) token.map[1] = end;
  }
  state.line = end;
  return true;
}

/** Columns of a table's delimiter row ("|---|:-:|" has 2), 0 when it is not one. */
function delimiterColumns(state: StateBlock, line: number): number {
  if (line >= state.lineMax) return 0;
  const text = lineText(state, line);
  if (!/^[|:\-\s]+$/.test(text)) return 0;
  const cells = text.split("|");
  if (cells[0]?.trim() === "") cells.shift();
  if (cells.at(-1)?.trim() === "") cells.pop();
  return cells.length;
}

/**
 * Where markdown-it's table rule would end the table that starts at `startLine`, and its
 * body rows: the same tests line by line (rules_block/table in markdown-it 15), without the
 * tokens. Linear in the length of the lines read.
 */
function tableEnd(
  state: StateBlock,
  startLine: number,
  endLine: number,
  columns: number,
): { end: number; rows: number } {
  const terminators = state.md.block.ruler.getRules("blockquote") as unknown as BlockRule[];
  const parentType = state.parentType;
  state.parentType = "table";
  let autocompleted = 0;
  let line = startLine + 2;
  for (; line < endLine; line++) {
    if ((state.sCount[line] ?? 0) < state.blkIndent) break;
    if (terminators.some((rule) => rule(state, line, endLine, true))) break;
    const text = lineText(state, line).trim();
    if (!text) break;
    if ((state.sCount[line] ?? 0) - state.blkIndent >= 4) break;
    autocompleted += columns - rowCells(text);
    if (autocompleted > MAX_AUTOCOMPLETED_CELLS) break;
  }
  state.parentType = parentType;
  return { end: line, rows: line - startLine - 2 };
}

/** Cells in a row as markdown-it splits it: on "|" not escaped by "\", outer empties dropped. */
function rowCells(text: string): number {
  let cells = 1;
  let escaped = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 0x7c && !escaped) cells++;
    escaped = ch === 0x5c;
  }
  if (text.charCodeAt(0) === 0x7c) cells--;
  // A "|" right after a "\" is escaped (markdown-it does not count the backslashes).
  const last = text.length - 1;
  if (
    last >= 0 &&
    text.charCodeAt(last) === 0x7c &&
    (last === 0 || text.charCodeAt(last - 1) !== 0x5c)
  ) {
    cells--;
  }
  return cells;
}

function lineText(state: StateBlock, line: number): string {
  const from = (state.bMarks[line] ?? 0) + (state.tShift[line] ?? 0);
  return state.src.slice(from, state.eMarks[line] ?? from);
}
