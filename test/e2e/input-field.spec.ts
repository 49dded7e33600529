import { expect, test, type Page } from "@playwright/test";
import { openApp, useReferenceLayout, waitForReplyEnd } from "./helpers";

const META =
  "你是复旦大学知识工场实验室训练出来的语言模型CuteGPT。给定任务描述，请给出对应请求的回答。\n";

/** The prompts the test engine received, as it broadcasts them. */
async function recordPrompts(page: Page) {
  await page.evaluate(() => {
    const log: string[] = [];
    (window as unknown as { __prompts: string[] }).__prompts = log;
    new BroadcastChannel("test-engine-log").onmessage = (e: MessageEvent) => {
      const data = e.data as { kind: string; input?: { kind: string; prompt?: string } };
      if (data.kind === "chat" && data.input?.kind === "prompt") log.push(data.input.prompt ?? "");
    };
  });
}

const prompts = (page: Page) =>
  page.evaluate(() => (window as unknown as { __prompts: string[] }).__prompts);

test("the input field is shown in the question as a quoted block, and editing changes it in what is sent", async ({
  page,
}) => {
  await openApp(page);
  await recordPrompts(page);
  await page.getByRole("button", { name: "Load model" }).click();
  await expect(page.locator('[data-testid="model-status"][data-state="ready"]')).toBeVisible();
  // The reference layout sends one prompt string, which the test reads whole.
  await useReferenceLayout(page);

  await page.getByRole("textbox", { name: "Message" }).fill("把下面的句子翻译成英文");
  await page.getByRole("button", { name: "+ Add input" }).click();
  await page.getByRole("textbox", { name: "Input" }).fill("今天天气很好");
  await page.getByRole("button", { name: "Send" }).click();
  await waitForReplyEnd(page);

  const question = page.locator('article[data-role="user"]');
  const quoted = question.getByTestId("message-input");
  await expect(quoted).toHaveText("今天天气很好");
  expect(await quoted.evaluate((el) => el.tagName)).toBe("BLOCKQUOTE");
  expect((await prompts(page)).at(-1)).toBe(
    `${META}问：把下面的句子翻译成英文\n今天天气很好\n答：\n`,
  );

  // Edit: both fields come back, and the edited input is what the model gets.
  await question.getByRole("button", { name: "Edit" }).click();
  await expect(page.getByRole("textbox", { name: "Edit your message" })).toHaveValue(
    "把下面的句子翻译成英文",
  );
  const editedInput = question.getByRole("textbox", { name: "Input" });
  await expect(editedInput).toHaveValue("今天天气很好");
  await editedInput.fill("明天会下雨");
  await page.getByRole("button", { name: "Save and send" }).click();
  await waitForReplyEnd(page);
  await expect(question.getByTestId("message-input")).toHaveText("明天会下雨");
  expect((await prompts(page)).at(-1)).toBe(
    `${META}问：把下面的句子翻译成英文\n明天会下雨\n答：\n`,
  );

  // Removing it in the edit sends the question alone.
  await question.getByRole("button", { name: "Edit" }).click();
  await question.getByRole("button", { name: "− Remove input" }).click();
  await page.getByRole("button", { name: "Save and send" }).click();
  await waitForReplyEnd(page);
  await expect(question.getByTestId("message-input")).toHaveCount(0);
  expect((await prompts(page)).at(-1)).toBe(`${META}问：把下面的句子翻译成英文\n答：\n`);
});
