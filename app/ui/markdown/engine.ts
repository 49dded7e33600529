import type { ReactNode } from "react";
import { parseMarkdown, type References } from "./parser";
import { renderTokens } from "./render";
import "./markdown.css";

export { splitBlocks, type BlockSplit } from "./blocks";

/** The markdown parser and renderer, loaded as one chunk the first time a reply is shown. */
export function renderMarkdown(
  source: string,
  complete: boolean,
  references?: References,
): ReactNode[] {
  return renderTokens(parseMarkdown(source, references), { complete, source });
}
