import { useContext } from "react";
import { useStrings } from "../../i18n/i18n";
import { AppStoreContext, useApp } from "../../store/use-app";
import { messageUndoStore, removeMessage } from "./message-removal";
import type { ChatMessage } from "../../storage/types";
import { CopyButton } from "../../ui/CopyButton";
import { messageActionClass } from "../../ui/MessageCard";

interface Props {
  conversationId: string;
  message: ChatMessage;
  onEdit(): void;
}

/**
 * Copy, edit (questions), regenerate (the last reply), continue (a reply cut at the max-token
 * limit) and delete. Actions that would start a reply are disabled while one is streaming.
 */
export function MessageActions({ conversationId, message, onEdit }: Props) {
  const t = useStrings();
  const busy = useApp((s) => s.streaming !== undefined);
  const isLast = useApp((s) => s.conversations[conversationId]?.messages.at(-1)?.id === message.id);
  const regenerate = useApp((s) => s.regenerate);
  const continueReply = useApp((s) => s.continueReply);
  const replaceMessages = useApp((s) => s.replaceMessages);
  const store = useContext(AppStoreContext);
  // Whether a question has an answer that goes with it (a boolean: no re-render per token).
  const hasAnswer = useApp((s) => {
    const messages = s.conversations[conversationId]?.messages ?? [];
    const index = messages.findIndex((m) => m.id === message.id);
    return message.role === "user" && messages[index + 1]?.role === "assistant";
  });
  // Delete takes a question's answer with it and can be undone (see message-removal.ts).
  const remove = () => {
    const state = store?.getState();
    const messages = state?.conversations[conversationId]?.messages;
    if (!state || !messages || state.streaming) return;
    const removal = removeMessage(messages, message.id);
    replaceMessages(conversationId, removal.after);
    messageUndoStore.setState({ pending: { conversationId, ...removal } });
  };
  const reply = message.role === "assistant";
  const canContinue = reply && message.usage?.finishReason === "length";

  return (
    <div role="group" aria-label={t.messageActions} className="flex flex-wrap gap-1">
      <CopyButton text={message.content} label={t.copy} className={messageActionClass} />
      {!reply && (
        <button type="button" className={messageActionClass} disabled={busy} onClick={onEdit}>
          {t.edit}
        </button>
      )}
      {reply && isLast && (
        <button
          type="button"
          className={messageActionClass}
          disabled={busy}
          onClick={() => void regenerate(conversationId, message.id)}
        >
          {t.regenerate}
        </button>
      )}
      {canContinue && (
        <button
          type="button"
          className={messageActionClass}
          disabled={busy}
          onClick={() => void continueReply(conversationId, message.id)}
        >
          {t.continueReply}
        </button>
      )}
      <button
        type="button"
        className={messageActionClass}
        disabled={busy}
        title={hasAnswer ? t.deleteQuestionHint : undefined}
        onClick={remove}
      >
        {t.delete}
      </button>
    </div>
  );
}
