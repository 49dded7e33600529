import { useEffect, useId, useRef, useState } from "react";
import { useStrings } from "../../i18n/i18n";
import { useApp } from "../../store/use-app";
import type { ChatMessage } from "../../storage/types";
import { messageActionClass } from "../../ui/MessageCard";

interface Props {
  conversationId: string;
  message: ChatMessage;
  onDone(): void;
}

/**
 * Edit a question in place, with its input field (the text the instruction works on);
 * sending replaces it and everything after it (no branches).
 */
export function EditMessageForm({ conversationId, message, onDone }: Props) {
  const t = useStrings();
  const [text, setText] = useState(message.content);
  const [input, setInput] = useState(message.input ?? "");
  const [showInput, setShowInput] = useState(message.input !== undefined && message.input !== "");
  const editAndResend = useApp((s) => s.editAndResend);
  const box = useRef<HTMLTextAreaElement>(null);
  const noteId = useId();
  useEffect(() => box.current?.focus(), []);

  const submit = () => {
    if (!text.trim()) return;
    onDone();
    void editAndResend(conversationId, message.id, text, showInput ? input : "");
  };

  return (
    <form
      className="flex w-full max-w-[min(90%,48rem)] flex-col gap-1"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <textarea
        ref={box}
        aria-label={t.editLabel}
        aria-describedby={noteId}
        value={text}
        rows={Math.min(10, Math.max(2, text.split("\n").length))}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === "Escape") {
            // Esc cancels the edit here instead of reaching the global "stop" shortcut.
            e.stopPropagation();
            onDone();
          } else if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
            e.preventDefault();
            submit();
          }
        }}
        className="w-full rounded border border-zinc-300 bg-white p-2 text-sm dark:border-zinc-700 dark:bg-zinc-900"
      />
      {showInput && (
        <textarea
          aria-label={t.inputFieldLabel}
          placeholder={t.inputFieldPlaceholder}
          value={input}
          rows={Math.min(10, Math.max(2, input.split("\n").length))}
          onChange={(e) => setInput(e.target.value)}
          className="w-full rounded border border-zinc-300 bg-white p-2 text-sm dark:border-zinc-700 dark:bg-zinc-900"
        />
      )}
      <button
        type="button"
        aria-expanded={showInput}
        onClick={() => setShowInput(!showInput)}
        className="self-start text-xs text-violet-700 underline-offset-2 hover:underline dark:text-violet-300"
      >
        {showInput ? t.inputFieldHide : t.inputFieldShow}
      </button>
      <p id={noteId} className="text-xs text-zinc-600 dark:text-zinc-400">
        {t.editNote}
      </p>
      <div className="flex justify-end gap-1">
        <button type="button" className={messageActionClass} onClick={onDone}>
          {t.cancel}
        </button>
        <button
          type="submit"
          disabled={!text.trim()}
          className="rounded bg-violet-700 px-2 py-0.5 text-xs text-white hover:bg-violet-800 disabled:opacity-50"
        >
          {t.saveAndSend}
        </button>
      </div>
    </form>
  );
}
