import { useState, type KeyboardEvent } from "react";
import { useApp } from "../../shell/store";
import { useStrings } from "../../i18n/strings";

/** Enter sends, Shift+Enter starts a new line, an empty message is never sent. */
export function Composer() {
  const t = useStrings();
  const [text, setText] = useState("");
  const streaming = useApp((s) => s.streaming !== undefined);
  const send = useApp((s) => s.send);
  const stop = useApp((s) => s.stop);
  const canSend = text.trim().length > 0 && !streaming;

  const submit = () => {
    if (!canSend) return;
    const message = text;
    setText("");
    void send(message);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    // isComposing: Enter also confirms a Chinese IME candidate; that must not send.
    if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      submit();
    }
  };

  return (
    <form
      className="flex items-end gap-2 border-t border-zinc-200 p-3 dark:border-zinc-800"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <label htmlFor="composer" className="sr-only">
        {t.composerLabel}
      </label>
      <textarea
        id="composer"
        rows={2}
        value={text}
        placeholder={t.composerPlaceholder}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={onKeyDown}
        className="min-h-[2.5rem] flex-1 resize-y rounded border border-zinc-300 bg-white p-2 text-sm focus-visible:ring-2 focus-visible:ring-violet-400 focus-visible:outline-none dark:border-zinc-700 dark:bg-zinc-900"
      />
      {streaming ? (
        <button
          type="button"
          onClick={() => void stop()}
          className="rounded bg-zinc-700 px-4 py-2 text-sm font-medium text-white hover:bg-zinc-800 focus-visible:ring-2 focus-visible:ring-violet-400 focus-visible:outline-none"
        >
          {t.stop}
        </button>
      ) : (
        <button
          type="submit"
          disabled={!canSend}
          className="rounded bg-violet-700 px-4 py-2 text-sm font-medium text-white hover:bg-violet-800 focus-visible:ring-2 focus-visible:ring-violet-400 focus-visible:outline-none disabled:opacity-50"
        >
          {t.send}
        </button>
      )}
    </form>
  );
}
