import { useEffect } from "react";
import { useStrings } from "../../i18n/i18n";
import { useApp } from "../../store/use-app";
import { applyUpdate, promptInstall } from "./register";
import { pwaStore, useOnline, usePwa } from "./state";

/** Load failures that, while offline, mean the model's files are not in the browser yet. */
const FETCH_FAILURES = new Set(["network", "model-files-not-found"]);

/**
 * One thin strip for the installable app: offline indicator, "Reload to update" and the
 * Install button (or a hint where the browser offers none). The hint is a tip for the empty
 * screen (`showHint`); with none of these the strip is not there at all.
 */
export function PwaStatus({ showHint = true }: { showHint?: boolean }) {
  const t = useStrings();
  const online = useOnline();
  const needRefresh = usePwa((s) => s.needRefresh);
  const updateRequested = usePwa((s) => s.updateRequested);
  const installEvent = usePwa((s) => s.installEvent);
  const installed = usePwa((s) => s.installed);
  const busy = useApp((s) => s.streaming !== undefined || s.loadState === "loading");
  const loadState = useApp((s) => s.loadState);
  const loadError = useApp((s) => s.loadError);

  // A requested update waits for the reply (or model load) in progress to finish.
  useEffect(() => {
    if (updateRequested && !busy) applyUpdate();
  }, [updateRequested, busy]);

  const offlineModelMissing =
    !online &&
    loadState === "error" &&
    loadError !== undefined &&
    FETCH_FAILURES.has(loadError.code);

  // Nothing to say (online, up to date, installed): no strip, the chat keeps the space.
  const hint = showHint && !installed && !installEvent;
  if (online && !needRefresh && !installEvent && !hint && !offlineModelMissing) return null;

  return (
    <div
      data-testid="pwa-status"
      className="flex flex-col gap-1 border-b border-zinc-200 px-3 py-1.5 text-xs text-zinc-700 dark:border-zinc-800 dark:text-zinc-300"
    >
      <div className="flex min-h-6 flex-wrap items-center gap-x-3 gap-y-1">
        {!online && (
          <p role="status" data-testid="offline-indicator" className="flex items-center gap-1.5">
            <span aria-hidden="true" className="inline-block size-2 rounded-full bg-amber-500" />
            <strong className="font-semibold">{t.offline}</strong>
            <span>{t.offlineHint}</span>
          </p>
        )}
        {needRefresh && (
          <p role="status" className="flex items-center gap-2">
            <span>{t.updateReady}</span>
            <button
              type="button"
              className="rounded bg-violet-700 px-2 py-0.5 font-medium text-white hover:bg-violet-800 disabled:opacity-60"
              disabled={updateRequested}
              onClick={() => {
                if (busy) pwaStore.setState({ updateRequested: true });
                else applyUpdate();
              }}
            >
              {updateRequested ? t.updateAfterReply : t.updateReload}
            </button>
          </p>
        )}
        <div className="ml-auto">
          {installEvent ? (
            <button
              type="button"
              className="rounded border border-violet-700 px-2 py-0.5 font-medium text-violet-800 hover:bg-violet-50 dark:border-violet-400 dark:text-violet-200 dark:hover:bg-violet-950"
              onClick={() => void promptInstall()}
            >
              {t.installApp}
            </button>
          ) : (
            hint && <span data-testid="install-hint">{t.installHint}</span>
          )}
        </div>
      </div>
      {offlineModelMissing && (
        <p
          role="alert"
          data-testid="offline-model-missing"
          className="text-sm text-red-700 dark:text-red-400"
        >
          {t.offlineModelMissing}
        </p>
      )}
    </div>
  );
}
