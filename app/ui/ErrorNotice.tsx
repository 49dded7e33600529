interface Props {
  code: string;
  /** The sentence in the UI language. */
  sentence: string;
  /** The engine's or browser's own text, shown only on request. */
  details?: string | undefined;
  detailsLabel: string;
  /** Words before the sentence, e.g. "Failed: ". */
  prefix?: string;
  className?: string;
  testId?: string;
}

/**
 * An error as the user reads it: one sentence in their language that says what to do, and
 * the raw text (English, technical) folded behind a "Details" toggle for a bug report.
 */
export function ErrorNotice({
  code,
  sentence,
  details,
  detailsLabel,
  prefix = "",
  className = "text-sm text-red-700 dark:text-red-400",
  testId,
}: Props) {
  return (
    <div role="alert" data-error-code={code} data-testid={testId} className={className}>
      <p>
        {prefix}
        {sentence}
      </p>
      {details && details !== sentence && (
        <details className="mt-0.5 text-xs">
          <summary className="cursor-pointer">{detailsLabel}</summary>
          <p className="font-mono break-words whitespace-pre-wrap">{details}</p>
        </details>
      )}
    </div>
  );
}
