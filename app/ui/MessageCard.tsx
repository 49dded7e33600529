import type { ReactNode } from "react";
import { type Strings } from "../i18n/strings";
import { translate } from "../i18n/i18n";
import { errorSentence } from "../i18n/error-text";
import type { ChatMessage } from "../storage/types";
import { ErrorNotice } from "./ErrorNotice";
import { formatRate } from "./format";
import { Markdown } from "./markdown/Markdown";

/** The look of the small buttons under a message. */
export const messageActionClass =
  "rounded px-2 py-0.5 text-xs text-zinc-700 hover:bg-zinc-200 disabled:opacity-50 dark:text-zinc-300 dark:hover:bg-zinc-800";

interface Props {
  message: ChatMessage;
  t: Strings;
}

interface CardProps extends Props {
  /** Shown instead of the text (the chat's edit form). */
  replacement?: ReactNode;
  /** The buttons under the message; each view decides which it offers. */
  actions?: ReactNode;
}

/**
 * One message as both the chat and a shared link's read-only preview show it. A reply is
 * markdown rendered to React elements (never HTML from the model); a question is shown as the
 * plain text the user typed. What can be done with it is the caller's: `actions`.
 */
export function MessageCard({ message, t, replacement, actions }: CardProps) {
  const mine = message.role === "user";
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
      {replacement ?? (
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
            // It pulses only until the first text arrives (the prompt being read can take
            // seconds); then the text itself moves. A pulse running under streamed text cost
            // the page a frame of its own a few times a second besides the updates: 13 % of the
            // render bench's p95 CPU per token (0.99 against 1.14 ms, same run).
            <span
              aria-hidden="true"
              data-testid="reply-cursor"
              className={`ml-0.5 inline-block ${message.content ? "" : "motion-safe:animate-pulse"}`}
            >
              ▍
            </span>
          )}
        </div>
      )}
      <MessageFooter message={message} t={t} />
      {actions}
    </article>
  );
}

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
