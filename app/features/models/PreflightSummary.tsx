import { useEffect, useState } from "react";
import type { GpuSupport } from "../../engine/gpu-support";
import { useStrings } from "../../i18n/i18n";
import { formatSize } from "../../ui/format";
import type { CatalogEntry } from "../../engine/catalog";

/**
 * What loading the model will cost, shown before anything is fetched: download size, GPU
 * memory and the browser storage left. WebGPU cannot report free GPU memory, so the VRAM
 * figure is the catalog's estimate to compare with the user's card.
 */
export function PreflightSummary({ entry, gpu }: { entry: CatalogEntry; gpu: GpuSupport }) {
  const t = useStrings();
  const free = useFreeStorage();
  const parts: string[] = [];
  if (entry.downloadBytes) parts.push(`${t.preflightDownload} ${formatSize(entry.downloadBytes)}`);
  if (entry.vramMB) parts.push(`${t.preflightVram} ${formatSize(entry.vramMB * 1024 * 1024)}`);
  if (free !== undefined) parts.push(`${t.preflightFree} ${formatSize(free)}`);
  const tooBig =
    free !== undefined && entry.downloadBytes !== undefined && entry.downloadBytes > free;
  const slowGpu = gpu.status === "available" && gpu.software && entry.family === "cutegpt";
  return (
    <div data-testid="preflight" className="text-xs text-zinc-600 dark:text-zinc-400">
      {parts.length > 0 && <p>{parts.join(" · ")}</p>}
      {tooBig && <p className="text-amber-700 dark:text-amber-400">{t.preflightNoSpace}</p>}
      {slowGpu && <p className="text-amber-700 dark:text-amber-400">{t.preflightSoftwareGpu}</p>}
    </div>
  );
}

function useFreeStorage(): number | undefined {
  const [free, setFree] = useState<number>();
  useEffect(() => {
    let live = true;
    void navigator.storage
      ?.estimate()
      .then(({ quota, usage }) => {
        if (live && quota !== undefined) setFree(quota - (usage ?? 0));
      })
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, []);
  return free;
}
