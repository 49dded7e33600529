import type { KeyboardEvent } from "react";
import { useApp } from "../../store/use-app";
import { useStrings, useTranslate } from "../../i18n/i18n";
import { isSendKeystroke } from "../../ui/send-key";

const FIELD =
  "w-full resize-y rounded border border-zinc-300 bg-white p-2 text-sm dark:border-zinc-700 dark:bg-zinc-900";

/**
 * Enter sends, Shift+Enter starts a new line, an empty message is never sent. CuteGPT's
 * optional input field (the text an instruction works on) opens below the instruction.
 */
export function Composer() {
  const t = useStrings();
  const tr = useTranslate();
  // The placeholder names the model that will answer (the selected one, loaded on send).
  const modelName = useApp(
    (s) => s.catalog.find((m) => m.id === s.selectedModelId)?.name ?? t.appName,
  );
  const { text, input, showInput } = useApp((s) => s.composer);
  const setComposer = useApp((s) => s.setComposer);
  const sendKey = useApp((s) => s.sendKey);
  const streaming = useApp((s) => s.streaming !== undefined);
  const send = useApp((s) => s.send);
  const stop = useApp((s) => s.stop);
  const canSend = text.trim().length > 0 && !streaming;

  const submit = () => {
    if (!canSend) return;
    setComposer({ text: "", input: "", showInput: false });
    void send(text, showInput ? input : undefined);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    const keystroke = {
      key: event.key,
      shiftKey: event.shiftKey,
      ctrlKey: event.ctrlKey,
      metaKey: event.metaKey,
      // Enter also confirms a Chinese IME candidate; that must not send.
      isComposing: event.nativeEvent.isComposing,
    };
    if (isSendKeystroke(keystroke, sendKey)) {
      event.preventDefault();
      submit();
    }
  };

  return (
    <form
      className="flex flex-col gap-2 border-t border-zinc-200 p-3 dark:border-zinc-800"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <div className="flex items-end gap-2">
        <div className="flex min-w-0 flex-1 flex-col gap-2">
          <label htmlFor="composer" className="sr-only">
            {t.composerLabel}
          </label>
          <textarea
            id="composer"
            rows={2}
            value={text}
            placeholder={tr(
              sendKey === "mod-enter" ? "composerPlaceholderModEnter" : "composerPlaceholder",
              { model: modelName },
            )}
            onChange={(e) => setComposer({ text: e.target.value })}
            onKeyDown={onKeyDown}
            className={`${FIELD} min-h-[2.5rem]`}
          />
          {showInput && (
            <>
              <label htmlFor="composer-input" className="sr-only">
                {t.inputFieldLabel}
              </label>
              <textarea
                id="composer-input"
                rows={3}
                value={input}
                placeholder={t.inputFieldPlaceholder}
                onChange={(e) => setComposer({ input: e.target.value })}
                className={FIELD}
              />
            </>
          )}
        </div>
        {streaming ? (
          <button
            type="button"
            onClick={() => void stop()}
            className="rounded bg-zinc-700 px-4 py-2 text-sm font-medium text-white hover:bg-zinc-800"
          >
            {t.stop}
          </button>
        ) : (
          <button
            type="submit"
            disabled={!canSend}
            className="rounded bg-violet-700 px-4 py-2 text-sm font-medium text-white hover:bg-violet-800 disabled:opacity-50"
          >
            {t.send}
          </button>
        )}
      </div>
      <button
        type="button"
        aria-expanded={showInput}
        onClick={() => setComposer({ showInput: !showInput })}
        className="self-start text-xs text-violet-700 underline-offset-2 hover:underline dark:text-violet-300"
      >
        {showInput ? t.inputFieldHide : t.inputFieldShow}
      </button>
    </form>
  );
}
