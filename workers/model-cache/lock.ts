import { EngineError } from "../engine";

/**
 * Runs `task` holding this tab's exclusive claim on a model's files. Web Locks are shared by
 * every tab and worker of the origin; `ifAvailable` makes a second tab fail at once with
 * "busy" instead of queueing a second download of the same files.
 */
export async function withModelLock<T>(folderUrl: string, task: () => Promise<T>): Promise<T> {
  const locks = (globalThis.navigator as { locks?: LockManager } | undefined)?.locks;
  if (!locks) return task();
  return locks.request(
    "cutegpt-model:" + folderUrl,
    { ifAvailable: true },
    async (lock: Lock | null) => {
      if (!lock) {
        throw new EngineError(
          "busy",
          "This model's files are being downloaded or changed in another tab. Wait for that tab to finish (or close it), then load again here.",
        );
      }
      return task();
    },
  ) as Promise<T>;
}
