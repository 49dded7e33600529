import { ConversationSettingsPanel } from "../features/chat/ConversationSettingsPanel";
import { ModelBar } from "../features/models/ModelBar";
import { ModelFilesPanel } from "../features/model-files/ModelFilesPanel";
import { useStrings } from "../i18n/i18n";
import { Dialog } from "../ui/Dialog";

/**
 * Everything that is not the chat, in one sheet: which model (and its load), this chat's
 * generation settings, and the model files kept in the browser. The page keeps the screen
 * for the conversation; the header's model status opens this.
 */
export function ModelSettingsDialog({ onClose }: { onClose(): void }) {
  const t = useStrings();
  return (
    <Dialog title={t.modelAndSettings} onClose={onClose} closeLabel={t.close}>
      <ModelBar />
      <ConversationSettingsPanel />
      <ModelFilesPanel />
    </Dialog>
  );
}
