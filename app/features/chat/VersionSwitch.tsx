import { useTranslate } from "../../i18n/i18n";
import type { Strings } from "../../i18n/strings";
import { versionOf } from "../../storage/branches";
import type { ChatMessage } from "../../storage/types";
import { useApp } from "../../store/use-app";
import { messageActionClass } from "../../ui/MessageCard";

interface Props {
  conversationId: string;
  message: ChatMessage;
  t: Strings;
}

/**
 * ‹ 1 / 2 › on a message that Edit or Regenerate gave other versions (storage/branches.ts):
 * switches the conversation from this message on to the previous or next version. Disabled
 * while a reply is written, whose tokens go to the branch shown.
 */
export function VersionSwitch({ conversationId, message, t }: Props) {
  const tr = useTranslate();
  const busy = useApp((s) => s.streaming !== undefined);
  const show = useApp((s) => s.showMessageVersion);
  const { current, count } = versionOf(message);
  if (count < 2) return null;
  const label = tr("versionOf", { current, total: count });
  const go = (version: number) => show(conversationId, message.id, version);
  return (
    <div
      role="group"
      aria-label={label}
      data-testid="version-switch"
      className="flex items-center text-xs text-zinc-700 dark:text-zinc-300"
    >
      <button
        type="button"
        className={messageActionClass}
        aria-label={t.previousVersion}
        title={t.previousVersion}
        disabled={busy || current <= 1}
        onClick={() => go(current - 1)}
      >
        ‹
      </button>
      <span aria-hidden="true" className="tabular-nums">
        {current} / {count}
      </span>
      <button
        type="button"
        className={messageActionClass}
        aria-label={t.nextVersion}
        title={t.nextVersion}
        disabled={busy || current >= count}
        onClick={() => go(current + 1)}
      >
        ›
      </button>
    </div>
  );
}
