import type { AppState } from "../../shell/app-state";
import type { Conversation } from "../../storage/types";
import { lastActivity, sortedConversations } from "./slice";

/**
 * The sorted list the sidebar shows, as a selector that returns the same array until the list
 * would look different. While a reply streams, the conversations map changes per token but
 * titles, pins and order do not, so the sidebar does not re-render per token.
 */
let lastMap: Record<string, Conversation> | undefined;
let lastList: Conversation[] = [];

export function selectSidebarList(state: AppState): Conversation[] {
  const map = state.conversations;
  if (map === lastMap) return lastList;
  const previous = lastMap;
  lastMap = map;
  if (previous && sameShape(previous, map)) {
    // Same chats, same titles, pins and order: keep the old array (old objects are fine,
    // the sidebar reads only id, title and pinned from them).
    return lastList;
  }
  lastList = sortedConversations(map);
  return lastList;
}

function sameShape(a: Record<string, Conversation>, b: Record<string, Conversation>): boolean {
  const keys = Object.keys(b);
  if (keys.length !== Object.keys(a).length) return false;
  for (const id of keys) {
    const x = a[id];
    const y = b[id];
    if (x === y) continue;
    if (!x || !y) return false;
    if (x.title !== y.title || Boolean(x.pinned) !== Boolean(y.pinned)) return false;
    if (lastActivity(x) !== lastActivity(y)) return false;
  }
  return true;
}

/** The full, current conversation objects (for search), same order as the sidebar. */
export function currentConversations(state: AppState, list: Conversation[]): Conversation[] {
  return list.map((c) => state.conversations[c.id] ?? c);
}
