import { describe, expect, it } from "vitest";
import {
  DECODING_DIFFERENCES_HELP,
  DECODING_PRESET_NAMES,
  DEFAULT_DECODING_PRESET,
  REFERENCE_TOP_K,
  matchPreset,
  presetSettings,
} from "../../../app/prompt/decoding";

describe("decoding presets", () => {
  it("defaults to the reference preset: greedy, repetition penalty 1.1, 256 new tokens", () => {
    expect(DEFAULT_DECODING_PRESET).toBe("reference");
    expect(presetSettings("reference")).toEqual({
      preset: "reference",
      temperature: 0,
      topP: 1,
      repetitionPenalty: 1.1,
      maxTokens: 256,
    });
  });

  it("offers creative sampling with top_p 0.8 and temperature 0.7", () => {
    expect(presetSettings("creative")).toEqual({
      preset: "creative",
      temperature: 0.7,
      topP: 0.8,
      repetitionPenalty: 1.1,
      maxTokens: 256,
    });
    expect(REFERENCE_TOP_K).toBe(50);
  });

  it("hands out copies, so editing settings never changes a preset", () => {
    const settings = presetSettings("creative");
    settings.temperature = 1.5;
    expect(presetSettings("creative").temperature).toBe(0.7);
  });

  it("recognises preset values and calls anything else custom", () => {
    for (const name of DECODING_PRESET_NAMES) expect(matchPreset(presetSettings(name))).toBe(name);
    expect(matchPreset({ ...presetSettings("reference"), maxTokens: 512 })).toBe("custom");
  });

  it("explains top-k and the repetition penalty scope in the settings help", () => {
    expect(DECODING_DIFFERENCES_HELP).toContain("Top-k 50");
    expect(DECODING_DIFFERENCES_HELP).toContain("repetition penalty over prompt and reply");
  });
});
