import {
  memo,
  useCallback,
  useDeferredValue,
  useEffect,
  useId,
  useMemo,
  useState,
  type ReactNode,
} from "react";
import { useStrings, useTranslate } from "../../i18n/strings";
import { showBidiControls } from "../../ui/text-safety";
import { useApp } from "../../shell/store";
import { activeConversation } from "../../shell/app-state";
import type { ConversationSummary } from "../../storage/types";
import { searchConversations } from "./search";
import { selectSidebarList } from "./sidebar-entries";

const itemClass =
  "w-full truncate rounded px-2 py-1 text-left text-sm hover:bg-zinc-200 focus-visible:ring-2 focus-visible:ring-violet-400 focus-visible:outline-none aria-[current=page]:bg-violet-100 dark:hover:bg-zinc-800 dark:aria-[current=page]:bg-violet-900";
const smallButton =
  "rounded border border-zinc-300 px-2 py-0.5 text-xs hover:bg-zinc-100 focus-visible:ring-2 focus-visible:ring-violet-400 focus-visible:outline-none disabled:opacity-50 dark:border-zinc-700 dark:hover:bg-zinc-800";

interface Props {
  /** Controls from other features (settings, export), placed at the bottom. */
  footer?: ReactNode;
}

/**
 * Conversations: New chat, search across titles and messages, the list (pinned first, then
 * by last message), and rename / pin / delete (with undo) for the open chat. On narrow
 * screens the list folds away behind a toggle so the chat keeps the screen.
 */
export function Sidebar({ footer }: Props) {
  const t = useStrings();
  const tr = useTranslate();
  const list = useApp(selectSidebarList);
  const activeId = useApp((s) => s.activeId);
  const newChat = useApp((s) => s.newChat);
  const select = useApp((s) => s.selectConversation);
  const rejected = useApp((s) => s.rejectedRecords);
  const hydrated = useApp((s) => s.hydrated);
  const readError = useApp((s) => s.chatsReadError);
  const [query, setQuery] = useState("");
  const [open, setOpen] = useState(false);
  const panelId = useId();
  const onSelect = useCallback(
    (id: string) => {
      select(id);
      setOpen(false);
    },
    [select],
  );

  return (
    <nav
      aria-label={t.conversations}
      className="flex w-full flex-col gap-2 border-b border-zinc-200 bg-zinc-50 p-3 md:h-full md:w-72 md:shrink-0 md:border-r md:border-b-0 dark:border-zinc-800 dark:bg-zinc-900"
    >
      <div className="flex gap-2">
        <button
          type="button"
          onClick={() => {
            newChat();
            setOpen(false);
          }}
          className="flex-1 rounded border border-zinc-300 px-3 py-2 text-left text-sm font-medium hover:bg-zinc-100 focus-visible:ring-2 focus-visible:ring-violet-400 focus-visible:outline-none dark:border-zinc-700 dark:hover:bg-zinc-800"
        >
          + {t.newChat}
        </button>
        <button
          type="button"
          aria-expanded={open}
          aria-controls={panelId}
          onClick={() => setOpen(!open)}
          className="rounded border border-zinc-300 px-3 py-2 text-sm hover:bg-zinc-100 focus-visible:ring-2 focus-visible:ring-violet-400 focus-visible:outline-none md:hidden dark:border-zinc-700 dark:hover:bg-zinc-800"
        >
          {open ? t.hideConversations : t.showConversations}
        </button>
      </div>
      <div
        id={panelId}
        className={`${open ? "flex" : "hidden"} max-h-[60dvh] min-h-0 flex-1 flex-col gap-2 md:flex md:max-h-none`}
      >
        <input
          type="search"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          aria-label={t.searchLabel}
          placeholder={t.searchPlaceholder}
          className="rounded border border-zinc-300 bg-white px-2 py-1 text-sm focus-visible:ring-2 focus-visible:ring-violet-400 focus-visible:outline-none dark:border-zinc-700 dark:bg-zinc-950"
        />
        <UndoNotice />
        {rejected > 0 && (
          <p role="status" className="text-xs text-amber-700 dark:text-amber-400">
            {t.rejectedRecords} {rejected}
          </p>
        )}
        {readError !== undefined && (
          <p role="alert" className="text-xs text-red-700 dark:text-red-400">
            {tr("chatsReadFailed", { name: readError })}
          </p>
        )}
        <ActiveConversationTools />
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
  const t = useStrings();
  return (
    <ul className="flex min-h-0 flex-col gap-1 overflow-y-auto" data-testid="conversation-list">
      {list.map((c) => (
        <li key={c.id}>
          <button
            type="button"
            aria-current={c.id === activeId ? "page" : undefined}
            onClick={() => onSelect(c.id)}
            className={itemClass}
          >
            {c.pinned && (
              <span className="mr-1" role="img" aria-label={t.pinned} data-testid="pinned-mark">
                📌
              </span>
            )}
            {showBidiControls(c.title)}
          </button>
        </li>
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
              className={`${itemClass} whitespace-normal`}
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

/** Rename, pin and delete for the open conversation. */
function ActiveConversationTools() {
  const t = useStrings();
  const tr = useTranslate();
  // Primitive selections: the open conversation changes per streamed token, these do not.
  const id = useApp((s) => activeConversation(s)?.id);
  const title = useApp((s) => activeConversation(s)?.title);
  const pinned = useApp((s) => activeConversation(s)?.pinned === true);
  const busy = useApp(
    (s) => s.streaming !== undefined && s.streaming.conversationId === s.activeId,
  );
  const rename = useApp((s) => s.renameConversation);
  const togglePin = useApp((s) => s.togglePin);
  const remove = useApp((s) => s.deleteConversation);
  const [renaming, setRenaming] = useState<string | undefined>();
  if (!id || title === undefined) return null;

  if (renaming !== undefined) {
    return (
      <form
        className="flex flex-col gap-1"
        onSubmit={(e) => {
          e.preventDefault();
          rename(id, renaming);
          setRenaming(undefined);
        }}
      >
        <label className="text-xs font-medium">
          {t.renameLabel}
          <input
            // The form only appears after the Rename click, so focusing it is expected.
            autoFocus
            value={renaming}
            onChange={(e) => setRenaming(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === "Escape") {
                e.stopPropagation();
                setRenaming(undefined);
              }
            }}
            className="mt-1 w-full rounded border border-zinc-300 bg-white px-2 py-1 text-sm font-normal focus-visible:ring-2 focus-visible:ring-violet-400 focus-visible:outline-none dark:border-zinc-700 dark:bg-zinc-950"
          />
        </label>
        <div className="flex gap-1">
          <button type="submit" className={smallButton} disabled={!renaming.trim()}>
            {t.save}
          </button>
          <button type="button" className={smallButton} onClick={() => setRenaming(undefined)}>
            {t.cancel}
          </button>
        </div>
      </form>
    );
  }
  return (
    <div
      role="group"
      aria-label={tr("moreActions", { title: showBidiControls(title) })}
      className="flex flex-wrap gap-1"
    >
      <button type="button" className={smallButton} onClick={() => setRenaming(title)}>
        {t.rename}
      </button>
      <button
        type="button"
        className={smallButton}
        aria-pressed={pinned}
        onClick={() => togglePin(id)}
      >
        {pinned ? t.unpin : t.pin}
      </button>
      <button type="button" className={smallButton} disabled={busy} onClick={() => remove(id)}>
        {t.deleteConversation}
      </button>
    </div>
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
