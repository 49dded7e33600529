import { expect, test } from "@playwright/test";
import {
  assistantMessages,
  loadModel,
  openApp,
  sendMessage,
  storedMessages,
  waitForReplyEnd,
  waitForSaved,
} from "./helpers";

test("Stop pressed during prefill ends the reply with nothing generated, and that is what is saved", async ({
  page,
}) => {
  await openApp(page);
  await loadModel(page, "test-engine-fast");
  await sendMessage(page, "#prefill:1500 a long prompt");
  const reply = assistantMessages(page).first();
  await expect(reply).toHaveAttribute("data-status", "streaming");
  await page.getByRole("button", { name: "Stop" }).click();
  await expect(reply).toHaveAttribute("data-status", "stopped");
  // The prefill's token, which the engine still streams after a Stop, never shows.
  await page.waitForTimeout(2500);
  await expect(reply.getByTestId("message-content")).toHaveText("");
  await waitForSaved(page);
  await page.reload();
  await expect(assistantMessages(page).first()).toHaveAttribute("data-status", "stopped");
  await expect(assistantMessages(page).first().getByTestId("message-content")).toHaveText("");
});

test("a continuation cut off by a reload keeps the text it had reached", async ({ page }) => {
  await openApp(page);
  await loadModel(page, "cutegpt-test-ift-q4f32_1");
  await sendMessage(page, "Write a lot #long:600 #rate:40");
  await waitForReplyEnd(page);
  const reply = assistantMessages(page).first();
  await expect(reply.getByTestId("message-meta")).toContainText("max-token limit");
  const before = ((await reply.getByTestId("message-content").textContent()) ?? "").length;
  await waitForSaved(page);
  await reply.getByRole("button", { name: "Continue" }).click();
  await expect(reply).toHaveAttribute("data-status", "streaming");
  // Saves are coalesced (one per 500 ms while a reply streams), so the reload waits until the
  // stored copy has the reopened reply with 40 more characters: that is what must survive.
  await expect
    .poll(async () => {
      const stored = (await storedMessages(page)).find((m) => m.role === "assistant");
      return stored?.status === "streaming" ? stored.content.length : 0;
    })
    .toBeGreaterThan(before + 40);
  await page.reload();
  const reopened = assistantMessages(page).first();
  await expect(reopened).toHaveAttribute("data-status", "interrupted");
  const after = ((await reopened.getByTestId("message-content").textContent()) ?? "").length;
  expect(after).toBeGreaterThan(before + 40);
});
