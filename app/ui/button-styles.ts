/** The app's two button looks, so every primary and secondary action matches. */
export const PRIMARY_BUTTON =
  "rounded bg-violet-700 px-3 py-1 text-sm font-medium text-white hover:bg-violet-800 disabled:opacity-50";

export const SECONDARY_BUTTON =
  "rounded border border-zinc-300 px-3 py-1 text-sm hover:bg-zinc-100 disabled:opacity-50 dark:border-zinc-700 dark:hover:bg-zinc-800";
