interface Props {
  fraction: number;
  label: string;
  detail?: string | undefined;
}

export function ProgressBar({ fraction, label, detail }: Props) {
  const percent = Math.round(Math.min(1, Math.max(0, fraction)) * 100);
  return (
    <div className="w-full">
      <div className="mb-1 flex justify-between text-xs text-zinc-600 dark:text-zinc-300">
        <span>{label}</span>
        <span>{detail ?? `${percent}%`}</span>
      </div>
      <div
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
        aria-valuetext={detail ? `${label}: ${detail}` : `${label}: ${percent}%`}
        className="h-2 w-full overflow-hidden rounded bg-zinc-200 dark:bg-zinc-700"
      >
        <div className="h-full bg-violet-600 transition-[width]" style={{ width: `${percent}%` }} />
      </div>
    </div>
  );
}
