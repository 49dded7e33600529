import { useStrings } from "../../i18n/i18n";
import { useApp } from "../../store/use-app";
import { formatRate } from "../../ui/format";

interface Props {
  /** Decode speed of the open chat's last reply, tokens per second. */
  speed: number | undefined;
  onOpen(): void;
}

/**
 * The collapsed model bar: one line naming the model, its state and its speed. It opens the
 * dialog with the model picker, the generation settings and the storage panel.
 */
export function ModelStatusButton({ speed, onOpen }: Props) {
  const t = useStrings();
  const loadState = useApp((s) => s.loadState);
  const name = useApp((s) => {
    const id = s.loadState === "ready" ? s.loadedModelId : s.selectedModelId;
    return s.catalog.find((m) => m.id === id)?.name;
  });
  const percent = useApp((s) =>
    s.progress?.fraction === undefined ? undefined : Math.round(s.progress.fraction * 100),
  );
  const state = {
    idle: t.modelNotLoaded,
    loading: percent === undefined ? t.loading : `${t.loading} ${percent}%`,
    ready: t.loaded,
    error: t.failed,
  }[loadState];
  const dot = {
    idle: "bg-zinc-400",
    loading: "bg-amber-500 animate-pulse",
    ready: "bg-emerald-500",
    error: "bg-red-600",
  }[loadState];
  return (
    <button
      type="button"
      data-testid="model-status"
      data-state={loadState}
      aria-haspopup="dialog"
      onClick={onOpen}
      className="flex max-w-[60%] min-w-0 shrink items-center gap-1.5 rounded border border-zinc-300 px-2 py-1 text-xs hover:bg-zinc-100 dark:border-zinc-700 dark:hover:bg-zinc-800"
    >
      <span aria-hidden="true" className={`inline-block size-2 shrink-0 rounded-full ${dot}`} />
      <span className="min-w-0 truncate font-medium">{name ?? t.model}</span>
      <span className="shrink-0 text-zinc-600 dark:text-zinc-400">· {state}</span>
      {loadState === "ready" && speed !== undefined && (
        <span className="hidden shrink-0 text-zinc-600 sm:inline dark:text-zinc-400">
          · {formatRate(speed)} {t.tokPerSec}
        </span>
      )}
      <span className="sr-only">{t.modelAndSettings}</span>
      <span aria-hidden="true" className="shrink-0">
        ⚙
      </span>
    </button>
  );
}
