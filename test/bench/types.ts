/** One measured number from a benchmark, optionally set against a baseline and a target. */
export type BenchResult = {
  name: string;
  value: number;
  unit: string;
  /** The same measurement for the thing we compare against, in the same unit. */
  baseline?: number;
  baselineName?: string;
  /** What counts as good, in words (e.g. "≤ 0.80"). */
  target?: string;
};
