import { z } from "zod/mini";
import type { StateCreator } from "zustand";
import { guessLanguage, type Language } from "../../i18n/strings";
import { setLanguage } from "../../i18n/i18n";
import type { AppState } from "../../store/app-state";
import {
  DEFAULT_SOURCE_SETTING,
  LIBRARY_HOSTS,
  MODEL_HOSTS,
  type DownloadSourceSetting,
} from "../../protocol/download-sources";

export type Theme = "light" | "dark" | "system";
/** "enter": Enter sends, Shift+Enter breaks the line. "mod-enter": Ctrl/⌘+Enter sends. */
import type { SendKey } from "../../ui/send-key";

export type { SendKey };

export interface PreferencesSlice {
  theme: Theme;
  language: Language;
  sendKey: SendKey;
  /** Where model files are downloaded from (see app/protocol/download-sources.ts). */
  downloadSource: DownloadSourceSetting;
  setTheme(theme: Theme): void;
  setUiLanguage(language: Language): void;
  setSendKey(sendKey: SendKey): void;
  setDownloadSource(source: DownloadSourceSetting): void;
}

const STORAGE_KEY = "cutegpt-settings";

/**
 * What is stored in localStorage; `version` changes when the shape does. Fields added later
 * (downloadSource) are optional, so settings saved by an older version still read as version 1.
 * A field that is missing or not understood falls back to its default on its own, so one bad
 * value never costs the others.
 */
const storedSettingsSchema = z.object({
  version: z.literal(1),
  theme: z.catch(z.optional(z.enum(["light", "dark", "system"])), undefined),
  language: z.catch(z.optional(z.enum(["zh", "en"])), undefined),
  sendKey: z.catch(z.enum(["enter", "mod-enter"]), "enter"),
  downloadSource: z.catch(
    z.object({
      models: z.catch(z.enum(["auto", ...MODEL_HOSTS]), "auto"),
      customBase: z.catch(z.string(), ""),
      libraries: z.catch(z.enum(["auto", ...LIBRARY_HOSTS]), "auto"),
    }),
    { models: "auto", customBase: "", libraries: "auto" },
  ),
});

interface StoredSettings {
  version: 1;
  theme: Theme;
  language: Language;
  sendKey: SendKey;
  downloadSource: DownloadSourceSetting;
}

export function loadSettings(
  storage: Pick<Storage, "getItem"> | undefined,
  navigatorLanguage: string | undefined,
): Omit<StoredSettings, "version"> {
  const defaults = {
    theme: "system" as Theme,
    language: guessLanguage(navigatorLanguage),
    sendKey: "enter" as SendKey,
    downloadSource: DEFAULT_SOURCE_SETTING,
  };
  try {
    const raw = storage?.getItem(STORAGE_KEY);
    if (!raw) return defaults;
    const stored = storedSettingsSchema.safeParse(JSON.parse(raw));
    if (!stored.success) return defaults;
    const { theme, language, sendKey, downloadSource } = stored.data;
    return {
      theme: theme ?? defaults.theme,
      language: language ?? defaults.language,
      sendKey,
      downloadSource,
    };
  } catch {
    return defaults;
  }
}

function save(settings: Omit<StoredSettings, "version">): void {
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify({ version: 1, ...settings }));
  } catch {
    // Private mode or a full disk: the choice still holds for this tab.
  }
}

let stopFollowingSystem: (() => void) | undefined;

/** Puts the `dark` class on <html> (Tailwind's dark variant); "system" follows the OS live. */
export function applyTheme(theme: Theme): void {
  if (typeof document === "undefined") return;
  stopFollowingSystem?.();
  stopFollowingSystem = undefined;
  const root = document.documentElement;
  const set = (dark: boolean) => {
    root.classList.toggle("dark", dark);
    root.style.colorScheme = dark ? "dark" : "light";
  };
  if (theme !== "system") {
    set(theme === "dark");
    return;
  }
  const query = matchMedia("(prefers-color-scheme: dark)");
  set(query.matches);
  const onChange = (event: MediaQueryListEvent) => set(event.matches);
  query.addEventListener("change", onChange);
  stopFollowingSystem = () => query.removeEventListener("change", onChange);
}

/** What the settings slice uses of the others: a new language can change the download source. */
type PreferencesNeeds = Pick<AppState, "recheckModelFiles">;

export function createPreferencesSlice(): StateCreator<
  PreferencesSlice & PreferencesNeeds,
  [],
  [],
  PreferencesSlice
> {
  return (set, get) => {
    const initial = loadSettings(
      typeof localStorage === "undefined" ? undefined : localStorage,
      typeof navigator === "undefined" ? undefined : navigator.language,
    );
    applyTheme(initial.theme);
    setLanguage(initial.language);
    const persist = () =>
      save({
        theme: get().theme,
        language: get().language,
        sendKey: get().sendKey,
        downloadSource: get().downloadSource,
      });
    return {
      ...initial,
      setTheme(theme) {
        set({ theme });
        applyTheme(theme);
        persist();
      },
      setUiLanguage(language) {
        set({ language });
        setLanguage(language);
        persist();
        // "auto" download sources follow the language.
        void get()
          .recheckModelFiles()
          .catch(() => undefined);
      },
      setSendKey(sendKey) {
        set({ sendKey });
        persist();
      },
      setDownloadSource(downloadSource) {
        set({ downloadSource });
        persist();
      },
    };
  };
}
