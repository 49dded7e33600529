import {
  memo,
  useCallback,
  useDeferredValue,
  useEffect,
  useRef,
  useMemo,
  useState,
  type ReactNode,
} from "react";
import { useStrings, useTranslate } from "../../i18n/i18n";
import { showBidiControls } from "../../ui/text-safety";
import { useApp } from "../../store/use-app";
import { focusComposerSoon } from "../../ui/focus-composer";
import { ConversationRow, rowItemClass } from "./ConversationRow";
import { useWaitingForOlderTabs } from "./older-tabs";
import type { ConversationSummary } from "../../storage/types";
import { searchConversations } from "./search";
import { selectSidebarList } from "./sidebar-entries";

const smallButton =
  "rounded border border-zinc-300 px-2 py-0.5 text-xs hover:bg-zinc-100 disabled:opacity-50 dark:border-zinc-700 dark:hover:bg-zinc-800";

interface Props {
  id: string;
  /** Narrow screens only: the list is a drawer over the chat, opened from the header. */
  drawerOpen: boolean;
  onCloseDrawer(): void;
  /** Controls from other features (settings, export), placed at the bottom. */
  footer?: ReactNode;
}

/**
 * Conversations: New chat, search across titles and messages, the list (pinned first, then
 * by last message), and on each row a menu to rename, pin or delete it (with undo). On
 * narrow screens the whole column is a drawer, so the chat keeps the screen.
 */
export function Sidebar({ id: navId, drawerOpen, onCloseDrawer, footer }: Props) {
  const t = useStrings();
  const tr = useTranslate();
  const list = useApp(selectSidebarList);
  const activeId = useApp((s) => s.activeId);
  const newChat = useApp((s) => s.newChat);
  const select = useApp((s) => s.selectConversation);
  const rejected = useApp((s) => s.rejectedRecords);
  const hydrated = useApp((s) => s.hydrated);
  const readError = useApp((s) => s.chatsReadError);
  const waitingForOlderTabs = useWaitingForOlderTabs();
  const [query, setQuery] = useState("");
  const newChatButton = useRef<HTMLButtonElement>(null);
  const onSelect = useCallback(
    (id: string) => {
      select(id);
      onCloseDrawer();
    },
    [select, onCloseDrawer],
  );
  // Opening the drawer puts focus in it (the chat behind it is inert meanwhile).
  useEffect(() => {
    if (drawerOpen) newChatButton.current?.focus();
  }, [drawerOpen]);

  return (
    <>
      {drawerOpen && (
        // The dimmed chat: a tap on it closes the drawer (Esc does too, for the keyboard).
        <div
          aria-hidden="true"
          className="fixed inset-0 z-30 bg-black/40 md:hidden"
          onClick={onCloseDrawer}
        />
      )}
      <nav
        id={navId}
        aria-label={t.conversations}
        onKeyDown={(e) => {
          if (e.key === "Escape" && drawerOpen) {
            e.stopPropagation();
            onCloseDrawer();
          }
        }}
        className={`${drawerOpen ? "fixed inset-y-0 left-0 z-40 flex w-[min(20rem,85vw)] shadow-xl" : "hidden"} flex-col gap-2 border-zinc-200 bg-zinc-50 p-3 md:static md:z-auto md:flex md:h-full md:w-72 md:shrink-0 md:border-r md:shadow-none dark:border-zinc-800 dark:bg-zinc-900`}
      >
        <div className="flex gap-2">
          <button
            ref={newChatButton}
            type="button"
            onClick={() => {
              newChat();
              onCloseDrawer();
              focusComposerSoon();
            }}
            className="flex-1 rounded border border-zinc-300 px-3 py-2 text-left text-sm font-medium hover:bg-zinc-100 dark:border-zinc-700 dark:hover:bg-zinc-800"
          >
            + {t.newChat}
          </button>
          {drawerOpen && (
            <button
              type="button"
              onClick={onCloseDrawer}
              className="rounded border border-zinc-300 px-3 py-2 text-sm hover:bg-zinc-100 md:hidden dark:border-zinc-700 dark:hover:bg-zinc-800"
            >
              {t.hideConversations}
            </button>
          )}
        </div>
        <div className="flex min-h-0 flex-1 flex-col gap-2">
          <input
            type="search"
            value={query}
            onChange={(e) => setQuery(e.target.value)}
            aria-label={t.searchLabel}
            placeholder={t.searchPlaceholder}
            className="rounded border border-zinc-300 bg-white px-2 py-1 text-sm dark:border-zinc-700 dark:bg-zinc-950"
          />
          <UndoNotice />
          {rejected > 0 && (
            <p role="status" className="text-xs text-amber-700 dark:text-amber-400">
              {t.rejectedRecords} {rejected}
            </p>
          )}
          {waitingForOlderTabs && (
            <p role="status" className="text-xs text-amber-700 dark:text-amber-400">
              {t.chatsWaitForOlderTabs}
            </p>
          )}
          {readError !== undefined && (
            <p role="alert" className="text-xs text-red-700 dark:text-red-400">
              {tr("chatsReadFailed", { name: readError })}
            </p>
          )}
          {query.trim() ? (
            <SearchResults query={query} activeId={activeId} onSelect={onSelect} />
          ) : !hydrated ? (
            <p role="status" className="text-sm text-zinc-600 dark:text-zinc-400">
              {t.loadingChats}
            </p>
          ) : list.length === 0 ? (
            <p className="text-sm text-zinc-600 dark:text-zinc-400">{t.noConversations}</p>
          ) : (
            <ConversationList list={list} activeId={activeId} onSelect={onSelect} />
          )}
          {footer && <div className="mt-auto flex flex-col gap-2 pt-2">{footer}</div>}
        </div>
      </nav>
    </>
  );
}

