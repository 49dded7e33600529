import type { AppState } from "../../store/app-state";
import type { ConversationSummary } from "../../storage/types";
import { sortedSummaries } from "./slice";

/**
 * The sorted list the sidebar shows, as a selector that returns the same array until the list
 * would look different. The summaries map changes only when a title, pin, message count or
 * last-message time does (see `commit` in slice.ts), so a streamed token, which changes the
 * conversations map, costs the sidebar one comparison.
 */
let lastMap: Record<string, ConversationSummary> | undefined;
let lastList: ConversationSummary[] = [];

export function selectSidebarList(state: AppState): ConversationSummary[] {
  if (state.summaries === lastMap) return lastList;
  lastMap = state.summaries;
  lastList = sortedSummaries(state.summaries);
  return lastList;
}
