import type { LoadProgress } from "../app/protocol/worker-protocol";

const MB = 1024 * 1024;

/**
 * Turns web-llm's free-text progress reports into phases with byte counts. web-llm only
 * gives `{progress, text}` and restarts `progress` at 0 in every phase, so the phase comes
 * from the text's wording and the bytes from its "NNNMB fetched/loaded" figure. The wording
 * is an internal of the pinned web-llm version; test/unit/webllm-contract checks it.
 */
export function parseWebLlmProgress(
  report: { progress: number; text: string },
  knownTotalBytes?: number,
): LoadProgress {
  const { text } = report;
  const fraction = clamp01(report.progress);
  const phase = text.startsWith("Fetching param cache")
    ? "fetching"
    : text.startsWith("Loading model from cache")
      ? "loading-cache"
      : text.startsWith("Loading GPU shader")
        ? "compiling"
        : "preparing";
  const mb = /\]: (\d+)MB (?:fetched|loaded)/.exec(text);
  const result: LoadProgress = { phase, fraction, text };
  if (mb?.[1] !== undefined && (phase === "fetching" || phase === "loading-cache")) {
    const bytesDone = Number(mb[1]) * MB;
    result.bytesDone = bytesDone;
    const total = knownTotalBytes ?? (fraction > 0 ? bytesDone / fraction : undefined);
    if (total !== undefined) result.bytesTotal = Math.max(total, bytesDone);
  }
  return result;
}

function clamp01(value: number): number {
  if (!Number.isFinite(value)) return 0;
  return Math.min(1, Math.max(0, value));
}
