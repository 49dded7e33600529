import { createElement, Fragment, type ReactNode } from "react";
import type { Token } from "./parser";
import { linkHostToShow, showBidiControls } from "../text-safety";
import { safeLinkHref } from "./url";
import { LinkHost } from "./LinkHost";
import { TableOverflow } from "./TableOverflow";
import { CodeBlock } from "./CodeBlock";
import { MathView } from "./MathView";
import { MarkdownImage } from "./MarkdownImage";
import { TaskBox } from "./TaskBox";
import { TABLE_CELL_BUDGET, tableCutOf } from "./bounded-table";

/** Tags a markdown token may become; anything else renders its children only. */
const TAGS = new Set([
  "p",
  "h1",
  "h2",
  "h3",
  "h4",
  "h5",
  "h6",
  "ul",
  "ol",
  "li",
  "blockquote",
  "table",
  "thead",
  "tbody",
  "tr",
  "th",
  "td",
  "strong",
  "em",
  "s",
  "a",
]);

export interface RenderOptions {
  /** False while the chunk is still being written: code is not highlighted yet. */
  complete: boolean;
  /** The markdown the tokens came from (their `map`s count its lines), for a cut table. */
  source?: string;
}

interface Frame {
  token: Token;
  /** Its React key, taken when it opens (see renderTokens). */
  key: number;
  children: ReactNode[];
  /** Plain text of a link, to compare with where it goes. */
  text?: string;
}

/**
 * markdown-it tokens to React elements. Every attribute is chosen here from a short list, and
 * text goes through React's escaping, so nothing in the source can add markup or handlers.
 *
 * Keys are token positions, an element's taken where it opens: text streams in at the end, so
 * an element that is already there keeps its key while it grows. Taken where it closed, the key
 * of a list or a table changed with each item or row written into it, and React rebuilt all of
 * its DOM on every streamed update.
 */
export function renderTokens(tokens: readonly Token[], options: RenderOptions): ReactNode[] {
  const root: ReactNode[] = [];
  const stack: Frame[] = [];
  const out = () => stack.at(-1)?.children ?? root;
  let link: Frame | undefined;
  let key = 0;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token.type === "table_open") {
      const cut = cutTable(tokens, i);
      if (cut) {
        const rows = renderTokens(tokens.slice(i, cut.end), { complete: options.complete });
        out().push(
          createElement(
            Fragment,
            { key: key++ },
            ...rows,
            createElement(TableOverflow, {
              shown: cut.shown,
              total: cut.total,
              text: tableSource(token, options.source),
            }),
          ),
        );
        i = cut.close;
        continue;
      }
    }
    if (token.nesting === 1) {
      const frame: Frame = { token, key: key++, children: [] };
      if (token.type === "link_open") {
        frame.text = "";
        link = frame;
      }
      stack.push(frame);
    } else if (token.nesting === -1) {
      const frame = stack.pop();
      if (frame === link) link = undefined;
      if (frame) out().push(element(frame));
    } else {
      if (link && (token.type === "text" || token.type === "code_inline")) {
        link.text = (link.text ?? "") + token.content;
      }
      const node = leaf(token, key++, options, link !== undefined);
      const children = out();
      // Runs of text and soft breaks become one string, so one DOM text node: a paragraph of
      // 50,000 short lines would otherwise be 100,000 nodes for React and the browser.
      const last = children.at(-1);
      if (typeof node === "string" && typeof last === "string") {
        children[children.length - 1] = last + node;
      } else {
        children.push(node);
      }
    }
  }
  // Unbalanced tokens cannot come from markdown-it, but never drop text if they did.
  while (stack.length > 0) {
    const frame = stack.pop();
    if (frame) out().push(element(frame));
  }
  return root;
}

/**
 * For a table over the cell budget: where to stop (the first row past the budget), where the
 * table closes, and the cell counts. Undefined for a table within the budget. A table the
 * parser already cut (bounded-table.ts) has only the rows that fit: all of them are shown.
 */
