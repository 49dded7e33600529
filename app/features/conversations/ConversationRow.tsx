import { memo, useEffect, useId, useRef, useState } from "react";
import { useStrings, useTranslate } from "../../i18n/i18n";
import { useApp } from "../../store/use-app";
import type { ConversationSummary } from "../../storage/types";
import { showBidiControls } from "../../ui/text-safety";

export const rowItemClass =
  "w-full truncate rounded px-2 py-1 text-left text-sm hover:bg-zinc-200 aria-[current=page]:bg-violet-100 dark:hover:bg-zinc-800 dark:aria-[current=page]:bg-violet-900";
const smallButton =
  "rounded border border-zinc-300 px-2 py-0.5 text-xs hover:bg-zinc-100 disabled:opacity-50 dark:border-zinc-700 dark:hover:bg-zinc-800";

interface Props {
  summary: ConversationSummary;
  active: boolean;
  onSelect(id: string): void;
}

type Mode = "closed" | "menu" | "renaming";

/**
 * One chat in the list, with its own menu (⋯): rename, pin, delete. The actions sit on the
 * chat they act on, for any chat in the list, not only the open one. A chat not read yet is
 * read first by the slice's actions.
 */
export const ConversationRow = memo(function ConversationRow({ summary, active, onSelect }: Props) {
  const t = useStrings();
  const tr = useTranslate();
  const [mode, setMode] = useState<Mode>("closed");
  const row = useRef<HTMLLIElement>(null);
  const trigger = useRef<HTMLButtonElement>(null);
  const menuId = useId();
  const label = tr("moreActions", { title: showBidiControls(summary.title) });

  // A click or tap anywhere else closes the menu, as menus do.
  useEffect(() => {
    if (mode !== "menu") return;
    const onPointerDown = (event: PointerEvent) => {
      if (!row.current?.contains(event.target as Node)) setMode("closed");
    };
    document.addEventListener("pointerdown", onPointerDown);
    return () => document.removeEventListener("pointerdown", onPointerDown);
  }, [mode]);

  const closeAndRefocus = () => {
    setMode("closed");
    requestAnimationFrame(() => trigger.current?.focus());
  };

  return (
    <li
      ref={row}
      className="flex flex-col gap-1"
      onKeyDown={(e) => {
        if (e.key === "Escape" && mode !== "closed") {
          // Esc closes this menu, not the drawer around it or a streaming reply.
          e.stopPropagation();
          closeAndRefocus();
        }
      }}
    >
      <div className="group flex items-center gap-0.5">
        <button
          type="button"
          data-testid="conversation-entry"
          aria-current={active ? "page" : undefined}
          onClick={() => onSelect(summary.id)}
          className={`${rowItemClass} min-w-0 flex-1`}
        >
          {summary.pinned && (
            <span className="mr-1" role="img" aria-label={t.pinned} data-testid="pinned-mark">
              📌
            </span>
          )}
          {showBidiControls(summary.title)}
        </button>
        <button
          ref={trigger}
          type="button"
          aria-label={label}
          aria-expanded={mode === "menu"}
          aria-controls={mode === "menu" ? menuId : undefined}
          onClick={() => setMode(mode === "menu" ? "closed" : "menu")}
          className={`shrink-0 rounded px-2 py-1 text-sm leading-none text-zinc-600 hover:bg-zinc-200 dark:text-zinc-300 dark:hover:bg-zinc-800 ${
            active || mode !== "closed"
              ? ""
              : "md:opacity-0 md:group-hover:opacity-100 md:focus-visible:opacity-100"
          }`}
        >
          <span aria-hidden="true">⋯</span>
        </button>
      </div>
      {mode === "menu" && (
        <RowMenu
          id={menuId}
          label={label}
          summary={summary}
          onRename={() => setMode("renaming")}
          onDone={closeAndRefocus}
        />
      )}
      {mode === "renaming" && <RenameForm summary={summary} onDone={closeAndRefocus} />}
    </li>
  );
});

function RowMenu({
  id,
  label,
  summary,
  onRename,
  onDone,
}: {
  id: string;
  label: string;
  summary: ConversationSummary;
  onRename(): void;
  onDone(): void;
}) {
  const t = useStrings();
  const busy = useApp((s) => s.streaming?.conversationId === summary.id);
  const togglePin = useApp((s) => s.togglePin);
  const remove = useApp((s) => s.deleteConversation);
  const first = useRef<HTMLButtonElement>(null);
  useEffect(() => first.current?.focus(), []);
  return (
    <div id={id} role="group" aria-label={label} className="ml-2 flex flex-wrap gap-1 pb-1">
      <button ref={first} type="button" className={smallButton} onClick={onRename}>
        {t.rename}
      </button>
      <button
        type="button"
        className={smallButton}
        aria-pressed={summary.pinned}
        onClick={() => {
          togglePin(summary.id);
          onDone();
        }}
      >
        {summary.pinned ? t.unpin : t.pin}
      </button>
      <button
        type="button"
        className={smallButton}
        disabled={busy}
        onClick={() => remove(summary.id)}
      >
        {t.deleteConversation}
      </button>
    </div>
  );
}

function RenameForm({ summary, onDone }: { summary: ConversationSummary; onDone(): void }) {
  const t = useStrings();
  const rename = useApp((s) => s.renameConversation);
  const [value, setValue] = useState(summary.title);
  return (
    <form
      className="ml-2 flex flex-col gap-1 pb-1"
      onSubmit={(e) => {
        e.preventDefault();
        rename(summary.id, value);
        onDone();
      }}
    >
      <label className="text-xs font-medium">
        {t.renameLabel}
        <input
          // The form only appears after the Rename click, so focusing it is expected.
          autoFocus
          value={value}
          onChange={(e) => setValue(e.target.value)}
          className="mt-1 w-full rounded border border-zinc-300 bg-white px-2 py-1 text-sm font-normal dark:border-zinc-700 dark:bg-zinc-950"
        />
      </label>
      <div className="flex gap-1">
        <button type="submit" className={smallButton} disabled={!value.trim()}>
          {t.save}
        </button>
        <button type="button" className={smallButton} onClick={onDone}>
          {t.cancel}
        </button>
      </div>
    </form>
  );
}
