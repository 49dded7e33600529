import { useEffect } from "react";
import { useStrings } from "../../i18n/i18n";
import { useApp } from "../../store/use-app";
import { messageUndoStore, undoRemoval, useMessageUndo } from "./message-removal";

const UNDO_MS = 10_000;

/** "Deleted the question and its answer. Undo" under the chat, for ten seconds. */
export function MessageUndoNotice() {
  const t = useStrings();
  const pending = useMessageUndo();
  const activeId = useApp((s) => s.activeId);
  const replaceMessages = useApp((s) => s.replaceMessages);
  const current = useApp((s) =>
    pending ? s.conversations[pending.conversationId]?.messages : undefined,
  );
  useEffect(() => {
    if (!pending) return;
    const timer = setTimeout(() => messageUndoStore.setState({ pending: undefined }), UNDO_MS);
    return () => clearTimeout(timer);
  }, [pending]);
  const show = pending !== undefined && pending.conversationId === activeId && current;
  return (
    <div role="status" aria-live="polite" className="empty:hidden">
      {show && (
        <div className="mx-3 mt-2 flex items-center justify-between gap-2 rounded bg-zinc-200 px-3 py-1.5 text-sm dark:bg-zinc-800">
          <span>{pending.removed.length > 1 ? t.messageDeletedPair : t.messageDeleted}</span>
          <button
            type="button"
            className="rounded border border-zinc-400 px-2 py-0.5 text-xs hover:bg-zinc-100 dark:border-zinc-600 dark:hover:bg-zinc-700"
            onClick={() => {
              replaceMessages(pending.conversationId, undoRemoval(current, pending));
              messageUndoStore.setState({ pending: undefined });
            }}
          >
            {t.undo}
          </button>
        </div>
      )}
    </div>
  );
}
