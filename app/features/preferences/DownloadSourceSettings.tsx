import { useState } from "react";
import {
  MODEL_HOST_INFO,
  modelConnectSources,
  normalizeBase,
  resolveSource,
  type DownloadSourceSetting,
} from "../../protocol/download-sources";
import { useStrings, useTranslate } from "../../i18n/i18n";
import { useApp } from "../../store/use-app";

/**
 * Where model files and model libraries are downloaded from. Changing it never touches the
 * cache (files are stored under their canonical URLs), so it only affects what is still to be
 * downloaded; CuteGPT's availability is checked again through the new source.
 */
export function DownloadSourceSettings({ controlClass }: { controlClass: string }) {
  const t = useStrings();
  const tr = useTranslate();
  const setting = useApp((s) => s.downloadSource);
  const language = useApp((s) => s.language);
  const setDownloadSource = useApp((s) => s.setDownloadSource);
  const recheck = useApp((s) => s.recheckModelFiles);
  const [draft, setDraft] = useState(setting.customBase);

  const apply = (next: DownloadSourceSetting) => {
    setDownloadSource(next);
    void recheck().catch(() => undefined);
  };
  const autoModels = resolveSource({ ...setting, models: "auto" }, language).modelBase;
  const autoName =
    autoModels === MODEL_HOST_INFO["hf-mirror"].base ? t.sourceHfMirror : t.sourceHuggingface;
  const autoLibrary = resolveSource({ ...setting, libraries: "auto" }, language).library;
  const customBase = normalizeBase(draft);
  const blocked =
    customBase && !allowedByPolicy(customBase) ? new URL(customBase).origin : undefined;

  return (
    <fieldset className="flex flex-col gap-2 text-sm" data-testid="download-source">
      <label className="flex flex-col gap-1">
        {t.downloadSource}
        <select
          className={controlClass}
          value={setting.models}
          onChange={(e) =>
            apply({ ...setting, models: e.target.value as DownloadSourceSetting["models"] })
          }
        >
          <option value="auto">{tr("sourceAuto", { name: autoName })}</option>
          <option value="huggingface">{t.sourceHuggingface}</option>
          <option value="hf-mirror">{t.sourceHfMirror}</option>
          <option value="custom">{t.sourceCustom}</option>
        </select>
      </label>
      {setting.models === "custom" && (
        <form
          className="flex flex-col gap-1"
          onSubmit={(e) => {
            e.preventDefault();
            if (customBase) apply({ ...setting, customBase });
          }}
        >
          <label className="flex flex-col gap-1">
            {t.sourceCustomLabel}
            <span className="flex gap-2">
              <input
                type="url"
                className={controlClass}
                value={draft}
                placeholder="https://"
                spellCheck={false}
                aria-invalid={draft !== "" && !customBase}
                onChange={(e) => setDraft(e.target.value)}
              />
              <button
                type="submit"
                className="rounded border border-zinc-300 px-3 text-sm disabled:opacity-50 dark:border-zinc-700"
                disabled={!customBase || customBase === setting.customBase}
              >
                {t.save}
              </button>
            </span>
          </label>
          {draft !== "" && !customBase && (
            <p role="alert" className="text-xs text-red-700 dark:text-red-400">
              {t.sourceCustomInvalid}
            </p>
          )}
          {blocked && (
            <p className="text-xs text-amber-700 dark:text-amber-400">
              {tr("sourceCustomBlocked", { origin: blocked })}
            </p>
          )}
        </form>
      )}
      <label className="flex flex-col gap-1">
        {t.librarySource}
        <select
          className={controlClass}
          value={setting.libraries}
          onChange={(e) =>
            apply({ ...setting, libraries: e.target.value as DownloadSourceSetting["libraries"] })
          }
        >
          <option value="auto">
            {tr("sourceAuto", {
              name: autoLibrary === "jsdelivr" ? t.libraryJsdelivr : t.libraryGithub,
            })}
          </option>
          <option value="github">{t.libraryGithub}</option>
          <option value="jsdelivr">{t.libraryJsdelivr}</option>
        </select>
      </label>
      <p className="text-xs text-zinc-600 dark:text-zinc-400">{t.sourceNote}</p>
    </fieldset>
  );
}

/** Whether the built CSP's connect-src (the same list, vite.config.ts) allows this base. */
function allowedByPolicy(base: string): boolean {
  const origin = new URL(base).origin;
  if (typeof location !== "undefined" && origin === location.origin) return true;
  const env = import.meta.env as Record<string, string | undefined>;
  return modelConnectSources([env.VITE_MODEL_BASE_URL, env.VITE_MODEL_HOSTS]).some((allowed) =>
    allowed.includes("*.")
      ? origin.startsWith(allowed.slice(0, allowed.indexOf("*"))) &&
        origin.endsWith(allowed.slice(allowed.indexOf("*") + 1))
      : allowed === origin,
  );
}
