import { describe, expect, it } from "vitest";
import { buildEngineRequest } from "../../../app/features/chat/engine-request";
import { defaultConversationSettings, draftSettingsOf } from "../../../app/features/chat/settings";
import { CUTEGPT_META } from "../../../app/prompt/cutegpt";
import type { ChatMessage } from "../../../app/storage/types";

const question: ChatMessage = {
  id: "q",
  role: "user",
  content: "hi",
  createdAt: 1,
  status: "done",
};
const count = (t: string) => t.length;
const countChat = async (turns: { content: string }[]) => ({
  fixed: 4,
  messages: turns.map((t) => t.content.length + 4),
});

describe("each model family starts with its own settings", () => {
  it("CuteGPT: its meta prompt and the reference preset; others: their own", () => {
    expect(defaultConversationSettings({ family: "cutegpt" })).toMatchObject({
      metaPrompt: CUTEGPT_META,
      decoding: { preset: "reference", maxTokens: 256 },
    });
    expect(defaultConversationSettings({ family: "webllm-prebuilt" })).toMatchObject({
      metaPrompt: "",
      decoding: { preset: "model", maxTokens: 1024 },
    });
  });

  it("a chat about to start follows the selected model until the panel changes it", () => {
    const catalog = [
      { id: "cute", family: "cutegpt" },
      { id: "qwen", family: "webllm-prebuilt" },
    ];
    const draft = { draftSettings: undefined, catalog };
    expect(draftSettingsOf({ ...draft, selectedModelId: "qwen" }).decoding.preset).toBe("model");
    expect(draftSettingsOf({ ...draft, selectedModelId: "cute" }).decoding.preset).toBe(
      "reference",
    );
    const edited = { ...defaultConversationSettings(), metaPrompt: "mine" };
    expect(draftSettingsOf({ ...draft, draftSettings: edited, selectedModelId: "qwen" })).toBe(
      edited,
    );
  });

  it("the model's own preset sends no sampling values, so web-llm uses its generation config", async () => {
    const settings = defaultConversationSettings({ family: "webllm-prebuilt" });
    const request = await buildEngineRequest(
      [question],
      settings,
      { cutegpt: false },
      count,
      "",
      countChat,
    );
    expect(request.options).toEqual({ maxTokens: 1024 });
  });

  it("sends no system message for an empty prompt or CuteGPT's meta prompt, so the template's own applies", async () => {
    for (const metaPrompt of ["", CUTEGPT_META]) {
      const settings = { ...defaultConversationSettings(), metaPrompt };
      const request = await buildEngineRequest(
        [question],
        settings,
        { cutegpt: false },
        count,
        "",
        countChat,
      );
      expect(request.input).toEqual({
        kind: "messages",
        messages: [{ role: "user", content: "hi" }],
      });
    }
  });

  it("a max tokens beyond the window does not refuse every message", async () => {
    const settings = defaultConversationSettings({ family: "webllm-prebuilt" });
    settings.decoding.maxTokens = 200_000;
    const request = await buildEngineRequest(
      [question],
      settings,
      { cutegpt: false, contextWindow: 4096 },
      count,
      "",
      countChat,
    );
    expect(request.droppedTurns).toBe(0);
  });
});
