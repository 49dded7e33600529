import { describe, expect, it } from "vitest";
import { loadSettings } from "../../../app/features/preferences/slice";

const stored = (value: unknown) => ({ getItem: () => JSON.stringify(value) });
const defaults = {
  theme: "system",
  language: "en",
  sendKey: "enter",
  downloadSource: { models: "auto", customBase: "", libraries: "auto" },
};

describe("settings read from localStorage", () => {
  it("reads every field saved by this version", () => {
    const saved = {
      version: 1,
      theme: "dark",
      language: "zh",
      sendKey: "mod-enter",
      downloadSource: { models: "custom", customBase: "https://m.example", libraries: "jsdelivr" },
    };
    const { version: _version, ...rest } = saved;
    expect(loadSettings(stored(saved), "en-US")).toEqual(rest);
  });

  it("falls back field by field, so one bad value never costs the others", () => {
    expect(
      loadSettings(
        stored({
          version: 1,
          theme: "neon",
          language: "fr",
          sendKey: 3,
          downloadSource: { models: "ftp", customBase: 7, libraries: "jsdelivr" },
        }),
        "en-US",
      ),
    ).toEqual({
      ...defaults,
      downloadSource: { ...defaults.downloadSource, libraries: "jsdelivr" },
    });
    // Settings from before downloadSource existed.
    expect(loadSettings(stored({ version: 1, theme: "light" }), "zh-CN")).toEqual({
      ...defaults,
      theme: "light",
      language: "zh",
    });
  });

  it("ignores other versions, other JSON and text that is not JSON", () => {
    for (const value of [{ version: 2, theme: "dark" }, null, [1], "dark"]) {
      expect(loadSettings(stored(value), "en")).toEqual(defaults);
    }
    expect(loadSettings({ getItem: () => "{not json" }, "en")).toEqual(defaults);
    expect(loadSettings(undefined, "en")).toEqual(defaults);
  });
});
