/**
 * highlight.js off the main thread. Some of its grammars cost the square of a token's length
 * (100,000 letters of Java took minutes), so it runs here, where the page's client can stop it
 * after a time budget (see highlight-client.ts) without the page ever waiting.
 */
import { highlight } from "./highlight";
import type { HighlightReply, HighlightRequest } from "./highlight-client";

// This file is compiled with the page's DOM types; a worker's global posts without an origin.
const scope = self as unknown as {
  onmessage: ((event: MessageEvent<HighlightRequest>) => void) | null;
  postMessage(reply: HighlightReply): void;
};

scope.onmessage = ({ data }) => {
  let html: string | undefined;
  try {
    html = highlight(data.code, data.language);
  } catch {
    // A grammar that throws leaves the code as plain text.
    html = undefined;
  }
  scope.postMessage({ id: data.id, html });
};
