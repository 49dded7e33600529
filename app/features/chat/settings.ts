import { CUTEGPT_META, DEFAULT_HISTORY_LIMIT } from "../../prompt/cutegpt";
import { DEFAULT_DECODING_PRESET, presetSettings } from "../../prompt/decoding";
import type { ConversationSettings } from "../../storage/types";

export function defaultConversationSettings(): ConversationSettings {
  return {
    metaPrompt: CUTEGPT_META,
    historyLimit: DEFAULT_HISTORY_LIMIT,
    decoding: presetSettings(DEFAULT_DECODING_PRESET),
  };
}

/** Older records have no settings; they get today's defaults. */
export function settingsOf(
  conversation: { settings?: ConversationSettings } | undefined,
): ConversationSettings {
  return conversation?.settings ?? defaultConversationSettings();
}
