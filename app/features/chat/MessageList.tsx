import { useRef, useState } from "react";
import { useFollowBottom } from "../../ui/use-follow-bottom";
import { useApp } from "../../store/use-app";
import { activeConversation } from "../../store/app-state";
import { useStrings } from "../../i18n/i18n";
import { MessageView } from "./MessageView";
import { SeedTasks } from "./SeedTasks";

export function MessageList() {
  const t = useStrings();
  const conversation = useApp(activeConversation);
  const last = conversation?.messages.at(-1);
  const [awayFromEnd, setAwayFromEnd] = useState(false);
  const scroller = useRef<HTMLDivElement>(null);
  const followBottom = useFollowBottom(
    conversation?.id,
    `${conversation?.messages.length}:${last?.content.length}`,
    (pinned) => setAwayFromEnd(!pinned),
  );

  if (!conversation || conversation.messages.length === 0) {
    return (
      // justify-center-safe: on a short screen the top stays in view instead of being cut off.
      <div className="flex min-h-0 flex-1 flex-col items-center justify-center-safe gap-4 overflow-y-auto p-6 text-center text-sm text-zinc-600 dark:text-zinc-400">
        <p>{t.emptyChat}</p>
        <SeedTasks />
      </div>
    );
  }
  return (
    <div className="relative flex min-h-0 flex-1 flex-col">
      <div ref={scroller} className="min-h-0 flex-1 overflow-y-auto" data-testid="message-list">
        <div ref={followBottom} className="flex flex-col gap-4 p-4">
          {conversation.messages.map((m) => (
            <MessageView key={m.id} message={m} t={t} />
          ))}
        </div>
      </div>
      {awayFromEnd && (
        <button
          type="button"
          onClick={() => {
            const el = scroller.current;
            // Back at the end, the list follows the reply again (useFollowBottom sees it).
            if (el) el.scrollTo({ top: el.scrollHeight });
          }}
          className="absolute bottom-3 left-1/2 -translate-x-1/2 rounded-full border border-zinc-300 bg-white px-3 py-1 text-xs font-medium shadow-md hover:bg-zinc-100 dark:border-zinc-700 dark:bg-zinc-900 dark:hover:bg-zinc-800"
        >
          ↓ {t.jumpToLatest}
        </button>
      )}
    </div>
  );
}
