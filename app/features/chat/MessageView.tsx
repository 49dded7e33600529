import { memo, useState } from "react";
import { type Strings } from "../../i18n/strings";
import type { ChatMessage } from "../../storage/types";
import { useApp } from "../../store/use-app";
import { MessageCard } from "../../ui/MessageCard";
import { MessageActions } from "./MessageActions";
import { EditMessageForm } from "./EditMessageForm";
import { VersionSwitch } from "./VersionSwitch";

interface Props {
  message: ChatMessage;
  t: Strings;
}

/** One message of the open chat, with what can be done to it there (edit, regenerate, …). */
export const MessageView = memo(function MessageView({ message, t }: Props) {
  const conversationId = useApp((s) => s.activeId);
  const [editing, setEditing] = useState(false);
  const streaming = message.status === "streaming";
  return (
    <MessageCard
      message={message}
      t={t}
      replacement={
        editing && conversationId ? (
          <EditMessageForm
            conversationId={conversationId}
            message={message}
            onDone={() => setEditing(false)}
          />
        ) : undefined
      }
      actions={
        conversationId &&
        !editing &&
        !streaming && (
          <div className="flex flex-wrap items-center gap-1">
            <VersionSwitch conversationId={conversationId} message={message} t={t} />
            <MessageActions
              conversationId={conversationId}
              message={message}
              onEdit={() => setEditing(true)}
            />
          </div>
        )
      }
    />
  );
});
