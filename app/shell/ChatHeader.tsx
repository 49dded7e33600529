import { lazy, Suspense, useState } from "react";
import { useStrings } from "../i18n/i18n";
import { showBidiControls } from "../ui/text-safety";
import { useApp } from "../store/use-app";
import { activeConversation } from "../store/app-state";

const ShareDialog = lazy(() => import("../features/share/ShareDialog"));

/**
 * The open conversation's title and its Share action, as the stretchy middle of the app's
 * one-line header. It reads the title and the message count, not the conversation, which
 * changes with every streamed token.
 */
export function ChatHeader() {
  const t = useStrings();
  const title = useApp((s) => activeConversation(s)?.title);
  const hasMessages = useApp((s) => (activeConversation(s)?.messages.length ?? 0) > 0);
  const fallbackModelId = useApp((s) => s.selectedModelId ?? "unknown-model");
  const busy = useApp(
    (s) => s.streaming?.conversationId === s.activeId && s.activeId !== undefined,
  );
  const [sharing, setSharing] = useState(false);
  // An empty spacer keeps the model status at the header's end.
  if (title === undefined || !hasMessages) return <div className="min-w-0 flex-1" />;
  return (
    <div className="flex min-w-0 flex-1 items-center gap-2">
      <h2 className="min-w-0 flex-1 truncate text-sm font-medium">{showBidiControls(title)}</h2>
      <button
        type="button"
        disabled={busy}
        onClick={() => setSharing(true)}
        className="rounded border border-zinc-300 px-2 py-1 text-xs hover:bg-zinc-100 disabled:opacity-50 dark:border-zinc-700 dark:hover:bg-zinc-800"
      >
        {t.share}
      </button>
      {sharing && (
        <Suspense fallback={null}>
          <ShareActiveConversation
            fallbackModelId={fallbackModelId}
            onClose={() => setSharing(false)}
          />
        </Suspense>
      )}
    </div>
  );
}

/** Mounted only while the dialog is open (Share is disabled while a reply streams). */
function ShareActiveConversation(props: { fallbackModelId: string; onClose: () => void }) {
  const conversation = useApp(activeConversation);
  return conversation ? <ShareDialog conversation={conversation} {...props} /> : null;
}
