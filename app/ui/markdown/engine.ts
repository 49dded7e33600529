import type { ReactNode } from "react";
import { parseMarkdown } from "./parser";
import { renderTokens } from "./render";
import "./markdown.css";

/** The markdown parser and renderer, loaded as one chunk the first time a reply is shown. */
export function renderMarkdown(source: string, complete: boolean): ReactNode[] {
  return renderTokens(parseMarkdown(source), { complete });
}
