import { CUTEGPT_META, DEFAULT_HISTORY_LIMIT } from "../../prompt/cutegpt";
import { DEFAULT_DECODING_PRESET, presetSettings } from "../../prompt/decoding";
import type { ConversationSettings } from "../../storage/types";

/** Same value as models/catalog's CUTEGPT_FAMILY; features do not import each other. */
const CUTEGPT_FAMILY = "cutegpt";

/**
 * A new chat's settings, per model family. CuteGPT: its meta prompt and the reference preset.
 * Chat-template models: no system prompt of ours (their template's own applies) and their own
 * generation config ("model" preset).
 */
export function defaultConversationSettings(
  model: { family: string } | undefined = undefined,
): ConversationSettings {
  if (model && model.family !== CUTEGPT_FAMILY) {
    return {
      metaPrompt: "",
      historyLimit: DEFAULT_HISTORY_LIMIT,
      decoding: presetSettings("model"),
    };
  }
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

/** What a chat about to start gets: the panel's changes, else the selected model's defaults. */
export function draftSettingsOf(state: {
  draftSettings: ConversationSettings | undefined;
  catalog: ReadonlyArray<{ id: string; family: string }>;
  selectedModelId: string | undefined;
}): ConversationSettings {
  return (
    state.draftSettings ??
    defaultConversationSettings(state.catalog.find((m) => m.id === state.selectedModelId))
  );
}
