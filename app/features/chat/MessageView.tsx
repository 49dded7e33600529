import { memo } from "react";
import type { Strings } from "../../i18n/strings";
import type { ChatMessage } from "../../storage/types";
import { formatRate } from "../../ui/format";

interface Props {
  message: ChatMessage;
  t: Strings;
}

/** One message. Text is shown as text (no HTML), so model output cannot inject markup. */
export const MessageView = memo(function MessageView({ message, t }: Props) {
  const mine = message.role === "user";
  return (
    <article
      data-role={message.role}
      data-status={message.status}
      className={`flex flex-col gap-1 ${mine ? "items-end" : "items-start"}`}
    >
      <span className="text-xs font-medium text-zinc-500">{mine ? t.you : t.assistant}</span>
      <div
        data-testid="message-content"
        className={`max-w-[90%] rounded-lg px-3 py-2 text-sm break-words whitespace-pre-wrap ${
          mine
            ? "bg-violet-700 text-white"
            : "bg-zinc-100 text-zinc-900 dark:bg-zinc-800 dark:text-zinc-100"
        }`}
      >
        {message.content}
        {message.status === "streaming" && (
          <span aria-hidden="true" className="ml-0.5 inline-block animate-pulse">
            ▍
          </span>
        )}
      </div>
      <MessageFooter message={message} t={t} />
    </article>
  );
});

function MessageFooter({ message, t }: Props) {
  const parts: string[] = [];
  if (message.status === "stopped") parts.push(t.stopped);
  if (message.status === "interrupted") parts.push(t.interrupted);
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
        <p data-testid="message-meta" className="text-xs text-zinc-500 dark:text-zinc-400">
          {parts.join(" · ")}
        </p>
      )}
      {message.error && (
        <p
          role="alert"
          data-error-code={message.error.code}
          className="max-w-[90%] text-xs text-red-700 dark:text-red-400"
        >
          {message.status === "error" ? `${t.failed}: ` : ""}
          {message.error.message}
        </p>
      )}
    </>
  );
}
