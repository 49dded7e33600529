import { useState } from "react";
import { useApp } from "../../store/use-app";
import { PRIMARY_BUTTON } from "../../ui/button-styles";
import { type Strings } from "../../i18n/strings";
import { useStrings, useTranslate, type Translate } from "../../i18n/i18n";
import { errorSentence } from "../../i18n/error-text";
import { ErrorNotice } from "../../ui/ErrorNotice";
import type { LoadProgress } from "../../protocol/worker-protocol";
import { ProgressBar } from "../../ui/ProgressBar";
import { formatMB, formatRate } from "../../ui/format";
import { CUTEGPT_FAMILY, type CatalogEntry } from "../../engine/catalog";
import { PreflightSummary } from "./PreflightSummary";
import { UNAVAILABLE_LABEL, meanwhileModel, type Unavailable } from "./compatibility";
import type { LoadNoticeCode } from "./slice";

/** Model picker, load button, load progress and load errors. */
export function ModelBar() {
  const t = useStrings();
  const tr = useTranslate();
  const catalog = useApp((s) => s.catalog);
  const gpu = useApp((s) => s.gpu);
  const selectedId = useApp((s) => s.selectedModelId);
  const loadState = useApp((s) => s.loadState);
  const loadedId = useApp((s) => s.loadedModelId);
  const progress = useApp((s) => s.progress);
  const loadError = useApp((s) => s.loadError);
  const catalogError = useApp((s) => s.catalogError);
  const selectModel = useApp((s) => s.selectModel);
  const loadModel = useApp((s) => s.loadModel);
  const loadNotice = useApp((s) => s.loadNotice);
  const loadNoticeCode = useApp((s) => s.loadNoticeCode);
  const cancelLoad = useApp((s) => s.cancelLoad);

  const selected = catalog.find((m) => m.id === selectedId);
  // Re-evaluated when any of these change; the slice's unavailable() reads them.
  useApp((s) => s.missingFiles);
  useApp((s) => s.storageEstimate);
  useApp((s) => s.cachedModels);
  useApp((s) => s.freeStorage);
  const unavailable = useApp((s) => s.unavailable);
  const reasonFor = (m: CatalogEntry) => unavailable(m);
  const sentence = (r: Unavailable) => tr(r.key, r.values);
  const selectedReason = selected ? reasonFor(selected) : undefined;
  // CuteGPT first, whatever order a merged or imported catalog has; otherwise as listed.
  const ordered = [...catalog].sort(
    (a, b) => Number(b.family === CUTEGPT_FAMILY) - Number(a.family === CUTEGPT_FAMILY),
  );
  const cuteGpt = ordered.filter((m) => m.family === CUTEGPT_FAMILY && m.engine === "webllm");
  const cuteGptUsable = cuteGpt.some((m) => reasonFor(m) === undefined);
  const meanwhile = meanwhileModel(ordered, (m) => reasonFor(m) === undefined);
  const cuteGptHint =
    cuteGpt.length > 0 && !cuteGptUsable && gpu.status !== "checking"
      ? [
          cuteGpt.every((m) => reasonFor(m)?.kind === "not-published")
            ? t.cutegptUnpublished
            : t.cutegptCannotRun,
          meanwhile ? tr("cutegptMeanwhile", { model: meanwhile.name }) : "",
        ]
          .filter(Boolean)
          .join(" ")
      : undefined;
  const isReady = loadState === "ready" && loadedId === selectedId;

  return (
    <section
      aria-label={t.model}
      // The catalog, GPU check and storage estimate arrive after first paint; reserving the
      // usual height of their lines keeps the page from jumping (layout shift) when they do.
      className="flex min-h-[6.75rem] flex-col gap-2 border-b border-zinc-200 p-3 dark:border-zinc-800"
    >
      <div className="flex flex-wrap items-center gap-2">
        <label htmlFor="model-picker" className="text-sm font-medium">
          {t.model}
        </label>
        <select
          id="model-picker"
          className="min-w-0 flex-1 rounded border border-zinc-300 bg-white px-2 py-1 text-sm dark:border-zinc-700 dark:bg-zinc-900"
          value={selectedId ?? ""}
          disabled={loadState === "loading" || catalog.length === 0}
          onChange={(e) => selectModel(e.target.value)}
        >
          {ordered.map((m) => {
            const reason = reasonFor(m);
            const badge = m.family === CUTEGPT_FAMILY ? `★ ${t.cutegptBadge} · ` : "";
            return (
              <option
                key={m.id}
                value={m.id}
                disabled={reason !== undefined}
                data-unavailable={reason?.kind}
              >
                {badge}
                {m.name}
                {reason ? ` — ${t[UNAVAILABLE_LABEL[reason.kind]]}: ${sentence(reason)}` : ""}
              </option>
            );
          })}
        </select>
        <button
          type="button"
          className={PRIMARY_BUTTON}
          disabled={
            !selected ||
            loadState === "loading" ||
            isReady ||
            selectedReason !== undefined ||
            gpu.status === "unavailable"
          }
          onClick={() => void loadModel()}
        >
          {loadState === "loading" ? t.loading : isReady ? t.loaded : t.load}
        </button>
      </div>
      {selected && !selectedReason && loadState !== "loading" && !isReady && (
        <PreflightSummary entry={selected} gpu={gpu} />
      )}
      {selectedReason && (
        <p
          data-testid="model-unavailable"
          data-unavailable={selectedReason.kind}
          className="text-sm text-amber-700 dark:text-amber-400"
        >
          {sentence(selectedReason)}
        </p>
      )}
      {cuteGptHint && (
        <p data-testid="cutegpt-hint" className="text-xs text-zinc-600 dark:text-zinc-400">
          {cuteGptHint}
        </p>
      )}
      {catalogError && (
        <ErrorNotice
          code="catalog"
          sentence={`${t.catalogError}: ${t.errCatalog}`}
          details={catalogError}
          detailsLabel={t.errorDetails}
        />
      )}
      {loadState === "loading" && <LoadProgressView progress={progress} t={t} />}
      {/* For the whole load: web-llm compiles shaders while it fetches weights and reports a
          weight file only once all of it has arrived, so no phase says "downloading" for sure;
          a Cancel after the download ended stops the load instead (workers/webllm-engine.ts). */}
      {loadState === "loading" && (
        <div className="flex items-start gap-2 text-xs text-zinc-600 dark:text-zinc-400">
          <p className="flex-1">{t.storagePersistWhy}</p>
          <button
            type="button"
            className="rounded border border-zinc-300 px-2 py-1 text-sm dark:border-zinc-700"
            onClick={() => void cancelLoad()}
          >
            {t.cancelDownload}
          </button>
        </div>
      )}
      {loadNotice && <LoadNotice notice={loadNotice} code={loadNoticeCode} />}
      {loadState === "error" && loadError && (
        <>
          <ErrorNotice
            code={loadError.code}
            sentence={errorSentence(tr, loadError)}
            details={loadError.message}
            detailsLabel={t.errorDetails}
          />
          {loadError.code === "network" && (
            <p data-testid="network-hint" className="text-sm text-zinc-600 dark:text-zinc-400">
              {t.networkHint}
            </p>
          )}
        </>
      )}
    </section>
  );
}

