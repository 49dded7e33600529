import { expect, test, type Locator, type Page } from "@playwright/test";
import { ENGINE_ERROR_CODES } from "../../app/protocol/worker-protocol";
import { assistantMessages, seedOldRecord, waitForReplyEnd } from "./helpers";

/**
 * Issue 16: with the UI in Chinese every error reads in Chinese. Errors are stored as a code
 * (plus the engine's English text, which stays behind "详情") and worded when shown.
 */

/** Four or more English words in a row: a sentence, not a model name or a unit. */
const ENGLISH_SENTENCE = /[A-Za-z]{2,}(?:[\s,.'’()-]+[A-Za-z]{2,}){3,}/;

async function openInChinese(page: Page, url = "/"): Promise<void> {
  await page.addInitScript(() =>
    localStorage.setItem(
      "cutegpt-settings",
      JSON.stringify({ version: 1, theme: "system", language: "zh", sendKey: "enter" }),
    ),
  );
  await page.goto(url);
  await expect(page.locator("html")).toHaveAttribute("lang", "zh-CN");
}

/** What the user reads: rendered text only (a closed "详情" is not rendered). */
async function expectNoEnglishSentence(notice: Locator): Promise<void> {
  const shown = await notice.innerText();
  expect(shown.trim().length).toBeGreaterThan(0);
  expect(shown, `English in: ${shown}`).not.toMatch(ENGLISH_SENTENCE);
}

async function send(page: Page, text: string): Promise<void> {
  const composer = page.getByRole("textbox", { name: "消息" });
  await composer.fill(text);
  await composer.press("Enter");
}

test("every engine error code reads in Chinese, with the engine's English only behind 详情", async ({
  page,
}) => {
  test.setTimeout(120_000);
  await openInChinese(page);
  await page.locator("#model-picker").selectOption("test-engine-fast");
  await page.getByRole("button", { name: "加载模型" }).click();
  await expect(page.locator('[data-testid="model-status"][data-state="ready"]')).toBeVisible();

  for (const code of ENGINE_ERROR_CODES) {
    await send(page, `出错 ${code} #fail:${code}`);
    await waitForReplyEnd(page);
    const notice = assistantMessages(page).last().locator(`[data-error-code="${code}"]`);
    await expect(notice).toBeVisible();
    await expectNoEnglishSentence(notice);
    // The engine's text is kept for a bug report, folded away.
    const details = notice.locator("details");
    await expect(details.locator("summary")).toHaveText("详情");
    await details.locator("summary").click();
    await expect(details).toContainText(/[A-Za-z]/);
    // A lost model reloads on the next send; give it a fresh chat either way.
    await page.getByRole("button", { name: "+ 新对话" }).click();
  }

  // A crash the client notices by itself (the worker dies mid-reply).
  await send(page, "崩溃 #crash");
  const crashed = assistantMessages(page).last().locator('[data-error-code="worker-crashed"]');
  await expect(crashed).toBeVisible({ timeout: 30_000 });
  await expectNoEnglishSentence(crashed);
});

test("load failures and the reasons on disabled models read in Chinese", async ({ page }) => {
  await openInChinese(page);
  // SwiftShader has no shader-f16: this option is disabled with its reason.
  const option = page.locator('option[value="test-engine-f16"]');
  await expect(option).toBeDisabled();
  // "name — reason": the name is data, the reason is the app's words.
  const reason = ((await option.textContent()) ?? "").split("—")[1] ?? "";
  expect(reason).toContain("此 GPU 不支持");
  expect(reason).not.toMatch(ENGLISH_SENTENCE);

  await page.locator("#model-picker").selectOption("test-engine-load-fails");
  await page.getByRole("button", { name: "加载模型" }).click();
  const error = page.locator("[data-error-code]").first();
  await expect(error).toBeVisible({ timeout: 30_000 });
  await expectNoEnglishSentence(error);
});

test("a broken share link reads in Chinese", async ({ page }) => {
  await openInChinese(page, "/#v1.this-is-not-a-valid-link");
  const broken = page.getByTestId("share-open-error");
  await expect(broken).toBeVisible();
  await expectNoEnglishSentence(broken);
});

test("old records whose error is English text still show, worded in Chinese", async ({ page }) => {
  // A blank page of the app's origin writes the record before the app first starts, as an
  // older version left it: the English sentence in `message`.
  const now = Date.now();
  await seedOldRecord(page, {
    id: "old-error",
    title: "旧的错误",
    createdAt: now,
    updatedAt: now,
    messages: [
      { id: "q", role: "user", content: "你好", createdAt: now, status: "done" },
      {
        id: "a",
        role: "assistant",
        content: "",
        createdAt: now + 1,
        status: "error",
        error: {
          code: "model-files-not-found",
          message: "The model files were not found where the catalog says they are.",
        },
      },
    ],
  });
  await openInChinese(page);
  const notice = page.locator('[data-error-code="model-files-not-found"]');
  await expect(notice).toBeVisible();
  await expectNoEnglishSentence(notice);
  await expect(notice).toContainText("失败");
  await notice.getByText("详情").click();
  await expect(notice).toContainText("where the catalog says");
});
