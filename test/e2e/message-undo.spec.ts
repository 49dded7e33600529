import { expect, test } from "@playwright/test";
import {
  assistantMessages,
  loadModel,
  openApp,
  sendMessage,
  waitForReplyEnd,
  waitForSaved,
} from "./helpers";

test("deleting a question takes its answer along, says so, and Undo puts both back (after a reload too)", async ({
  page,
}) => {
  await openApp(page);
  await loadModel(page, "test-engine-fast");
  await sendMessage(page, "First question");
  await waitForReplyEnd(page);
  await sendMessage(page, "Second question");
  await waitForReplyEnd(page);
  const contents = page.locator("article").getByTestId("message-content");
  const before = await contents.allTextContents();
  expect(before).toHaveLength(4);

  const first = page.locator('article[data-role="user"]').first();
  await expect(first.getByRole("button", { name: "Delete" })).toHaveAttribute(
    "title",
    "Delete this question and its answer",
  );
  await first.getByRole("button", { name: "Delete" }).click();
  await expect(page.locator("article")).toHaveCount(2);
  await expect(contents).toHaveText([before[2]!, before[3]!]);
  await expect(
    page.getByRole("status").filter({ hasText: "Deleted the question and its answer." }),
  ).toBeVisible();
  await page.getByRole("button", { name: "Undo" }).click();
  await expect(contents).toHaveText(before);

  // An answer alone goes alone.
  await assistantMessages(page).first().getByRole("button", { name: "Delete" }).click();
  await expect(contents).toHaveText([before[0]!, before[2]!, before[3]!]);
  await expect(page.getByText("Deleted the message.")).toBeVisible();
  await page.getByRole("button", { name: "Undo" }).click();
  await expect(contents).toHaveText(before);

  // What Undo restored is saved like anything else.
  await waitForSaved(page);
  await page.reload();
  await expect(contents).toHaveText(before);
});
