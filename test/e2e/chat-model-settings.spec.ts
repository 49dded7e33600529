import { expect, test } from "@playwright/test";
import {
  assistantMessages,
  loadModel,
  openApp,
  openModelSettings,
  sendMessage,
  waitForReplyEnd,
  chatInputs,
  recordEngineInputs,
} from "./helpers";

// Settings for a chat-template model (the test engine stands in for one: its family is not
// CuteGPT, so it gets web-llm's chat API path with its own stand-in template).

test("a chat-template model gets the system prompt, its own defaults and no CuteGPT-only fields", async ({
  page,
}) => {
  await openApp(page);
  await recordEngineInputs(page);
  await loadModel(page, "test-engine-fast");
  await openModelSettings(page);
  await page.getByText("Generation settings for this chat").click();
  const system = page.getByLabel("System prompt for Test engine (fast)");
  await expect(system).toHaveValue("");
  await expect(system).toHaveAttribute("placeholder", /Test engine \(fast\) uses its own/);
  // The layout and the history window are CuteGPT's; this model keeps what fits.
  await expect(page.getByLabel("Prompt layout (CuteGPT)")).toHaveCount(0);
  await expect(page.getByLabel("Past turns sent (history window)")).toHaveCount(0);
  await expect(page.getByLabel("Decoding preset")).toHaveValue("model");
  await expect(page.getByLabel("Temperature")).toBeDisabled();
  await expect(page.getByLabel("Max new tokens")).toHaveValue("1024");
  await system.fill("Answer like a pirate.");
  await page.keyboard.press("Escape");

  await sendMessage(page, "hello");
  await waitForReplyEnd(page);
  const [first] = await chatInputs(page);
  expect(first?.input.messages).toEqual([
    { role: "system", content: "Answer like a pirate." },
    { role: "user", content: "hello" },
  ]);
  // The model's own generation config samples: no values of ours are sent but the length.
  expect(first?.options).toMatchObject({ maxTokens: 1024 });
  expect(first?.options.temperature).toBeUndefined();
  expect(first?.options.topP).toBeUndefined();
});

test("a long chat with a chat-template model leaves out old turns and says so under the reply", async ({
  page,
}) => {
  await openApp(page);
  await recordEngineInputs(page);
  // This entry names no context window, so it gets the default 4096 (test-engine-fast has a
  // huge one for the long-text tests); the test engine counts a token per character, and 1024
  // are kept for the reply.
  await loadModel(page, "test-engine-default-window");
  const long = (tag: string) => `${tag}:` + "x".repeat(1800);
  await sendMessage(page, long("A"));
  await waitForReplyEnd(page);
  await expect(assistantMessages(page).nth(0).getByTestId("message-meta")).not.toContainText(
    "left out",
  );
  await sendMessage(page, long("B"));
  await waitForReplyEnd(page);
  await expect(assistantMessages(page).nth(0)).toBeVisible();
  await expect(assistantMessages(page).nth(1).getByTestId("message-meta")).toContainText(
    "1 earlier turn was left out to fit the model's context window",
  );
  const chats = await chatInputs(page);
  const sent = chats.at(-1)?.input.messages ?? [];
  expect(sent.map((m) => m.content.slice(0, 2))).toEqual(["B:"]);
  // Nothing failed: the reply was written.
  await expect(assistantMessages(page).nth(1)).toHaveAttribute("data-status", "done");
});
