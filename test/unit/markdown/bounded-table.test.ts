import markdownIt from "markdown-it";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { TABLE_CELL_BUDGET } from "../../../app/ui/markdown/bounded-table";
import { renderMarkdown } from "../../../app/ui/markdown/engine";
import { parseMarkdown, type Token } from "../../../app/ui/markdown/parser";

const plain = new markdownIt({ html: false, linkify: true, typographer: false, breaks: false });

const cells = (tokens: readonly Token[]) =>
  tokens.filter((t) => t.type === "td_open" || t.type === "th_open").length;

/** Top-level tokens outside tables, with their lines: what follows a table must not change. */
const outsideTables = (tokens: readonly Token[]) => {
  const out: string[] = [];
  let depth = 0;
  for (const t of tokens) {
    if (t.type === "table_open") {
      out.push(`table ${t.map?.join("-")}`);
      depth++;
    } else if (t.type === "table_close") depth--;
    else if (depth === 0) out.push(`${t.type} ${t.map?.join("-") ?? ""} ${t.content}`);
  }
  return out;
};

const rows = (row: string, n: number) => row.repeat(n);

const CASES: Record<string, string> = {
  "long table, then a paragraph": `| a | b |\n|---|---|\n${rows("| 1 | 2 |\n", 3_000)}\nafter`,
  "wide header and rows of pipes (markdown-it's own fill-in limit ends it)": `${"| h ".repeat(300)}|\n${"|-".repeat(300)}|\n${rows("|\n", 20_000)}`,
  "ended by a heading": `| a | b |\n|---|---|\n${rows("| 1 | 2 |\n", 1_500)}# next\ntext`,
  "ended by a fence": `| a |\n|---|\n${rows("| 1 |\n", 2_500)}\`\`\`\ncode\n\`\`\``,
  "escaped pipes and no outer pipes": `a | b | c\n--|--|--\n${rows("x \\| y | z\n", 1_000)}${rows("\\|\n", 400)}\nend`,
  "in a list item, ended by a less indented line": `- | a | b |\n  |---|---|\n${rows("  | 1 | 2 |\n", 1_200)}next\n`,
  "in a blockquote": `> | a | b |\n> |---|---|\n${rows("> | 1 | 2 |\n", 1_200)}\nafter`,
};

describe("tables over the cell budget", () => {
  it("make tokens only for the cells that are shown, and count the whole", () => {
    const tokens = parseMarkdown(CASES["long table, then a paragraph"]!);
    expect(cells(tokens)).toBeLessThanOrEqual(TABLE_CELL_BUDGET);
    expect(tokens[0]?.meta).toEqual({ tableCut: { shown: cells(tokens), total: 6_002 } });
    expect(tokens[0]?.map).toEqual([0, 3_002]);
  });

  for (const [name, source] of Object.entries(CASES)) {
    it(`end where markdown-it ends them: ${name}`, () => {
      const ours = parseMarkdown(source);
      const theirs = plain.parse(source, {});
      expect(outsideTables(ours)).toEqual(outsideTables(theirs));
      const cut = ours.find((t) => t.type === "table_open")?.meta as {
        tableCut: { total: number };
      } | null;
      expect(cut?.tableCut.total).toBe(cells(theirs));
      expect(cells(ours)).toBeLessThanOrEqual(TABLE_CELL_BUDGET);
    });
  }

  it("within the budget are what markdown-it makes", () => {
    const source = `| a | :b: |\n|---|:-:|\n${rows("| 1 | *2* |\n", 999)}\nafter`;
    const strip = (tokens: readonly Token[]) => tokens.map((t) => [t.type, t.map, t.content]);
    const ours = parseMarkdown(source);
    expect(ours[0]?.meta).toBeNull();
    expect(strip(ours)).toEqual(strip(plain.parse(source, {})));
  });

  it("render the rows that fit and say how many cells the whole has", () => {
    const out = renderToStaticMarkup(
      createElement("div", null, ...renderMarkdown(CASES["long table, then a paragraph"]!, true)),
    );
    expect(out).toContain("of 6002 cells");
    expect(out.split("<td>").length - 1).toBeLessThanOrEqual(TABLE_CELL_BUDGET);
    expect(out).toContain("<p>after</p>");
  });
});
