import { Composer } from "../features/chat/Composer";
import { MessageList } from "../features/chat/MessageList";
import { Sidebar } from "../features/conversations/Sidebar";
import { GpuNotice } from "../features/models/GpuNotice";
import { ModelBar } from "../features/models/ModelBar";
import { useStrings } from "../i18n/strings";
import { SaveErrorNotice } from "./SaveErrorNotice";

export function App() {
  const t = useStrings();
  return (
    <div className="flex h-dvh flex-col bg-white text-zinc-900 md:flex-row dark:bg-zinc-950 dark:text-zinc-100">
      <Sidebar />
      <main className="flex min-h-0 min-w-0 flex-1 flex-col">
        <h1 className="sr-only">{t.appName}</h1>
        <GpuNotice />
        <ModelBar />
        <SaveErrorNotice />
        <MessageList />
        <Composer />
      </main>
    </div>
  );
}
