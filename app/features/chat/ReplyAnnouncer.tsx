import { useContext, useEffect, useRef, useState } from "react";
import { useStrings } from "../../i18n/i18n";
import { AppStoreContext, useApp } from "../../store/use-app";

const MAX_ANNOUNCED = 600;

/**
 * A polite live region for screen readers. Streaming text is not announced token by token
 * (that would be unbearable); the region says once that a reply started and, when it ends,
 * reads the reply (its beginning, for long ones).
 */
export function ReplyAnnouncer() {
  const t = useStrings();
  const store = useContext(AppStoreContext);
  const streaming = useApp((s) => s.streaming);
  const previous = useRef(streaming);
  const [text, setText] = useState("");

  useEffect(() => {
    const before = previous.current;
    previous.current = streaming;
    if (streaming && !before) {
      setText(t.replyStarted);
    } else if (!streaming && before && store) {
      const message = store
        .getState()
        .conversations[before.conversationId]?.messages.find((m) => m.id === before.messageId);
      if (!message) return;
      const body = Array.from(message.content).slice(0, MAX_ANNOUNCED).join("");
      const done = message.status === "done";
      setText(`${done ? t.replyDone : t.replyEnded} ${body}`);
    }
  }, [streaming, store, t]);

  return (
    <div role="status" aria-live="polite" className="sr-only" data-testid="reply-announcer">
      {text}
    </div>
  );
}
