import { useFollowBottom } from "../../ui/use-follow-bottom";
import { useApp } from "../../shell/store";
import { activeConversation } from "../../shell/app-state";
import { useStrings } from "../../i18n/strings";
import { MessageView } from "./MessageView";
import { SeedTasks } from "./SeedTasks";

export function MessageList() {
  const t = useStrings();
  const conversation = useApp(activeConversation);
  const last = conversation?.messages.at(-1);
  const followBottom = useFollowBottom(
    conversation?.id,
    `${conversation?.messages.length}:${last?.content.length}`,
  );

  if (!conversation || conversation.messages.length === 0) {
    return (
      <div className="flex flex-1 flex-col items-center justify-center gap-4 overflow-y-auto p-6 text-center text-sm text-zinc-600 dark:text-zinc-400">
        <p>{t.emptyChat}</p>
        <SeedTasks />
      </div>
    );
  }
  return (
    <div className="min-h-0 flex-1 overflow-y-auto" data-testid="message-list">
      <div ref={followBottom} className="flex flex-col gap-4 p-4">
        {conversation.messages.map((m) => (
          <MessageView key={m.id} message={m} t={t} />
        ))}
      </div>
    </div>
  );
}
