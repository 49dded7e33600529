import { useCallback, useSyncExternalStore } from "react";

const SHARE_PREFIX = /^#v\d+\./;

function subscribe(onChange: () => void) {
  addEventListener("hashchange", onChange);
  return () => removeEventListener("hashchange", onChange);
}

/**
 * The share fragment in the address bar, if there is one. Only the prefix is checked here so
 * the codec (zod, deflate) loads lazily, and only when a link is actually opened.
 */
export function useShareFragment(): { fragment: string | undefined; clear(): void } {
  const hash = useSyncExternalStore(subscribe, () => location.hash);
  const clear = useCallback(() => {
    history.replaceState(history.state, "", location.pathname + location.search);
    dispatchEvent(new HashChangeEvent("hashchange"));
  }, []);
  return { fragment: SHARE_PREFIX.test(hash) ? hash.slice(1) : undefined, clear };
}
