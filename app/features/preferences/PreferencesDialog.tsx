import { useId, useRef } from "react";
import { type Language } from "../../i18n/strings";
import { useStrings } from "../../i18n/i18n";
import { useApp } from "../../store/use-app";
import type { SendKey, Theme } from "./slice";
import { DownloadSourceSettings } from "./DownloadSourceSettings";

const controlClass =
  "w-full rounded border border-zinc-300 bg-white px-2 py-1 text-sm dark:border-zinc-700 dark:bg-zinc-900";
const buttonClass =
  "rounded border border-zinc-300 px-3 py-2 text-left text-sm hover:bg-zinc-100 dark:border-zinc-700 dark:hover:bg-zinc-800";

/** The Settings button and its modal dialog: theme, language, send key, download source, shortcuts. */
export function PreferencesButton() {
  const t = useStrings();
  const dialog = useRef<HTMLDialogElement>(null);
  const theme = useApp((s) => s.theme);
  const language = useApp((s) => s.language);
  const sendKey = useApp((s) => s.sendKey);
  const setTheme = useApp((s) => s.setTheme);
  const setUiLanguage = useApp((s) => s.setUiLanguage);
  const setSendKey = useApp((s) => s.setSendKey);
  const id = useId();
  const mod = typeof navigator !== "undefined" && /Mac/.test(navigator.platform) ? "⌘" : "Ctrl";

  return (
    <>
      <button type="button" className={buttonClass} onClick={() => dialog.current?.showModal()}>
        {t.settings}
      </button>
      <dialog
        ref={dialog}
        aria-labelledby={`${id}-title`}
        className="m-auto w-[min(28rem,calc(100vw-2rem))] rounded-lg bg-white p-4 text-zinc-900 shadow-xl backdrop:bg-black/40 dark:bg-zinc-900 dark:text-zinc-100"
      >
        <h2 id={`${id}-title`} className="mb-3 text-base font-semibold">
          {t.settings}
        </h2>
        <div className="flex flex-col gap-3">
          <label className="flex flex-col gap-1 text-sm">
            {t.theme}
            <select
              className={controlClass}
              value={theme}
              onChange={(e) => setTheme(e.target.value as Theme)}
            >
              <option value="system">{t.themeSystem}</option>
              <option value="light">{t.themeLight}</option>
              <option value="dark">{t.themeDark}</option>
            </select>
          </label>
          <label className="flex flex-col gap-1 text-sm">
            {t.language}
            <select
              className={controlClass}
              value={language}
              onChange={(e) => setUiLanguage(e.target.value as Language)}
            >
              {/* Each language is named in itself. */}
              <option value="zh" lang="zh-CN">
                中文
              </option>
              <option value="en" lang="en">
                English
              </option>
            </select>
          </label>
          <label className="flex flex-col gap-1 text-sm">
            {t.sendKey}
            <select
              className={controlClass}
              value={sendKey}
              onChange={(e) => setSendKey(e.target.value as SendKey)}
            >
              <option value="enter">{t.sendKeyEnter}</option>
              <option value="mod-enter">{t.sendKeyModEnter}</option>
            </select>
          </label>
          <DownloadSourceSettings controlClass={controlClass} />
          <section aria-labelledby={`${id}-keys`} className="text-sm">
            <h3 id={`${id}-keys`} className="mb-1 font-medium">
              {t.shortcuts}
            </h3>
            <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-1">
              <dt>
                <kbd>{mod}+Shift+O</kbd>
              </dt>
              <dd>{t.shortcutNewChat}</dd>
              <dt>
                <kbd>Shift+Esc</kbd> / <kbd>/</kbd>
              </dt>
              <dd>{t.shortcutFocusComposer}</dd>
              <dt>
                <kbd>Esc</kbd>
              </dt>
              <dd>{t.shortcutStop}</dd>
            </dl>
          </section>
          <form method="dialog" className="flex justify-end">
            <button type="submit" className={buttonClass}>
              {t.close}
            </button>
          </form>
        </div>
      </dialog>
    </>
  );
}
