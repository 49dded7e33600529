import { useState } from "react";
import { useStrings, useTranslate } from "../../i18n/i18n";
import { errorSentence } from "../../i18n/error-text";
import { ErrorNotice } from "../../ui/ErrorNotice";
import { useApp } from "../../store/use-app";
import { formatSize } from "../../ui/format";
import { filesFromDrop, filesFromInput } from "./folder-files";

/**
 * What this browser keeps for the app: each cached model with its real stored size, last use
 * and a Delete that removes every record; total usage and quota; importing a model folder.
 */
export function ModelFilesPanel() {
  const t = useStrings();
  const tr = useTranslate();
  const cached = useApp((s) => s.cachedModels);
  const catalog = useApp((s) => s.catalog);
  const estimate = useApp((s) => s.storageEstimate);
  const persisted = useApp((s) => s.storagePersisted);
  const busy = useApp((s) => s.storageBusy);
  const message = useApp((s) => s.storageMessage);
  const refresh = useApp((s) => s.refreshStorage);
  const remove = useApp((s) => s.deleteCachedModel);
  const importFolder = useApp((s) => s.importModelFolder);
  const [dragging, setDragging] = useState(false);

  return (
    <details
      className="border-b border-zinc-200 px-3 py-2 text-sm dark:border-zinc-800"
      onToggle={(e) => {
        if (e.currentTarget.open) void refresh();
      }}
    >
      <summary className="cursor-pointer font-medium">{t.storageTitle}</summary>
      <div className="mt-2 flex flex-col gap-2" aria-busy={busy}>
        {estimate && (
          <p data-testid="storage-usage">
            {t.storageUsed} {formatSize(estimate.usage)} {t.storageOf} {formatSize(estimate.quota)}
          </p>
        )}
        {persisted !== undefined && (
          <p className="text-xs text-zinc-600 dark:text-zinc-400">
            {persisted ? t.storagePersisted : t.storageNotPersisted}
          </p>
        )}
        {cached.length === 0 ? (
          <p className="text-zinc-600 dark:text-zinc-400">{t.storageNone}</p>
        ) : (
          <ul className="flex flex-col gap-1">
            {cached.map((m) => {
              const name = catalog.find((e) => e.id === m.modelId)?.name ?? t.storageUnknownModel;
              const partial = m.shardsCached < m.shardsTotal;
              return (
                <li
                  key={m.folderUrl}
                  data-testid="cached-model"
                  data-model-id={m.modelId ?? ""}
                  className="flex flex-wrap items-center gap-2"
                >
                  <span className="font-medium" title={m.folderUrl}>
                    {name}
                  </span>
                  <span data-testid="cached-size">{formatSize(m.bytes)}</span>
                  {partial && (
                    <span className="text-amber-700 dark:text-amber-400">
                      {t.storagePartial} ({m.shardsCached}/{m.shardsTotal})
                    </span>
                  )}
                  <span className="text-xs text-zinc-600 dark:text-zinc-400">
                    {t.storageLastUsed}:{" "}
                    {m.lastUsed ? new Date(m.lastUsed).toLocaleString() : t.storageNeverUsed}
                  </span>
                  <DeleteModelFiles
                    name={name}
                    size={formatSize(m.bytes)}
                    busy={busy}
                    onDelete={() => void remove(m.folderUrl)}
                  />
                </li>
              );
            })}
          </ul>
        )}
        <div
          data-testid="import-drop"
          className={`rounded border border-dashed p-2 ${dragging ? "border-violet-600" : "border-zinc-300 dark:border-zinc-700"}`}
          onDragOver={(e) => {
            e.preventDefault();
            setDragging(true);
          }}
          onDragLeave={() => setDragging(false)}
          onDrop={(e) => {
            e.preventDefault();
            setDragging(false);
            void filesFromDrop(e.dataTransfer.items).then(importFolder);
          }}
        >
          <label className="flex flex-col gap-1">
            <span className="font-medium">{t.storageImport}</span>
            <span className="text-xs text-zinc-600 dark:text-zinc-400">{t.storageImportHint}</span>
            <input
              type="file"
              multiple
              disabled={busy}
              ref={(el) => el?.setAttribute("webkitdirectory", "")}
              onChange={(e) => {
                const files = filesFromInput(e.currentTarget.files);
                e.currentTarget.value = "";
                if (files.length > 0) void importFolder(files);
              }}
            />
          </label>
          <p className="text-xs text-zinc-600 dark:text-zinc-400">{t.storageDrop}</p>
        </div>
        {message?.kind === "error" ? (
          <ErrorNotice
            testId="storage-message"
            code={message.code ?? "unknown"}
            sentence={errorSentence(tr, { code: message.code ?? "unknown" })}
            details={message.text}
            detailsLabel={t.errorDetails}
          />
        ) : (
          message && (
            <p
              role="status"
              data-testid="storage-message"
              className="text-zinc-700 dark:text-zinc-300"
            >
              {message.text === "deleted"
                ? t.storageDeleted
                : `${t.storageImported}: ${message.text}`}
            </p>
          )
        )}
      </div>
    </details>
  );
}

/**
 * Delete for one model's files, asked twice: they are gigabytes that take long to download
 * again, so the confirmation names the model and the space it frees.
 */
function DeleteModelFiles(props: { name: string; size: string; busy: boolean; onDelete(): void }) {
  const tr = useTranslate();
  const t = useStrings();
  const [asking, setAsking] = useState(false);
  const button =
    "rounded border border-red-300 px-2 py-0.5 text-red-700 disabled:opacity-50 dark:text-red-400";
  if (!asking) {
    return (
      <button
        type="button"
        className={`ml-auto ${button}`}
        disabled={props.busy}
        aria-label={`${t.storageDelete} ${props.name}`}
        onClick={() => setAsking(true)}
      >
        {t.storageDelete}
      </button>
    );
  }
  return (
    <div
      role="group"
      aria-label={t.storageDelete}
      className="flex w-full flex-wrap items-center gap-2"
    >
      <p className="flex-1">{tr("storageDeleteConfirm", { name: props.name, size: props.size })}</p>
      <button
        type="button"
        // The question just appeared where the button was; keep focus on the decision.
        autoFocus
        className={button}
        disabled={props.busy}
        onClick={() => {
          setAsking(false);
          props.onDelete();
        }}
      >
        {tr("storageDeleteSized", { size: props.size })}
      </button>
      <button
        type="button"
        className="rounded border border-zinc-300 px-2 py-0.5 dark:border-zinc-700"
        onClick={() => setAsking(false)}
      >
        {t.cancel}
      </button>
    </div>
  );
}
