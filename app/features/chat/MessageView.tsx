import { memo, useState } from "react";
import { translate, type Strings } from "../../i18n/strings";
import { errorSentence } from "../../i18n/error-text";
import { ErrorNotice } from "../../ui/ErrorNotice";
import type { ChatMessage } from "../../storage/types";
import { useApp } from "../../shell/store";
import { formatRate } from "../../ui/format";
import { Markdown } from "../../ui/markdown/Markdown";
import { CopyButton } from "../../ui/CopyButton";
import { MessageActions, actionClass } from "./MessageActions";
import { EditMessageForm } from "./EditMessageForm";

interface Props {
  message: ChatMessage;
  t: Strings;
}

interface ViewProps extends Props {
  /**
   * A message that is not in the local history (a shared link's preview): only Copy, since
   * the other actions would act on whichever local chat is open.
   */
  readOnly?: boolean;
}

/**
 * One message. A reply is markdown rendered to React elements (never HTML from the model);
 * a question is shown as the plain text the user typed.
 */
export const MessageView = memo(function MessageView({ message, t, readOnly = false }: ViewProps) {
  const mine = message.role === "user";
  const activeId = useApp((s) => s.activeId);
  const conversationId = readOnly ? undefined : activeId;
  const [editing, setEditing] = useState(false);
  const streaming = message.status === "streaming";
  return (
    <article
      data-role={message.role}
      data-status={message.status}
      aria-label={mine ? t.you : t.assistant}
      className={`group flex flex-col gap-1 ${mine ? "items-end" : "items-start"}`}
    >
      <span className="text-xs font-medium text-zinc-600 dark:text-zinc-400" aria-hidden="true">
        {mine ? t.you : t.assistant}
      </span>
      {editing && conversationId ? (
        <EditMessageForm
          conversationId={conversationId}
          message={message}
          onDone={() => setEditing(false)}
        />
      ) : (
        <div
          data-testid="message-content"
          className={`max-w-[min(90%,48rem)] min-w-0 rounded-lg px-3 py-2 text-sm break-words ${
            mine
              ? "bg-violet-700 whitespace-pre-wrap text-white"
              : "bg-zinc-100 text-zinc-900 dark:bg-zinc-800 dark:text-zinc-100"
          }`}
        >
          {mine ? (
            <>
              {message.content}
              {message.input && <QuotedInput input={message.input} label={t.inputFieldLabel} />}
            </>
          ) : (
            <Markdown text={message.content} streaming={streaming} cacheKey={message.id} />
          )}
          {streaming && (
            <span aria-hidden="true" className="ml-0.5 inline-block animate-pulse">
              ▍
            </span>
          )}
        </div>
      )}
      <MessageFooter message={message} t={t} />
      {readOnly && (
        <div role="group" aria-label={t.messageActions} className="flex flex-wrap gap-1">
          <CopyButton text={message.content} label={t.copy} className={actionClass} />
        </div>
      )}
      {conversationId && !editing && !streaming && (
        <MessageActions
          conversationId={conversationId}
          message={message}
          onEdit={() => setEditing(true)}
        />
      )}
    </article>
  );
});

/** The text an instruction works on ("+ Add input"), shown with the question it was sent with. */
function QuotedInput({ input, label }: { input: string; label: string }) {
  return (
    <blockquote
      data-testid="message-input"
      aria-label={label}
      className="mt-2 border-l-2 border-white/70 pl-2 text-white/90"
    >
      {input}
    </blockquote>
  );
}

function MessageFooter({ message, t }: Props) {
  const parts: string[] = [];
  if (message.status === "stopped") parts.push(t.stopped);
  if (message.status === "interrupted") parts.push(t.interrupted);
  if (message.usage?.finishReason === "length") parts.push(t.lengthLimit);
  const dropped = message.usage?.droppedTurns ?? 0;
  if (dropped > 0) parts.push(translate("droppedTurns", { count: dropped }));
  if (message.usage) {
    const u = message.usage;
    parts.push(
      `${u.completionTokens} ${t.tokens} · ${formatRate(u.decodeTokensPerSecond)} ${t.tokPerSec}`,
      `${t.promptTokens} ${u.promptTokens} ${t.tokens} · ${t.prefill} ${formatRate(u.prefillTokensPerSecond)} ${t.tokPerSec}`,
    );
  }
  return (
    <>
      {parts.length > 0 && (
        <p data-testid="message-meta" className="text-xs text-zinc-600 dark:text-zinc-400">
          {parts.join(" · ")}
        </p>
      )}
      {message.error && (
        <ErrorNotice
          code={message.error.code}
          sentence={errorSentence(translate, message.error)}
          details={message.error.message}
          detailsLabel={t.errorDetails}
          prefix={message.status === "error" ? `${t.failed}: ` : ""}
          className="max-w-[90%] text-xs text-red-700 dark:text-red-400"
        />
      )}
    </>
  );
}
