import { describe, expect, it } from "vitest";
import { buildEngineRequest } from "../../../app/features/chat/engine-request";
import { defaultConversationSettings } from "../../../app/features/chat/settings";
import type { ChatMessage } from "../../../app/storage/types";

const m = (id: string, content: string, status: ChatMessage["status"] = "done"): ChatMessage => ({
  id,
  role: id.startsWith("u") ? "user" : "assistant",
  content,
  createdAt: 0,
  status,
});

const history = [
  m("u1", "q-done"),
  m("a1", "r-done"),
  m("u2", "q-stopped"),
  m("a2", "r-stopped", "stopped"),
  m("u3", "q-interrupted"),
  m("a3", "r-interrupted", "interrupted"),
  m("u4", "q-error"),
  m("a4", "r-error", "error"),
  m("u5", "now"),
];
const settings = { ...defaultConversationSettings(), historyLimit: 10 };
const count = (text: string) => text.length;

describe("which past replies the model sees again", () => {
  it("CuteGPT: done and stopped replies stay in; interrupted and failed ones leave with their question", async () => {
    const reference = { ...settings, promptLayout: "reference" as const };
    const request = await buildEngineRequest(history, reference, { cutegpt: true }, count);
    const prompt = request.input.kind === "prompt" ? request.input.prompt : "";
    expect(prompt).toContain("问：q-done\n答：\nr-done\n");
    expect(prompt).toContain("问：q-stopped\n答：\nr-stopped\n");
    expect(prompt).not.toContain("interrupted");
    expect(prompt).not.toContain("error");
  });

  it("CuteGPT's training layout keeps the same replies", async () => {
    const training = { ...settings, promptLayout: "training" as const };
    const request = await buildEngineRequest(history, training, { cutegpt: true }, count);
    expect(request.input.kind).toBe("training-layout");
    const text =
      request.input.kind === "training-layout"
        ? request.input.messages.map((t) => t.content).join("")
        : "";
    expect(text).toContain("问：q-done\n答：\n");
    expect(text).toContain("r-done");
    expect(text).toContain("问：q-stopped\n答：\n");
    expect(text).toContain("r-stopped");
    expect(text).not.toContain("interrupted");
    expect(text).not.toContain("error");
  });

  it("other models follow the same rule in their chat messages", async () => {
    const request = await buildEngineRequest(
      history,
      settings,
      { cutegpt: false },
      count,
      "",
      async (turns) => ({ fixed: 0, messages: turns.map((t) => t.content.length) }),
    );
    const turns = request.input.kind === "messages" ? request.input.messages : [];
    expect(turns.map((t) => t.content)).toEqual([
      "q-done",
      "r-done",
      "q-stopped",
      "r-stopped",
      "now",
    ]);
  });
});