function cutTable(
  tokens: readonly Token[],
  open: number,
): { end: number; close: number; shown: number; total: number } | undefined {
  const parsedCut = tableCutOf(tokens[open]?.meta);
  let cells = 0;
  let end: number | undefined;
  let shown = 0;
  for (let i = open + 1; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token.type === "table_close") {
      if (parsedCut) return { end: i, close: i, shown: cells, total: parsedCut.total };
      return end === undefined ? undefined : { end, close: i, shown, total: cells };
    }
    if (token.type === "tr_open" && end === undefined && cells >= TABLE_CELL_BUDGET) {
      end = i;
      shown = cells;
    }
    if (token.type === "td_open" || token.type === "th_open") cells++;
  }
  return undefined;
}

function tableSource(open: Token, source: string | undefined): string {
  if (!source || !open.map) return "";
  const [from, to] = open.map;
  return source.split("\n", to).slice(from, to).join("\n");
}

function element({ token: open, key, children, text }: Frame): ReactNode {
  const tag = open.tag;
  // Paragraphs in tight lists are hidden: their text sits directly in the <li>.
  if (open.hidden || !TAGS.has(tag)) return createElement(Fragment, { key }, ...children);
  switch (tag) {
    case "a": {
      const href = safeLinkHref(attr(open, "href"));
      if (!href) return createElement("span", { key }, ...children);
      // Text that reads as another address, or a punycode host, shows where the link goes.
      const host = linkHostToShow(text ?? "", href);
      return createElement(
        "a",
        { key, href, title: href, target: "_blank", rel: "noopener noreferrer nofollow" },
        ...children,
        host && createElement(LinkHost, { key: "host", host }),
      );
    }
    case "ol": {
      const start = Number(attr(open, "start") || "1");
      return createElement(
        "ol",
        { key, ...(Number.isFinite(start) && start !== 1 && { start }) },
        ...children,
      );
    }
    case "li": {
      const task = (open.meta as { task?: boolean } | null)?.task;
      if (task === undefined) return createElement("li", { key }, ...children);
      return createElement(
        "li",
        { key, className: "md-task" },
        createElement(TaskBox, { checked: task }),
        ...children,
      );
    }
    case "th":
    case "td": {
      const align = /text-align:(left|right|center)/.exec(attr(open, "style"))?.[1];
      return createElement(
        tag,
        { key, ...(align && { style: { textAlign: align } }) },
        ...children,
      );
    }
    case "table":
      // Wide tables scroll inside the message instead of widening the page.
      return createElement(
        "div",
        { key, className: "md-table", tabIndex: 0 },
        createElement("table", null, ...children),
      );
    default:
      return createElement(tag, { key }, ...children);
  }
}

function leaf(token: Token, key: number, options: RenderOptions, inLink: boolean): ReactNode {
  switch (token.type) {
    case "inline":
      return createElement(Fragment, { key }, ...renderTokens(token.children ?? [], options));
    case "text":
      // Link text names a destination: a bidi override must not reorder it.
      return inLink ? showBidiControls(token.content) : token.content;
    case "html_inline":
    case "html_block":
      return token.content;
    case "softbreak":
      return "\n";
    case "hardbreak":
      return createElement("br", { key });
    case "hr":
      return createElement("hr", { key });
    case "code_inline":
      return createElement(
        "code",
        { key },
        inLink ? showBidiControls(token.content) : token.content,
      );
    case "fence":
    case "code_block":
      return createElement(CodeBlock, {
        key,
        code: token.content,
        language: token.info.trim().split(/\s+/)[0] ?? "",
        complete: options.complete,
      });
    case "math_inline":
    case "math_block":
      return createElement(MathView, {
        key,
        tex: token.content,
        display: token.type === "math_block" || isDisplay(token),
        block: token.type === "math_block",
        complete: options.complete,
      });
    case "image":
      return createElement(MarkdownImage, {
        key,
        src: attr(token, "src"),
        alt: token.content,
      });
    default:
      return token.content ? token.content : null;
  }
}

function attr(token: Token, name: string): string {
  const value = token.attrGet(name);
  return value === null ? "" : String(value);
}

function isDisplay(token: Token): boolean {
  return (token.meta as { display?: boolean } | null)?.display === true;
}
