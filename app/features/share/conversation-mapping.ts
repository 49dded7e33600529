import { presetSettings, type DecodingPresetName } from "../../prompt/decoding";
import type { ChatMessage, Conversation, ConversationSettings } from "../../storage/types";
import { newId } from "../../ui/ids";
import type { SharedConversation } from "./codec";

/**
 * A local conversation as the link carries it. A CuteGPT input field travels joined to its
 * question ("{q}\n{input}"), which is exactly how CuteGPT's prompt replays a past turn, so
 * the continued chat gives the model the same text. Failed or empty replies stay behind.
 */
export function toShared(conversation: Conversation, fallbackModelId: string): SharedConversation {
  const messages = conversation.messages
    .filter((m) => m.role === "user" || (m.status !== "error" && m.content !== ""))
    .map((m) => ({
      role: m.role,
      content: m.input ? `${m.content}\n${m.input}` : m.content,
      ...(m.status === "interrupted" || m.status === "stopped" ? { interrupted: true } : {}),
    }));
  const settings = conversation.settings;
  return {
    v: 1,
    title: Array.from(conversation.title).slice(0, 200).join(""),
    modelId:
      conversation.modelId ??
      conversation.messages.find((m) => m.modelId)?.modelId ??
      fallbackModelId,
    settings: settings
      ? {
          metaPrompt: settings.metaPrompt,
          historyLimit: settings.historyLimit,
          preset: settings.decoding.preset,
          temperature: settings.decoding.temperature,
          topP: settings.decoding.topP,
          repetitionPenalty: settings.decoding.repetitionPenalty,
          maxTokens: settings.decoding.maxTokens,
        }
      : {},
    messages,
  };
}

/** A new local conversation (fresh ids) from a shared one. */
export function fromShared(shared: SharedConversation, now = Date.now()): Conversation {
  const messages: ChatMessage[] = shared.messages.map((m, i) => ({
    id: newId(),
    role: m.role,
    content: m.content,
    createdAt: now + i,
    status: m.interrupted ? "stopped" : "done",
    modelId: shared.modelId,
  }));
  const settings = settingsFrom(shared.settings);
  return {
    id: newId(),
    title: shared.title || "Shared chat",
    createdAt: now,
    updatedAt: now,
    modelId: shared.modelId,
    messages,
    ...(settings && { settings }),
  };
}

/** Settings from a link are untrusted: each value is taken only when it has the right type. */
function settingsFrom(values: SharedConversation["settings"]): ConversationSettings | undefined {
  const num = (key: string) =>
    typeof values[key] === "number" ? (values[key] as number) : undefined;
  const preset =
    values.preset === "creative" || values.preset === "model" ? values.preset : "reference";
  if (Object.keys(values).length === 0) return undefined;
  const base = presetSettings(preset as DecodingPresetName);
  return {
    metaPrompt: typeof values.metaPrompt === "string" ? values.metaPrompt : "",
    historyLimit: clamp(num("historyLimit") ?? 3, 0, 20),
    decoding: {
      preset: values.preset === "custom" ? "custom" : preset,
      temperature: clamp(num("temperature") ?? base.temperature, 0, 2),
      topP: clamp(num("topP") ?? base.topP, 0, 1),
      repetitionPenalty: clamp(num("repetitionPenalty") ?? base.repetitionPenalty, 1, 2),
      maxTokens: Math.round(clamp(num("maxTokens") ?? base.maxTokens, 1, 1536)),
    },
  };
}

function clamp(value: number, min: number, max: number): number {
  return Number.isFinite(value) ? Math.min(max, Math.max(min, value)) : min;
}
