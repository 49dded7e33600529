import { Composer } from "../features/chat/Composer";
import { ConversationSettingsPanel } from "../features/chat/ConversationSettingsPanel";
import { MessageList } from "../features/chat/MessageList";
import { Sidebar } from "../features/conversations/Sidebar";
import {
  ConversationLoading,
  useActiveConversationLoading,
} from "../features/conversations/ConversationLoading";
import { Shortcuts } from "../features/conversations/Shortcuts";
import { ReplyAnnouncer } from "../features/chat/ReplyAnnouncer";
import { SettingsButton } from "../features/settings/SettingsDialog";
import { DataMenu } from "../features/export/DataMenu";
import { GpuNotice } from "../features/models/GpuNotice";
import { ModelBar } from "../features/models/ModelBar";
import { StoragePanel } from "../features/storage/StoragePanel";
import { PwaStatus } from "../features/pwa/PwaStatus";
import { useStrings } from "../i18n/strings";
import { SaveErrorNotice } from "./SaveErrorNotice";
import { ChatHeader } from "./ChatHeader";
import { useApp } from "./store";
import { lazy, memo, Suspense } from "react";
import { useShareFragment } from "../features/share/use-share-fragment";

// Opening a shared link is rare; its decoder (zod, inflate) loads only then.
const SharedView = lazy(() => import("../features/share/SharedView"));

export function App() {
  // Exposed on the root so tests (and anyone inspecting) can wait until chats are on disk.
  const saving = useApp((s) => s.writesInFlight > 0);
  // Likewise when every chat has been read in full (search then covers all of them).
  const allLoaded = useApp((s) => s.allLoaded);
  return (
    <div
      data-saving={saving ? "true" : "false"}
      data-chats-loaded={allLoaded ? "true" : "false"}
      className="flex h-dvh flex-col bg-white text-zinc-900 md:flex-row dark:bg-zinc-950 dark:text-zinc-100"
    >
      <AppLayout />
    </div>
  );
}

/**
 * Everything inside the root, memoized apart from it: the root's attributes flip with every
 * save (twice a second while a reply streams), and that must not re-render the whole app.
 */
const AppLayout = memo(function AppLayout() {
  const t = useStrings();
  const { fragment: shareFragment, clear: clearShare } = useShareFragment();
  const activeLoading = useActiveConversationLoading();
  return (
    <>
      <Shortcuts />
      <ReplyAnnouncer />
      <Sidebar
        footer={
          <>
            <DataMenu />
            <SettingsButton />
          </>
        }
      />
      <main className="flex min-h-0 min-w-0 flex-1 flex-col">
        <h1 className="sr-only">{t.appName}</h1>
        <PwaStatus />
        <GpuNotice />
        <ModelBar />
        <StoragePanel />
        <SaveErrorNotice />
        {shareFragment ? (
          <Suspense fallback={null}>
            <SharedView fragment={shareFragment} onClose={clearShare} />
          </Suspense>
        ) : activeLoading ? (
          <ConversationLoading />
        ) : (
          <>
            <ChatHeader />
            <MessageList />
            <ConversationSettingsPanel />
            <Composer />
          </>
        )}
      </main>
    </>
  );
});
