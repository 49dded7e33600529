import { describe, expect, it } from "vitest";
import { loadSettings } from "../../../app/features/preferences/slice";

const stored = (value: unknown) => ({ getItem: () => JSON.stringify(value) });

describe("the download-source setting as stored", () => {
  it("is 'automatic' for settings saved before it existed", () => {
    const settings = loadSettings(
      stored({ version: 1, theme: "dark", language: "zh", sendKey: "enter" }),
      "zh-CN",
    );
    expect(settings.theme).toBe("dark");
    expect(settings.downloadSource).toEqual({ models: "auto", customBase: "", libraries: "auto" });
  });

  it("keeps a saved choice and drops values it does not know", () => {
    const settings = loadSettings(
      stored({
        version: 1,
        theme: "light",
        language: "en",
        sendKey: "enter",
        downloadSource: { models: "custom", customBase: "https://m.example/hf", libraries: "ftp" },
      }),
      "en",
    );
    expect(settings.downloadSource).toEqual({
      models: "custom",
      customBase: "https://m.example/hf",
      libraries: "auto",
    });
  });
});
