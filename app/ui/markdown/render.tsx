import { createElement, Fragment, type ReactNode } from "react";
import type { Token } from "./parser";
import { safeLinkHref } from "./url";
import { CodeBlock } from "./CodeBlock";
import { MathView } from "./MathView";
import { MarkdownImage } from "./MarkdownImage";
import { TaskBox } from "./TaskBox";

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
}

/**
 * markdown-it tokens to React elements. Every attribute is chosen here from a short list, and
 * text goes through React's escaping, so nothing in the source can add markup or handlers.
 */
export function renderTokens(tokens: readonly Token[], options: RenderOptions): ReactNode[] {
  const root: ReactNode[] = [];
  const stack: { token: Token; children: ReactNode[] }[] = [];
  const out = () => stack.at(-1)?.children ?? root;
  let key = 0;
  for (const token of tokens) {
    if (token.nesting === 1) {
      stack.push({ token, children: [] });
    } else if (token.nesting === -1) {
      const frame = stack.pop();
      if (frame) out().push(element(frame.token, frame.children, key++));
    } else {
      out().push(leaf(token, key++, options));
    }
  }
  // Unbalanced tokens cannot come from markdown-it, but never drop text if they did.
  while (stack.length > 0) {
    const frame = stack.pop();
    if (frame) out().push(element(frame.token, frame.children, key++));
  }
  return root;
}

function element(open: Token, children: ReactNode[], key: number): ReactNode {
  const tag = open.tag;
  // Paragraphs in tight lists are hidden: their text sits directly in the <li>.
  if (open.hidden || !TAGS.has(tag)) return createElement(Fragment, { key }, ...children);
  switch (tag) {
    case "a": {
      const href = safeLinkHref(attr(open, "href"));
      if (!href) return createElement("span", { key }, ...children);
      return createElement(
        "a",
        { key, href, target: "_blank", rel: "noopener noreferrer nofollow" },
        ...children,
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

function leaf(token: Token, key: number, options: RenderOptions): ReactNode {
  switch (token.type) {
    case "inline":
      return createElement(Fragment, { key }, ...renderTokens(token.children ?? [], options));
    case "text":
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
      return createElement("code", { key }, token.content);
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
        display: token.type === "math_block",
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
