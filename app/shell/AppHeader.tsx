import { useStrings } from "../i18n/i18n";
import { ModelStatusButton } from "../features/models/ModelStatusButton";
import { ChatHeader } from "./ChatHeader";
import { activeConversation } from "../store/app-state";
import { useApp } from "../store/use-app";

interface Props {
  drawerId: string;
  drawerOpen: boolean;
  onOpenDrawer(): void;
  onOpenModelSettings(): void;
  /** Hides the chat title and Share (a shared link or a chat still loading is shown instead). */
  showChat: boolean;
}

/** The app's one header line: conversations (on phones), the chat's title and Share, the model. */
export function AppHeader({
  drawerId,
  drawerOpen,
  onOpenDrawer,
  onOpenModelSettings,
  showChat,
}: Props) {
  const t = useStrings();
  // A number, not the conversation: that changes with every streamed token.
  const speed = useApp(
    (s) =>
      activeConversation(s)?.messages.findLast((m) => m.usage !== undefined)?.usage
        ?.decodeTokensPerSecond,
  );
  return (
    <header className="flex min-h-11 items-center gap-2 border-b border-zinc-200 px-2 py-1.5 dark:border-zinc-800">
      <button
        type="button"
        aria-label={t.showConversations}
        aria-expanded={drawerOpen}
        aria-controls={drawerId}
        onClick={onOpenDrawer}
        className="rounded px-2 py-1 text-lg leading-none hover:bg-zinc-100 md:hidden dark:hover:bg-zinc-800"
      >
        <span aria-hidden="true">☰</span>
      </button>
      {showChat ? <ChatHeader /> : <div className="min-w-0 flex-1" />}
      <ModelStatusButton speed={speed} onOpen={onOpenModelSettings} />
    </header>
  );
}
