import { Composer } from "../features/chat/Composer";
import { MessageList } from "../features/chat/MessageList";
import { MessageUndoNotice } from "../features/chat/MessageUndoNotice";
import { Sidebar } from "../features/conversations/Sidebar";
import {
  ConversationLoading,
  useActiveConversationLoading,
} from "../features/conversations/ConversationLoading";
import { Shortcuts } from "../features/conversations/Shortcuts";
import { ReplyAnnouncer } from "../features/chat/ReplyAnnouncer";
import { PreferencesButton } from "../features/preferences/PreferencesDialog";
import { DataMenu } from "../features/export/DataMenu";
import { GpuNotice } from "../features/models/GpuNotice";
import { FoldedLoadNotice, ModelBar } from "../features/models/ModelBar";
import { PwaStatus } from "../features/pwa/PwaStatus";
import { useStrings } from "../i18n/i18n";
import { SaveErrorNotice } from "./SaveErrorNotice";
import { useApp } from "../store/use-app";
import { activeConversation } from "../store/app-state";
import { lazy, memo, Suspense, useCallback, useEffect, useId, useRef, useState } from "react";
import { AppHeader } from "./AppHeader";
import { ModelSettingsDialog } from "./ModelSettingsDialog";
import { SkipLink } from "./SkipLink";
import { focusComposerSoon } from "../ui/focus-composer";
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
  const loadState = useApp((s) => s.loadState);
  const chatStarted = useApp((s) => (activeConversation(s)?.messages.length ?? 0) > 0);
  const [modelSettingsOpen, setModelSettingsOpen] = useState(false);
  const closeModelSettings = useCallback(() => setModelSettingsOpen(false), []);
  const drawer = useDrawer();
  useFocusAfterLoad(loadState, closeModelSettings);
  // Until a model is ready its picker is the page's first step, so it stays in view; then it
  // folds into the header's model status and the chat gets the screen.
  const inlineModelBar = loadState !== "ready" && !modelSettingsOpen;
  return (
    <>
      <SkipLink />
      <Shortcuts />
      <ReplyAnnouncer />
      <Sidebar
        id={drawer.id}
        drawerOpen={drawer.open}
        onCloseDrawer={drawer.close}
        footer={
          <>
            <DataMenu />
            <PreferencesButton />
          </>
        }
      />
      <main className="flex min-h-0 min-w-0 flex-1 flex-col" inert={drawer.open}>
        <h1 className="sr-only">{t.appName}</h1>
        <AppHeader
          drawerId={drawer.id}
          drawerOpen={drawer.open}
          onOpenDrawer={drawer.show}
          onOpenModelSettings={() => setModelSettingsOpen(true)}
          showChat={!shareFragment && !activeLoading}
        />
        <PwaStatus showHint={!chatStarted} />
        <GpuNotice />
        {inlineModelBar ? <ModelBar /> : !modelSettingsOpen && <FoldedLoadNotice />}
        {modelSettingsOpen && <ModelSettingsDialog onClose={closeModelSettings} />}
        <SaveErrorNotice />
        {shareFragment ? (
          <Suspense fallback={null}>
            <SharedView fragment={shareFragment} onClose={clearShare} />
          </Suspense>
        ) : activeLoading ? (
          <ConversationLoading />
        ) : (
          <>
            <MessageList />
            <MessageUndoNotice />
            <Composer />
          </>
        )}
      </main>
    </>
  );
});

/**
 * The conversations drawer of narrow screens. While it is open the chat behind it is inert,
 * so focus stays in the drawer; closing it hands focus back to the button that opened it.
 */
function useDrawer() {
  const id = useId();
  const [open, setOpen] = useState(false);
  const opener = useRef<Element | null>(null);
  const show = useCallback(() => {
    opener.current = document.activeElement;
    setOpen(true);
  }, []);
  const close = useCallback(() => {
    setOpen(false);
    const back = opener.current;
    opener.current = null;
    if (back instanceof HTMLElement) requestAnimationFrame(() => back.focus());
  }, []);
  // Grown past the phone layout, the list is a column again: no drawer to keep open.
  useEffect(() => {
    if (!open) return;
    const wide = matchMedia("(min-width: 48rem)");
    const onChange = () => wide.matches && setOpen(false);
    wide.addEventListener("change", onChange);
    return () => wide.removeEventListener("change", onChange);
  }, [open]);
  return { id, open, show, close };
}

/** Once a model is ready the next thing to do is to write: close the sheet, focus the box. */
function useFocusAfterLoad(loadState: string, closeModelSettings: () => void): void {
  const previous = useRef(loadState);
  useEffect(() => {
    if (previous.current === "loading" && loadState === "ready") {
      closeModelSettings();
      focusComposerSoon();
    }
    previous.current = loadState;
  }, [loadState, closeModelSettings]);
}
