/**
 * KaTeX off the main thread (lazy.ts): the page only sets the HTML. KaTeX's cost is not linear
 * in a formula's length, and the page's client (worker-jobs.ts) stops a formula that runs past
 * its budget, leaving the source.
 */
import { renderMath } from "./katex-render";
import type { MathJob } from "./lazy";
import { serveJobs } from "./worker-jobs";

serveJobs<MathJob, string>(({ tex, display }) => renderMath(tex, display));
