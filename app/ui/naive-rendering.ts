/**
 * Test builds only: `?naive-markdown` turns off the streaming optimisations (coalescing of
 * deltas in the worker and on the main thread, block-memoized markdown), so the streaming
 * benchmark can compare against re-rendering the whole message per token in the same run.
 * Production builds compile this to `false` and drop the branches.
 */
export const NAIVE_RENDERING =
  import.meta.env.MODE === "test" &&
  typeof location !== "undefined" &&
  new URLSearchParams(location.search).has("naive-markdown");
