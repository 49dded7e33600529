import { Workbox } from "workbox-window";
import { pwaStore, type BeforeInstallPromptEvent } from "./state";

export interface RegisterPwaOptions {
  /** The service worker script, e.g. `${BASE_URL}sw.js`. */
  swUrl: string;
  scope: string;
  /** Re-fetched once the service worker controls the page, so it is cached for offline use. */
  catalogUrl: URL;
  /** Registering is skipped when false (the dev server has no service worker). */
  enabled: boolean;
}

const UPDATE_CHECK_MS = 60 * 60 * 1000;

let applyUpdateNow: () => void = () => location.reload();

/**
 * Wires the browser's online/offline, install and service-worker events into pwaStore. Call
 * once, before the app renders. Updates never apply by themselves: the new version waits
 * until `applyUpdate()` (the UI calls it only while no reply is streaming).
 */
export function registerPwa(options: RegisterPwaOptions): void {
  const setOnline = () => pwaStore.setState({ online: navigator.onLine });
  addEventListener("online", setOnline);
  addEventListener("offline", setOnline);

  const standalone = matchMedia("(display-mode: standalone)");
  pwaStore.setState({ installed: standalone.matches });
  addEventListener("beforeinstallprompt", (event) => {
    // Keep the browser's own mini-infobar away; the app shows its Install button instead.
    event.preventDefault();
    pwaStore.setState({ installEvent: event as BeforeInstallPromptEvent });
  });
  addEventListener("appinstalled", () =>
    pwaStore.setState({ installed: true, installEvent: undefined }),
  );

  if (!options.enabled || !("serviceWorker" in navigator)) return;

  const wb = new Workbox(options.swUrl, { scope: options.scope });
  let updating = false;
  let registration: ServiceWorkerRegistration | undefined;

  wb.addEventListener("waiting", () => pwaStore.setState({ needRefresh: true }));
  wb.addEventListener("controlling", (event) => {
    // The page's first catalog fetch ran before the service worker existed; fetch it again
    // through the worker so the network-first route stores a copy for offline starts.
    void fetch(options.catalogUrl, { cache: "no-cache" }).catch(() => undefined);
    if (updating) {
      location.reload();
    } else if (event.isUpdate || event.isExternal) {
      // Another tab applied a new version; this page still runs the old code.
      pwaStore.setState({ needRefresh: true });
    }
  });

  applyUpdateNow = () => {
    if (registration?.waiting) {
      updating = true;
      wb.messageSkipWaiting();
    } else {
      location.reload();
    }
  };

  void wb
    .register()
    .then((reg) => {
      registration = reg;
      setInterval(() => {
        if (navigator.onLine) void wb.update();
      }, UPDATE_CHECK_MS);
    })
    .catch((error: unknown) => console.warn("Service worker registration failed", error));
}

/** Activates the waiting version and reloads. Callers make sure no reply is streaming. */
export function applyUpdate(): void {
  pwaStore.setState({ needRefresh: false, updateRequested: false });
  applyUpdateNow();
}

/** Shows the browser's install dialog, when it offered one. */
export async function promptInstall(): Promise<void> {
  const event = pwaStore.getState().installEvent;
  if (!event) return;
  pwaStore.setState({ installEvent: undefined });
  await event.prompt();
  const { outcome } = await event.userChoice;
  if (outcome === "accepted") pwaStore.setState({ installed: true });
}
