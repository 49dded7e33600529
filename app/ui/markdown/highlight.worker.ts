/**
 * highlight.js off the main thread. Some of its grammars cost the square of a token's length
 * (100,000 letters of Java took minutes), so it runs here, where the page's client can stop it
 * after a time budget (see worker-jobs.ts) without the page ever waiting.
 */
import { highlight } from "./highlight";
import type { HighlightJob } from "./highlight-client";
import { serveJobs } from "./worker-jobs";

// A grammar that throws leaves the code as plain text.
serveJobs<HighlightJob, string>(({ code, language }) => highlight(code, language));
