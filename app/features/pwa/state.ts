import { createStore, useStore } from "zustand";

/** Chromium's install offer; not in TypeScript's DOM library. */
export interface BeforeInstallPromptEvent extends Event {
  prompt(): Promise<void>;
  readonly userChoice: Promise<{ outcome: "accepted" | "dismissed" }>;
}

export interface PwaState {
  online: boolean;
  /** Set while the browser offers to install the app (beforeinstallprompt). */
  installEvent: BeforeInstallPromptEvent | undefined;
  /** Running as an installed app, or installed during this visit. */
  installed: boolean;
  /** A new version is waiting, or already took over this page from another tab. */
  needRefresh: boolean;
  /** The user asked to update; it happens as soon as no reply is being written. */
  updateRequested: boolean;
}

/**
 * Browser-level state of the installable app. It lives outside the app store on purpose: it
 * is not app data, must exist before React mounts (install offers can arrive early), and is
 * never persisted.
 */
export const pwaStore = createStore<PwaState>()(() => ({
  online: typeof navigator === "undefined" ? true : navigator.onLine,
  installEvent: undefined,
  installed: false,
  needRefresh: false,
  updateRequested: false,
}));

export function usePwa<T>(selector: (state: PwaState) => T): T {
  return useStore(pwaStore, selector);
}

/** Whether the browser believes it has a network connection (navigator.onLine and its events). */
export function useOnline(): boolean {
  return usePwa((s) => s.online);
}
