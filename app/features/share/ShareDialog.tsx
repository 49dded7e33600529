import { useEffect, useMemo, useRef, useState } from "react";
import { PRIMARY_BUTTON, SECONDARY_BUTTON } from "../../ui/button-styles";
import { useStrings } from "../../i18n/i18n";
import type { Conversation } from "../../storage/types";
import {
  countTurns,
  largestTurnCountWithin,
  lastTurns,
  SHARE_HARD_LIMIT,
  SHARE_WARN_LENGTH,
  shareLinkFor,
} from "./codec";
import { toShared } from "./conversation-mapping";
import { QrCode } from "./QrCode";

/** Links up to this length still make a QR code a phone camera reads reliably. */
const QR_MAX_LENGTH = 1800;

interface Props {
  conversation: Conversation;
  fallbackModelId: string;
  onClose(): void;
}

/**
 * Makes the link: the whole conversation in the fragment, which browsers never send to a
 * server. Long links get a warning (messengers cut them) and the option to share only the
 * last N turns; links past the hard limit are refused with a clear message, never broken.
 */
export default function ShareDialog({ conversation, fallbackModelId, onClose }: Props) {
  const t = useStrings();
  const dialog = useRef<HTMLDialogElement>(null);
  const shared = useMemo(
    () => toShared(conversation, fallbackModelId),
    [conversation, fallbackModelId],
  );
  const base = useMemo(() => new URL(import.meta.env.BASE_URL, location.href).href, []);
  const total = countTurns(shared);
  const [turns, setTurns] = useState(total);
  const [copied, setCopied] = useState(false);

  useEffect(() => {
    dialog.current?.showModal();
  }, []);

  const result = useMemo(() => {
    try {
      return { link: shareLinkFor(base, turns < total ? lastTurns(shared, turns) : shared) };
    } catch (error) {
      return { error: error instanceof Error ? error.message : String(error) };
    }
  }, [base, shared, turns, total]);
  const fitting = useMemo(
    () =>
      result.link && result.link.length <= SHARE_WARN_LENGTH
        ? turns
        : largestTurnCountWithin(base, shared, SHARE_WARN_LENGTH),
    [base, shared, result.link, turns],
  );

  const copy = async () => {
    if (!result.link) return;
    await navigator.clipboard.writeText(result.link);
    setCopied(true);
  };

  return (
    <dialog
      ref={dialog}
      aria-labelledby="share-title"
      onClose={onClose}
      className="m-auto w-[min(40rem,calc(100vw-2rem))] rounded-lg border border-zinc-300 bg-white p-4 text-zinc-900 backdrop:bg-black/40 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-100"
    >
      <h2 id="share-title" className="mb-1 text-base font-semibold">
        {t.shareTitle}
      </h2>
      <p className="mb-3 text-xs text-zinc-600 dark:text-zinc-400">{t.sharePrivacy}</p>
      {result.link ? (
        <>
          <label htmlFor="share-link" className="text-xs font-medium">
            {t.shareLinkLabel} ({result.link.length.toLocaleString("en-US")} {t.shareCharacters})
          </label>
          <textarea
            id="share-link"
            readOnly
            rows={3}
            value={result.link}
            onFocus={(e) => e.currentTarget.select()}
            className="mt-1 w-full rounded border border-zinc-300 bg-zinc-50 p-2 font-mono text-xs break-all dark:border-zinc-700 dark:bg-zinc-950"
          />
          {result.link.length > SHARE_WARN_LENGTH && (
            <p
              role="status"
              data-testid="share-long"
              className="mt-2 text-xs text-amber-700 dark:text-amber-400"
            >
              {t.shareTooLongWarning}
            </p>
          )}
          {result.link.length <= QR_MAX_LENGTH && <QrCode text={result.link} label={t.shareQr} />}
        </>
      ) : (
        <p
          role="alert"
          data-testid="share-error"
          className="text-sm text-red-700 dark:text-red-400"
        >
          {t.shareHardLimit.replace("{limit}", `${Math.round(SHARE_HARD_LIMIT / 1024)} KB`)} (
          {result.error})
        </p>
      )}
      {total > 1 && (
        <div className="mt-3 flex flex-wrap items-center gap-2 text-xs">
          <label htmlFor="share-turns">{t.shareLastTurns}</label>
          <input
            id="share-turns"
            type="number"
            min={1}
            max={total}
            value={turns}
            onChange={(e) =>
              setTurns(Math.min(total, Math.max(1, Math.floor(Number(e.target.value) || 1))))
            }
            className="w-20 rounded border border-zinc-300 px-2 py-1 dark:border-zinc-700 dark:bg-zinc-950"
          />
          <span>/ {total}</span>
          {fitting > 0 && fitting < turns && (
            <button
              type="button"
              onClick={() => setTurns(fitting)}
              className="rounded border border-zinc-300 px-2 py-1 hover:bg-zinc-100 dark:border-zinc-700 dark:hover:bg-zinc-800"
            >
              {t.shareFitTurns.replace("{n}", String(fitting))}
            </button>
          )}
        </div>
      )}
      <div className="mt-4 flex justify-end gap-2">
        <button
          type="button"
          disabled={!result.link}
          onClick={() => void copy()}
          className={PRIMARY_BUTTON}
        >
          {copied ? t.shareCopied : t.shareCopy}
        </button>
        <button type="button" onClick={() => dialog.current?.close()} className={SECONDARY_BUTTON}>
          {t.close}
        </button>
      </div>
    </dialog>
  );
}
