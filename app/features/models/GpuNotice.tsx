import { useApp } from "../../store/use-app";
import { useStrings } from "../../i18n/i18n";

/** Says plainly what is needed when this browser cannot run models at all. */
export function GpuNotice() {
  const t = useStrings();
  const gpu = useApp((s) => s.gpu);
  if (gpu.status !== "unavailable") return null;
  return (
    <div
      role="alert"
      data-testid="no-webgpu"
      className="m-3 rounded border border-amber-400 bg-amber-50 p-3 text-sm text-amber-900 dark:bg-amber-950 dark:text-amber-100"
    >
      <p className="font-semibold">{t.noWebGpuTitle}</p>
      <p>{gpu.reason === "no-api" ? t.noWebGpuApi : t.noWebGpuAdapter}</p>
    </div>
  );
}
