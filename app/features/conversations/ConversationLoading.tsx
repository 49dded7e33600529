import { useTranslate } from "../../i18n/i18n";
import { useApp } from "../../store/use-app";
import { showBidiControls } from "../../ui/text-safety";

/**
 * Whether the open conversation is listed but its messages are still being read. The chat
 * area must then say so rather than look like an empty chat (whose composer would start a
 * copy of the conversation without its messages).
 */
export function useActiveConversationLoading(): boolean {
  return useApp(
    (s) =>
      s.activeId !== undefined &&
      s.conversations[s.activeId] === undefined &&
      s.summaries[s.activeId] !== undefined,
  );
}

/** Stands in for the chat while its messages are read (usually for a few milliseconds). */
export function ConversationLoading() {
  const tr = useTranslate();
  const summary = useApp((s) => (s.activeId ? s.summaries[s.activeId] : undefined));
  return (
    <div
      aria-busy="true"
      data-testid="conversation-loading"
      className="flex flex-1 flex-col items-center justify-center gap-2 p-6 text-center"
    >
      {summary && <h2 className="text-sm font-medium">{showBidiControls(summary.title)}</h2>}
      <p role="status" className="text-sm text-zinc-600 dark:text-zinc-400">
        {tr("loadingChat", { count: summary?.messageCount ?? 0 })}
      </p>
    </div>
  );
}
