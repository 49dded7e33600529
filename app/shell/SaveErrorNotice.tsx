import { useApp } from "../store/use-app";
import { useStrings } from "../i18n/i18n";

export function SaveErrorNotice() {
  const t = useStrings();
  const saveError = useApp((s) => s.saveError);
  const flush = useApp((s) => s.flushSaves);
  if (!saveError) return null;
  return (
    <div
      role="alert"
      className="m-3 flex items-center gap-3 rounded border border-red-300 p-2 text-sm"
    >
      <div className="flex-1">
        <p>{t.errSave}</p>
        <details className="text-xs">
          <summary className="cursor-pointer">{t.errorDetails}</summary>
          <p className="font-mono break-words">{saveError}</p>
        </details>
      </div>
      <button type="button" className="rounded border px-2 py-1" onClick={() => void flush()}>
        {t.saveRetry}
      </button>
    </div>
  );
}
