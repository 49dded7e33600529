import { expect, test, type Page } from "@playwright/test";
import {
  assistantMessages,
  openApp,
  openModelSettings,
  sendMessage,
  useReferenceLayout,
  waitForReplyEnd,
  waitForSaved,
  chatInputs,
  recordEngineInputs,
} from "./helpers";

// Written out literally (not imported) so a change to the app's META cannot pass unnoticed.
const META =
  "你是复旦大学知识工场实验室训练出来的语言模型CuteGPT。给定任务描述，请给出对应请求的回答。\n";

async function lastPrompt(page: Page): Promise<string> {
  const chats = await chatInputs(page);
  const last = chats.at(-1);
  if (last?.input.kind === "training-layout" && last.input.messages) {
    return last.input.messages.map((m) => m.content).join("");
  }
  if (last?.input.kind !== "prompt" || last.input.prompt === undefined) {
    throw new Error("no prompt reached the engine");
  }
  return last.input.prompt;
}

async function replyText(page: Page, index: number): Promise<string> {
  return (
    (await assistantMessages(page).nth(index).getByTestId("message-content").textContent()) ?? ""
  );
}

async function loadCuteGpt(page: Page) {
  await openApp(page);
  await recordEngineInputs(page);
  // On SwiftShader (no shader-f16) the app picks the q4f32_1 build by itself.
  await expect(page.getByRole("combobox", { name: "Model" })).toHaveValue(
    "cutegpt-test-ift-q4f32_1",
  );
  await page.getByRole("button", { name: "Load model" }).click();
  await expect(page.locator('[data-testid="model-status"][data-state="ready"]')).toBeVisible();
}

test("preflight on a GPU without shader-f16 disables the q4f16_1 build with the reason and offers q4f32_1", async ({
  page,
}) => {
  await openApp(page);
  const f16 = page.locator('option[value="cutegpt-test-ift-q4f16_1"]');
  await expect(f16).toBeDisabled();
  await expect(f16).toContainText("no WebGPU shader-f16");
  await expect(page.locator('option[value="cutegpt-test-ift-q4f32_1"]')).toBeEnabled();
  await expect(page.getByRole("combobox", { name: "Model" })).toHaveValue(
    "cutegpt-test-ift-q4f32_1",
  );
  // Costs are shown before anything is downloaded; SwiftShader is called out as too slow.
  const preflight = page.getByTestId("preflight");
  await expect(preflight).toContainText("Download 6.8 GB");
  await expect(preflight).toContainText("GPU memory ≈ 11.8 GB");
  await expect(preflight).toContainText("software GPU");
});

test("by default the model receives CuteGPT's training layout as chat turns, every past pair kept", async ({
  page,
}) => {
  await loadCuteGpt(page);
  for (const q of ["第一个问题", "Second question", "第三个 🐱", "fourth", "第五个"]) {
    await sendMessage(page, q);
    await waitForReplyEnd(page);
  }
  const r = await Promise.all([0, 1, 2, 3].map((i) => replyText(page, i)));
  const chats = await chatInputs(page);
  expect(chats[0]?.input).toEqual({
    kind: "training-layout",
    messages: [
      { role: "system", content: META },
      { role: "user", content: "问：第一个问题\n答：\n" },
    ],
  });
  // Replies end with <end> where the reference scripts write "\n"; no window of 3 pairs.
  expect(await lastPrompt(page)).toBe(
    META +
      `问：第一个问题\n答：\n${r[0]}<end>` +
      `问：Second question\n答：\n${r[1]}<end>` +
      `问：第三个 🐱\n答：\n${r[2]}<end>` +
      `问：fourth\n答：\n${r[3]}<end>` +
      "问：第五个\n答：\n",
  );
});

test("the reference layout sends the reference scripts' prompt over five turns, with a 3-pair window", async ({
  page,
}) => {
  await loadCuteGpt(page);
  await useReferenceLayout(page);
  const questions = [
    "第一个问题",
    "Second question",
    "第三个 🐱",
    "fourth, with code: x = 1",
    "第五个",
  ];
  for (const q of questions) {
    await sendMessage(page, q);
    await waitForReplyEnd(page);
  }
  const r = await Promise.all([0, 1, 2, 3].map((i) => replyText(page, i)));
  expect(r[0]).toContain('Reply 1 to "第一个问题"');
  expect(await lastPrompt(page)).toBe(
    META +
      `问：Second question\n答：\n${r[1]}\n` +
      `问：第三个 🐱\n答：\n${r[2]}\n` +
      `问：fourth, with code: x = 1\n答：\n${r[3]}\n` +
      "问：第五个\n答：\n",
  );
  const chats = await chatInputs(page);
  expect(chats[0]?.input).toEqual({ kind: "prompt", prompt: `${META}问：第一个问题\n答：\n` });
  // Reference decoding: greedy with the seed's repetition penalty and 256 new tokens, and
  // CuteGPT's stop strings.
  expect(chats.at(-1)?.options).toEqual({
    maxTokens: 256,
    temperature: 0,
    topP: 1,
    repetitionPenalty: 1.1,
    stop: ["<end>", "<s>", "</s>", "\n问："],
    topK: 50,
    repetitionOverPrompt: true,
    // How long the worker gathers streamed text per message (the page shows it 10 times a second).
    streamIntervalMs: 50,
  });
});