// Memoized: the app shell re-renders on every save (its data-saving flag), and a thousand
// entries need not follow when neither the list nor the open chat changed.
const ConversationList = memo(function ConversationList({
  list,
  activeId,
  onSelect,
}: {
  list: ConversationSummary[];
  activeId: string | undefined;
  onSelect(id: string): void;
}) {
  return (
    <ul className="flex min-h-0 flex-col gap-1 overflow-y-auto" data-testid="conversation-list">
      {list.map((c) => (
        <ConversationRow key={c.id} summary={c} active={c.id === activeId} onSelect={onSelect} />
      ))}
    </ul>
  );
});

function SearchResults({
  query,
  activeId,
  onSelect,
}: {
  query: string;
  activeId: string | undefined;
  onSelect(id: string): void;
}) {
  const tr = useTranslate();
  const t = useStrings();
  const conversations = useApp((s) => s.conversations);
  // Search reads messages, so it covers the conversations read so far and says so until
  // every one is (they are read in the background after the list appears).
  const allLoaded = useApp((s) => s.allLoaded);
  const total = useApp((s) => Object.keys(s.summaries).length);
  const deferred = useDeferredValue(query);
  const searched = Object.keys(conversations).length;
  const hits = useMemo(() => {
    const all = Object.values(conversations).sort(
      (a, b) =>
        (b.messages.at(-1)?.createdAt ?? b.createdAt) -
        (a.messages.at(-1)?.createdAt ?? a.createdAt),
    );
    return searchConversations(all, deferred);
  }, [conversations, deferred]);
  return (
    <>
      {!allLoaded && (
        <p role="status" className="text-xs text-amber-700 dark:text-amber-400">
          {tr("searchPartial", { searched: Math.min(searched, total), total })}
        </p>
      )}
      <p role="status" className="text-xs text-zinc-600 dark:text-zinc-400">
        {hits.length === 0 ? t.noResults : tr("searchResults", { count: hits.length })}
      </p>
      <ul className="flex min-h-0 flex-col gap-1 overflow-y-auto" data-testid="search-results">
        {hits.map(({ conversation: c, snippet }) => (
          <li key={c.id}>
            <button
              type="button"
              aria-current={c.id === activeId ? "page" : undefined}
              onClick={() => onSelect(c.id)}
              className={`${rowItemClass} whitespace-normal`}
            >
              <span className="block truncate font-medium">{showBidiControls(c.title)}</span>
              {snippet && (
                <span className="block truncate text-xs text-zinc-600 dark:text-zinc-400">
                  {snippet}
                </span>
              )}
            </button>
          </li>
        ))}
      </ul>
    </>
  );
}

const UNDO_MS = 10_000;

function UndoNotice() {
  const t = useStrings();
  const tr = useTranslate();
  const deleted = useApp((s) => s.recentlyDeleted);
  const undo = useApp((s) => s.undoDelete);
  const dismiss = useApp((s) => s.dismissUndo);
  useEffect(() => {
    if (!deleted) return;
    const timer = setTimeout(dismiss, UNDO_MS);
    return () => clearTimeout(timer);
  }, [deleted, dismiss]);
  return (
    <div role="status" aria-live="polite" className="empty:hidden">
      {deleted && (
        <div className="flex items-center justify-between gap-2 rounded bg-zinc-200 px-2 py-1 text-xs dark:bg-zinc-800">
          <span className="min-w-0 truncate">
            {tr("conversationDeleted", { title: showBidiControls(deleted.title) })}
          </span>
          <button type="button" className={smallButton} onClick={undo}>
            {t.undo}
          </button>
        </div>
      )}
    </div>
  );
}
