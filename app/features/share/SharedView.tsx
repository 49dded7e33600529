import { useEffect, useMemo, useState } from "react";
import { PRIMARY_BUTTON, SECONDARY_BUTTON } from "../../ui/button-styles";
import { type Strings } from "../../i18n/strings";
import { useStrings } from "../../i18n/i18n";
import { ErrorNotice } from "../../ui/ErrorNotice";
import { showBidiControls } from "../../ui/text-safety";
import { useApp } from "../../store/use-app";
import { MessageCard, messageActionClass } from "../../ui/MessageCard";
import { CopyButton } from "../../ui/CopyButton";
import { decodeShareFragment, linkIdentity, type DecodeResult, type ShareErrorCode } from "./codec";
import { fromShared } from "./conversation-mapping";
import { openedLinksStore } from "./opened-links";
import { nextTask } from "../../ui/markdown/slices";

const opened = openedLinksStore();

/**
 * A shared conversation, read-only. Everything in it is untrusted: it was validated by the
 * codec and is shown only through the same safe message rendering as model output. Nothing
 * touches local history until the user chooses "Continue this chat".
 */
export default function SharedView({ fragment, onClose }: { fragment: string; onClose(): void }) {
  const t = useStrings();
  const decoded = useDecodedInOwnTask(fragment);
  if (!decoded) {
    return (
      <section className="flex flex-1 items-center justify-center p-6 text-sm" aria-busy="true">
        <p role="status">{t.sharedOpening}</p>
      </section>
    );
  }
  return <DecodedSharedView decoded={decoded} fragment={fragment} onClose={onClose} />;
}

/**
 * The link decoded in a task of its own, after the view is on screen: decoding a link near the
 * 1 MB limit (inflating it twice for the trailing-data check, then its text) takes tens of
 * milliseconds, and in the same task as mounting its first replies it made the longest task
 * of opening a link.
 */
function useDecodedInOwnTask(fragment: string): DecodeResult | undefined {
  const [state, setState] = useState<{ fragment: string; decoded: DecodeResult }>();
  useEffect(() => {
    let live = true;
    nextTask(() => {
      if (live) setState({ fragment, decoded: decodeShareFragment(fragment) });
    });
    return () => {
      live = false;
    };
  }, [fragment]);
  return state?.fragment === fragment ? state.decoded : undefined;
}

function DecodedSharedView({
  decoded,
  fragment,
  onClose,
}: {
  decoded: DecodeResult;
  fragment: string;
  onClose(): void;
}) {
  const t = useStrings();
  // Made once per link: ids made on every render would remount every message (and lose its
  // rendered markdown) whenever anything on the page changes.
  const preview = useMemo(
    () => (decoded.ok ? fromShared(decoded.conversation, 0) : undefined),
    [decoded],
  );
  const catalog = useApp((s) => s.catalog);
  // Every chat on this device, read in full or not yet.
  const known = useApp((s) => s.summaries);
  const addConversation = useApp((s) => s.addConversation);
  const select = useApp((s) => s.selectConversation);
  const [existingId, setExistingId] = useState<string>();

  useEffect(() => {
    let live = true;
    void linkIdentity(fragment)
      .then((id) => opened.find(id))
      .then((id) => live && setExistingId(id));
    return () => {
      live = false;
    };
  }, [fragment]);

  if (!decoded.ok) {
    return (
      <section className="flex flex-1 flex-col items-center justify-center gap-3 p-6 text-center">
        <h2 className="text-base font-semibold">{t.sharedBrokenTitle}</h2>
        <ErrorNotice
          testId="share-open-error"
          code={decoded.error.code}
          sentence={shareErrorSentence(t, decoded.error.code)}
          details={decoded.error.message}
          detailsLabel={t.errorDetails}
          className="max-w-lg text-sm"
        />
        <button
          type="button"
          onClick={onClose}
          className="rounded border border-zinc-300 px-3 py-1 text-sm dark:border-zinc-700"
        >
          {t.sharedBack}
        </button>
      </section>
    );
  }

  const shared = decoded.conversation;
  const messages = preview?.messages ?? [];
  const model = catalog.find((m) => m.id === shared.modelId);
  const alreadyHere = existingId !== undefined && known[existingId] !== undefined;

  const continueChat = async () => {
    const identity = await linkIdentity(fragment);
    const copyId = await opened.find(identity);
    if (copyId && known[copyId]) {
      select(copyId);
    } else {
      const conversation = fromShared(shared);
      addConversation(conversation);
      await opened.remember(identity, conversation.id);
    }
    onClose();
  };

  return (
    <section
      aria-labelledby="shared-title"
      className="flex min-h-0 flex-1 flex-col"
      data-testid="shared-view"
    >
      <header className="flex flex-wrap items-center gap-2 border-b border-zinc-200 p-3 dark:border-zinc-800">
        <div className="min-w-0 flex-1">
          <h2 id="shared-title" className="truncate text-base font-semibold">
            {showBidiControls(shared.title) || t.sharedUntitled}
          </h2>
          <p className="text-xs text-zinc-600 dark:text-zinc-400" data-testid="shared-model">
            {t.sharedReadOnly} · {t.model}: {model?.name ?? shared.modelId}
          </p>
        </div>
        <button type="button" onClick={() => void continueChat()} className={PRIMARY_BUTTON}>
          {alreadyHere ? t.sharedOpenCopy : t.sharedContinue}
        </button>
        <button type="button" onClick={onClose} className={SECONDARY_BUTTON}>
          {t.close}
        </button>
      </header>
      <div className="flex flex-1 flex-col gap-4 overflow-y-auto p-4">
        {messages.map((m) => (
          <MessageCard
            key={m.id}
            message={m}
            t={t}
            // Only Copy: the chat's actions would act on whichever local chat is open.
            actions={
              <div role="group" aria-label={t.messageActions} className="flex flex-wrap gap-1">
                <CopyButton text={m.content} label={t.copy} className={messageActionClass} />
              </div>
            }
          />
        ))}
      </div>
    </section>
  );
}

/** The broken link's reason in the UI's language; the codec's English text is the detail. */
function shareErrorSentence(t: Strings, code: ShareErrorCode): string {
  if (code === "bad-version") return t.shareErrBadVersion;
  if (code === "too-large" || code === "link-too-long") return t.shareErrTooLarge;
  return t.shareErrDamaged;
}
