import { expect, test } from "@playwright/test";
import {
  assistantMessages,
  loadModel,
  openApp,
  progressTextsShown,
  recordProgressTexts,
  sendMessage,
  waitForReplyEnd,
  waitForSaved,
} from "./helpers";

test("loads a model with visible progress, chats over turns, stops a reply and keeps everything after a reload", async ({
  page,
}) => {
  await openApp(page);
  await recordProgressTexts(page);
  await page.getByRole("combobox", { name: "Model" }).selectOption("test-engine-fast");
  await page.getByRole("button", { name: "Load model" }).click();
  await expect(page.locator('[data-testid="model-status"][data-state="ready"]')).toBeVisible();

  // The progress bar showed the download phase with MB figures from the engine.
  const shown = await progressTextsShown(page);
  expect(shown.some((text) => /^Downloading weights: \d+ MB \/ 200 MB/.test(text))).toBe(true);

  // Two turns in the first conversation, streamed. That the reply was shown as streaming is
  // recorded in the page: a 12-token reply can be over before a check from here polls (it was,
  // once, on a busy machine).
  await page.evaluate(() => {
    new MutationObserver((_, observer) => {
      if (!document.querySelector('article[data-role="assistant"][data-status="streaming"]'))
        return;
      Object.assign(window, { __sawStreaming: true });
      observer.disconnect();
    }).observe(document.body, { subtree: true, childList: true, attributes: true });
  });
  await sendMessage(page, "Hello there");
  await waitForReplyEnd(page);
  expect(await page.evaluate(() => "__sawStreaming" in window)).toBe(true);
  await expect(assistantMessages(page).nth(0)).toContainText('Reply 1 to "Hello there"');
  await expect(assistantMessages(page).nth(0).getByTestId("message-meta")).toContainText(
    /12 tokens · [\d.]+ tok\/s/,
  );
  await sendMessage(page, "And a second question");
  await waitForReplyEnd(page);
  await expect(assistantMessages(page).nth(1)).toContainText('Reply 2 to "And a second question"');

  // A second conversation whose long, slow reply is stopped midway.
  await page.getByRole("button", { name: "+ New chat" }).click();
  await sendMessage(page, "Tell me a long story #long:400 #rate:20");
  const reply = assistantMessages(page).first();
  await expect(reply.getByTestId("message-content")).toContainText("fox");
  await page.getByRole("button", { name: "Stop" }).click();
  await expect(reply).toHaveAttribute("data-status", "stopped");
  const partial = (await reply.getByTestId("message-content").textContent()) ?? "";
  expect(partial.split(" ").length).toBeLessThan(400);
  await expect(reply.getByTestId("message-meta")).toContainText("Stopped");

  await waitForSaved(page);
  await page.reload();
  const list = page.getByTestId("conversation-list").getByTestId("conversation-entry");
  await expect(list).toHaveCount(2);
  // Newest first: the stopped story, then the two-turn chat.
  await expect(list.nth(0)).toHaveText("Tell me a long story");
  await expect(list.nth(1)).toHaveText("Hello there");
  await expect(assistantMessages(page).first()).toHaveAttribute("data-status", "stopped");
  await expect(assistantMessages(page).first().getByTestId("message-content")).toHaveText(partial);

  await list.nth(1).click();
  await expect(page.locator("article")).toHaveCount(4);
  await expect(assistantMessages(page).nth(1)).toContainText('Reply 2 to "And a second question"');
});

test("Enter sends, Shift+Enter adds a line, and an empty message is not sent", async ({ page }) => {
  await openApp(page);
  await loadModel(page, "test-engine-fast");
  const composer = page.getByRole("textbox", { name: "Message" });
  await composer.press("Enter");
  await composer.fill("   ");
  await composer.press("Enter");
  await expect(page.locator("article")).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Send" })).toBeDisabled();

  await composer.fill("first line");
  await composer.press("Shift+Enter");
  await composer.pressSequentially("second line");
  await expect(composer).toHaveValue("first line\nsecond line");
  await composer.press("Enter");
  await expect(page.locator('article[data-role="user"]')).toHaveText(/first line\s*second line/);
  await expect(composer).toHaveValue("");
  await waitForReplyEnd(page);
});

test("a reply cut off by closing the tab is kept and marked as interrupted", async ({ page }) => {
  await openApp(page);
  await loadModel(page, "test-engine-fast");
  await sendMessage(page, "Write slowly #long:300 #rate:10");
  const reply = assistantMessages(page).first();
  await expect(reply.getByTestId("message-content")).toContainText("quick brown");
  // Let the throttled save write some of the reply, then drop the page without warning.
  await page.waitForTimeout(1200);
  await page.reload();
  await expect(assistantMessages(page).first()).toHaveAttribute("data-status", "interrupted");
  await expect(assistantMessages(page).first().getByTestId("message-content")).toContainText(
    "quick brown",
  );
  await expect(assistantMessages(page).first()).toContainText("Interrupted");
});
