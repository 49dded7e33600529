/**
 * Decoding presets. "model" is every other model's default: the sampling values of its own
 * generation config (mlc-chat-config.json), which web-llm applies when a request leaves them
 * out, with a reply length that does not cut a chat model's answers short.
 *
 * For CuteGPT: *
 * "reference" reproduces what the published inference scripts actually do: they pass top_p
 * and top_k to Hugging Face's generate() without do_sample=True, so HF ignores both and
 * decodes greedily, with repetition_penalty 1.1 and at most 256 new tokens.
 * "creative" is the sampling the scripts seem to have intended (top_p 0.8), with a
 * temperature below HF's default 1.0 so long answers stay on topic.
 */

export type DecodingPresetName = "reference" | "creative" | "model";

export interface DecodingSettings {
  /** "custom" once the user changes a value away from its preset. */
  preset: DecodingPresetName | "custom";
  /** 0 means greedy. */
  temperature: number;
  topP: number;
  repetitionPenalty: number;
  maxTokens: number;
}

export const DEFAULT_DECODING_PRESET: DecodingPresetName = "reference";

const PRESETS: Readonly<Record<DecodingPresetName, Readonly<DecodingSettings>>> = {
  // web-llm has no greedy switch: temperature 0 is clamped to 1e-6 before the softmax, which
  // puts all probability on the argmax token, and top_p 1 keeps the nucleus from cutting it.
  reference: {
    preset: "reference",
    temperature: 0,
    topP: 1,
    repetitionPenalty: 1.1,
    maxTokens: 256,
  },
  // The scripts also pass top_k 50; the worker applies it (see DECODING_DIFFERENCES_HELP).
  creative: {
    preset: "creative",
    temperature: 0.7,
    topP: 0.8,
    repetitionPenalty: 1.1,
    maxTokens: 256,
  },
  // Sampling values are not sent with this preset (see modelSamplesItself); the numbers only
  // seed the fields when the user switches to a preset of fixed values.
  model: {
    preset: "model",
    temperature: 0.7,
    topP: 0.8,
    repetitionPenalty: 1.05,
    maxTokens: 1024,
  },
};

/** The presets of fixed values, which matchPreset recognises. */
export const DECODING_PRESET_NAMES: readonly DecodingPresetName[] = ["reference", "creative"];

/** With the "model" preset the request leaves sampling to the model's generation config. */
export function modelSamplesItself(settings: Pick<DecodingSettings, "preset">): boolean {
  return settings.preset === "model";
}

/** The reference scripts' top_k; web-llm has no setting for it, the worker applies it. */
export const REFERENCE_TOP_K = 50;

/** A fresh copy, so a caller editing its settings never changes the preset itself. */
export function presetSettings(name: DecodingPresetName): DecodingSettings {
  return { ...PRESETS[name] };
}

/** The preset whose values these are, or "custom". */
export function matchPreset(
  settings: Omit<DecodingSettings, "preset">,
): DecodingPresetName | "custom" {
  for (const name of DECODING_PRESET_NAMES) {
    const preset = PRESETS[name];
    if (
      preset.temperature === settings.temperature &&
      preset.topP === settings.topP &&
      preset.repetitionPenalty === settings.repetitionPenalty &&
      preset.maxTokens === settings.maxTokens
    ) {
      return name;
    }
  }
  return "custom";
}

export const DECODING_DIFFERENCES_HELP =
  "How this compares with the CuteGPT reference scripts (Hugging Face transformers):\n" +
  "• Top-k 50, the repetition penalty over prompt and reply, and the rule that a reply " +
  "cannot end on its first token are applied as the scripts do, by a logit processor in the " +
  "worker (web-llm itself has none of them and penalises only tokens of the current reply; " +
  "other models use web-llm's own behaviour).\n" +
  "• Greedy decoding: the engine has no greedy switch; temperature 0 is applied as a tiny " +
  "temperature, which chooses the most likely token except on near-exact ties.";