/**
 * The last load's notice once the bar has folded into the header (a file was re-downloaded):
 * still said, on one dismissable line.
 */
export function FoldedLoadNotice() {
  const t = useStrings();
  const notice = useApp((s) => s.loadNotice);
  const code = useApp((s) => s.loadNoticeCode);
  const [dismissed, setDismissed] = useState<string | undefined>();
  if (!notice || dismissed === notice) return null;
  return (
    <div className="flex items-start gap-2 border-b border-zinc-200 px-3 py-1.5 dark:border-zinc-800">
      <div className="min-w-0 flex-1">
        <LoadNotice notice={notice} code={code} />
      </div>
      <button
        type="button"
        className="rounded px-2 py-0.5 text-xs hover:bg-zinc-100 dark:hover:bg-zinc-800"
        onClick={() => setDismissed(notice)}
      >
        {t.dismiss}
      </button>
    </div>
  );
}

/** Something about the last load worth knowing (a re-downloaded file, a cancel), in words. */
export function LoadNotice({ notice, code }: { notice: string; code: LoadNoticeCode | undefined }) {
  const t = useStrings();
  const tr = useTranslate();
  const params = useApp((s) => s.loadNoticeParams);
  return (
    <div
      role="status"
      data-testid="load-notice"
      className="text-sm text-amber-700 dark:text-amber-400"
    >
      <p>{code === "cancelled" ? cancelledSentence(tr, params) : t.noticeRefetched}</p>
      {code !== "cancelled" && (
        <details className="text-xs">
          <summary className="cursor-pointer">{t.errorDetails}</summary>
          <p className="font-mono break-words">{notice}</p>
        </details>
      )}
    </div>
  );
}

/** What a cancel kept, as the worker counted it in web-llm's cache (else the general words). */
function cancelledSentence(
  tr: Translate,
  params: Record<string, string | number> | undefined,
): string {
  if (params?.kept === undefined || params.total === undefined) return tr("errCancelled");
  return params.kept === 0 ? tr("errCancelledNoneKept") : tr("errCancelledKept", params);
}

function LoadProgressView({ progress, t }: { progress: LoadProgress | undefined; t: Strings }) {
  const phase = progress?.phase ?? "preparing";
  const label = {
    preparing: t.phasePreparing,
    fetching: t.phaseFetching,
    "loading-cache": t.phaseLoadingCache,
    compiling: t.phaseCompiling,
  }[phase];
  const detail =
    progress?.bytesDone !== undefined && progress.bytesTotal !== undefined
      ? [
          `${formatMB(progress.bytesDone)} / ${formatMB(progress.bytesTotal)}`,
          progress.bytesPerSecond !== undefined &&
            `${formatRate(progress.bytesPerSecond / (1024 * 1024))} MB/s`,
          progress.secondsLeft !== undefined &&
            `${formatDuration(progress.secondsLeft)} ${t.timeLeft}`,
        ]
          .filter(Boolean)
          .join(" · ")
      : undefined;
  return <ProgressBar fraction={progress?.fraction ?? 0} label={label} detail={detail} />;
}

function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "…";
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}