test("an input field goes between the question and 答：, and a seed preset fills both fields", async ({
  page,
}) => {
  await openApp(page);
  await page.locator('button[data-task="company-extraction"]').click();
  const instruction = page.getByRole("textbox", { name: "Message" });
  const input = page.getByRole("textbox", { name: "Input" });
  await expect(instruction).toHaveValue(/^从句子中提取公司的基本信息/);
  await expect(input).toHaveValue(/^北京京煤集团有限责任公司/);

  await recordEngineInputs(page);
  await page.getByRole("button", { name: "Load model" }).click();
  await expect(page.locator('[data-testid="model-status"][data-state="ready"]')).toBeVisible();
  const instructionText = await instruction.inputValue();
  const inputText = await input.inputValue();
  await page.getByRole("button", { name: "Send" }).click();
  await waitForReplyEnd(page);
  expect(await lastPrompt(page)).toBe(`${META}问：${instructionText}\n${inputText}\n答：\n`);
  // The seed's own query is instruction + "\n" + input: the prompt carries it verbatim.
  expect(await lastPrompt(page)).toContain(
    '"主要产品": ""\n}\n\n北京京煤集团有限责任公司是按现代企业制度于2001年初组建的国有独资大型煤炭企业集团。',
  );
});

test("stop tokens and a self-started turn end the reply and are never shown", async ({ page }) => {
  await loadCuteGpt(page);
  await sendMessage(page, "#echo 好的，名著如下<end>这段不该出现");
  await waitForReplyEnd(page);
  await expect(assistantMessages(page).nth(0).getByTestId("message-content")).toHaveText(
    "好的，名著如下",
  );
  await expect(assistantMessages(page).nth(0)).toHaveAttribute("data-status", "done");

  await sendMessage(page, "#echo 第一段回答\\n\\u95ee：模型自己又提了一个问题");
  await waitForReplyEnd(page);
  await expect(assistantMessages(page).nth(1).getByTestId("message-content")).toHaveText(
    "第一段回答",
  );

  await sendMessage(page, "#echo <s>前缀</s>");
  await waitForReplyEnd(page);
  await expect(assistantMessages(page).nth(2).getByTestId("message-content")).toHaveText("");
});

test("old turns are dropped to fit the context window and an oversized message is refused with its length", async ({
  page,
}) => {
  await loadCuteGpt(page);
  await useReferenceLayout(page);
  // The test engine counts one token per character; the window is 2048 with 256 reserved.
  const long = (tag: string) => `${tag}:` + "长".repeat(700);
  await sendMessage(page, long("A"));
  await waitForReplyEnd(page);
  await sendMessage(page, long("B"));
  await waitForReplyEnd(page);
  await sendMessage(page, long("C"));
  await waitForReplyEnd(page);
  const prompt = await lastPrompt(page);
  expect(prompt).not.toContain("A:长");
  expect(prompt).toContain("B:长");
  expect(prompt.length).toBeLessThanOrEqual(1792);

  const before = (await chatInputs(page)).length;
  await sendMessage(page, "太长".repeat(1000));
  const refused = assistantMessages(page).nth(3);
  await expect(refused).toHaveAttribute("data-status", "error");
  await expect(refused.locator('[data-error-code="context-window-exceeded"]')).toContainText(
    /Your message is 2,0\d\d tokens; this model can take at most 1,792/,
  );
  expect((await chatInputs(page)).length).toBe(before);
});

test("per-conversation settings change what is sent and are saved with the conversation", async ({
  page,
}) => {
  await loadCuteGpt(page);
  await sendMessage(page, "one");
  await waitForReplyEnd(page);
  await sendMessage(page, "two");
  await waitForReplyEnd(page);
  // The settings live in the header's "Model and settings" sheet.
  await openModelSettings(page);
  await page.getByText("Generation settings for this chat").click();
  await page.getByLabel("Prompt layout (CuteGPT)").selectOption("reference");
  await page.getByLabel("Past turns sent (history window)").fill("1");
  await page.getByLabel("Decoding preset").selectOption("creative");
  await page.getByLabel("Meta prompt (CuteGPT)").fill("你是测试助手。\n");
  await page.keyboard.press("Escape");
  await sendMessage(page, "three");
  await waitForReplyEnd(page);
  const prompt = await lastPrompt(page);
  expect(prompt.startsWith("你是测试助手。\n问：two\n答：\n")).toBe(true);
  expect(prompt).not.toContain("问：one");
  expect((await chatInputs(page)).at(-1)?.options).toMatchObject({
    temperature: 0.7,
    maxTokens: 256,
  });

  await waitForSaved(page);
  await page.reload();
  await openModelSettings(page);
  await page.getByText("Generation settings for this chat").click();
  await expect(page.getByLabel("Prompt layout (CuteGPT)")).toHaveValue("reference");
  await expect(page.getByLabel("Past turns sent (history window)")).toHaveValue("1");
  await expect(page.getByLabel("Decoding preset")).toHaveValue("creative");
});
