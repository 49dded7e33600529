import { useMemo } from "react";
import { useApp } from "../../shell/store";
import { useStrings } from "../../i18n/strings";
import { sortedConversations } from "./slice";

/** The list of conversations, newest first, and the New chat button. */
export function Sidebar() {
  const t = useStrings();
  const conversations = useApp((s) => s.conversations);
  const activeId = useApp((s) => s.activeId);
  const newChat = useApp((s) => s.newChat);
  const select = useApp((s) => s.selectConversation);
  const rejected = useApp((s) => s.rejectedRecords);
  const list = useMemo(() => sortedConversations(conversations), [conversations]);

  return (
    <nav
      aria-label={t.conversations}
      className="flex w-full flex-col gap-2 border-zinc-200 bg-zinc-50 p-3 md:w-64 md:border-r dark:border-zinc-800 dark:bg-zinc-900"
    >
      <button
        type="button"
        onClick={newChat}
        className="rounded border border-zinc-300 px-3 py-2 text-left text-sm font-medium hover:bg-zinc-100 focus-visible:ring-2 focus-visible:ring-violet-400 focus-visible:outline-none dark:border-zinc-700 dark:hover:bg-zinc-800"
      >
        + {t.newChat}
      </button>
      {rejected > 0 && (
        <p role="status" className="text-xs text-amber-700 dark:text-amber-400">
          {t.rejectedRecords} {rejected}
        </p>
      )}
      {list.length === 0 ? (
        <p className="text-sm text-zinc-500">{t.noConversations}</p>
      ) : (
        <ul className="flex flex-col gap-1 overflow-y-auto" data-testid="conversation-list">
          {list.map((c) => (
            <li key={c.id}>
              <button
                type="button"
                aria-current={c.id === activeId ? "page" : undefined}
                onClick={() => select(c.id)}
                className="w-full truncate rounded px-2 py-1 text-left text-sm hover:bg-zinc-200 focus-visible:ring-2 focus-visible:ring-violet-400 focus-visible:outline-none aria-[current=page]:bg-violet-100 dark:hover:bg-zinc-800 dark:aria-[current=page]:bg-violet-900"
              >
                {c.title}
              </button>
            </li>
          ))}
        </ul>
      )}
    </nav>
  );
}
