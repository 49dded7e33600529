import i18next, { type i18n as I18n } from "i18next";
import { useSyncExternalStore } from "react";
import { en, guessLanguage, zh, type Language, type StringKey, type Strings } from "./strings";

/**
 * The UI's i18next instance. Resources are the typed `en`/`zh` tables in strings.ts, so a key
 * missing from one language fails the type check rather than showing up at run time.
 * Created on first use and initialised synchronously: the first render already has its
 * strings, and modules that only need the tables never start i18next.
 */
let instance: I18n | undefined;
const listeners = new Set<() => void>();

function i18n(): I18n {
  if (!instance) {
    instance = i18next.createInstance();
    void instance.init({
      resources: { en: { translation: en }, zh: { translation: zh } },
      lng: guessLanguage(typeof navigator === "undefined" ? undefined : navigator.language),
      fallbackLng: "en",
      initAsync: false,
      // React escapes text itself; i18next must not turn "<" into "&lt;".
      interpolation: { escapeValue: false },
    });
    instance.on("languageChanged", () => listeners.forEach((l) => l()));
  }
  return instance;
}

const cache = new Map<Language, Strings>();

/** Every key resolved through i18next for one language, built once per language. */
function stringsOf(language: Language): Strings {
  let strings = cache.get(language);
  if (!strings) {
    const t = i18n().getFixedT(language);
    strings = Object.fromEntries(
      (Object.keys(en) as StringKey[]).map((key) => [key, t(key)]),
    ) as Strings;
    cache.set(language, strings);
  }
  return strings;
}

export function currentLanguage(): Language {
  return i18n().language === "zh" ? "zh" : "en";
}

export function setLanguage(language: Language): void {
  if (i18n().language !== language) void i18n().changeLanguage(language);
  if (typeof document !== "undefined") {
    document.documentElement.lang = language === "zh" ? "zh-CN" : "en";
  }
}

function subscribe(onChange: () => void): () => void {
  listeners.add(onChange);
  return () => listeners.delete(onChange);
}

/** The strings of the current language; components re-render when the language changes. */
export function useStrings(): Strings {
  return stringsOf(useSyncExternalStore(subscribe, currentLanguage, currentLanguage));
}

export type Translate = (key: StringKey, values?: Record<string, string | number>) => string;

/** For strings with {{placeholders}}: `tr("searchResults", { count: 3 })`. */
export function useTranslate(): Translate {
  const language = useSyncExternalStore(subscribe, currentLanguage, currentLanguage);
  return (key, values) => i18n().t(key, { lng: language, ...values });
}

/** Outside React (exports, announcements). */
export const translate: Translate = (key, values) => i18n().t(key, { ...values });
