import { useContext, useRef, useState } from "react";
import { translate, useStrings } from "../../i18n/i18n";
import { AppStoreContext, useApp } from "../../store/use-app";
import type { Conversation } from "../../storage/types";
import { download, fileSlug, today } from "./download";
import { conversationsToMarkdown } from "./markdown-export";

const buttonClass =
  "rounded px-2 py-1 text-left text-sm hover:bg-zinc-200 disabled:opacity-50 dark:hover:bg-zinc-800";

type Result = { kind: "ok" | "error"; text: string } | undefined;

/** Export one chat or all (JSON or Markdown) and import JSON exports. */
export function DataMenu() {
  const t = useStrings();
  const store = useContext(AppStoreContext);
  const activeId = useApp((s) => s.activeId);
  const hasAny = useApp((s) => Object.keys(s.summaries).length > 0);
  const mergeImported = useApp((s) => s.mergeImported);
  const loadAll = useApp((s) => s.loadAllConversations);
  const fileInput = useRef<HTMLInputElement>(null);
  const [result, setResult] = useState<Result>();

  // Chats are read in the background after the list appears: wait for every one of them.
  const all = async (): Promise<Conversation[]> => {
    await loadAll();
    return Object.values(store?.getState().conversations ?? {}).sort(
      (a, b) => a.createdAt - b.createdAt,
    );
  };
  const active = (): Conversation[] => {
    const c = activeId ? store?.getState().conversations[activeId] : undefined;
    return c ? [c] : [];
  };
  const labels = { user: t.you, assistant: t.assistant };

  const exportJson = async (list: Conversation[], name: string) => {
    const { toExportFile } = await import("./format");
    download(`${name}.json`, JSON.stringify(toExportFile(list), null, 2), "application/json");
  };
  const exportMarkdown = (list: Conversation[], name: string) =>
    download(`${name}.md`, conversationsToMarkdown(list, labels), "text/markdown");

  const importFile = async (file: File) => {
    const { parseExport, MAX_IMPORT_BYTES } = await import("./format");
    if (file.size > MAX_IMPORT_BYTES) {
      setResult({ kind: "error", text: translate("importTooLarge", { size: "100 MB" }) });
      return;
    }
    const parsed = parseExport(await file.text());
    if (!parsed.ok) {
      const text =
        parsed.reason === "not-json"
          ? translate("importNotJson")
          : parsed.reason === "too-large"
            ? translate("importTooLarge", { size: "100 MB" })
            : parsed.reason === "newer-version"
              ? translate("importNewer", { version: parsed.version })
              : translate("importWrongShape", { detail: parsed.detail });
      setResult({ kind: "error", text });
      return;
    }
    const report = await mergeImported(parsed.conversations);
    setResult({ kind: "ok", text: translate("importDone", { ...report }) });
  };

  const current = activeId ? store?.getState().conversations[activeId] : undefined;
  const slug = current ? fileSlug(current.title) : "chat";

  return (
    <details className="rounded border border-zinc-300 text-sm dark:border-zinc-700">
      <summary className="cursor-pointer rounded px-3 py-2">{t.data}</summary>
      <div className="flex flex-col gap-1 p-2">
        <button
          type="button"
          className={buttonClass}
          disabled={!current}
          onClick={() => void exportJson(active(), `cutegpt-${slug}`)}
        >
          {t.exportChatJson}
        </button>
        <button
          type="button"
          className={buttonClass}
          disabled={!current}
          onClick={() => exportMarkdown(active(), `cutegpt-${slug}`)}
        >
          {t.exportChatMarkdown}
        </button>
        <button
          type="button"
          className={buttonClass}
          disabled={!hasAny}
          onClick={() => void all().then((list) => exportJson(list, `cutegpt-chats-${today()}`))}
        >
          {t.exportAllJson}
        </button>
        <button
          type="button"
          className={buttonClass}
          disabled={!hasAny}
          onClick={() =>
            void all().then((list) => exportMarkdown(list, `cutegpt-chats-${today()}`))
          }
        >
          {t.exportAllMarkdown}
        </button>
        <button type="button" className={buttonClass} onClick={() => fileInput.current?.click()}>
          {t.importJson}
        </button>
        <input
          ref={fileInput}
          type="file"
          accept=".json,application/json"
          className="sr-only"
          tabIndex={-1}
          aria-label={t.importJson}
          data-testid="import-file"
          onChange={(e) => {
            const file = e.target.files?.[0];
            e.target.value = "";
            if (file) void importFile(file);
          }}
        />
        <div
          role={result?.kind === "error" ? "alert" : "status"}
          data-testid="import-result"
          className={`text-xs empty:hidden ${result?.kind === "error" ? "text-red-700 dark:text-red-400" : "text-zinc-700 dark:text-zinc-300"}`}
        >
          {result?.text}
        </div>
      </div>
    </details>
  );
}
