import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import {
  assistantMessages,
  chatInputs,
  loadModel,
  openApp,
  recordEngineInputs,
  seedOldRecord,
  sendMessage,
  waitForReplyEnd,
  waitForSaved,
} from "./helpers";

/** The last chat request's messages, as the test engine received them. */
async function lastPrompt(page: Page): Promise<string[]> {
  const chats = await chatInputs(page);
  return (chats.at(-1)?.input.messages ?? []).map((m) => m.content);
}

const switcher = (page: Page, name: string) => page.getByRole("group", { name });

test("Regenerate keeps the earlier reply as version 1; the prompt, a reload and the switch agree", async ({
  page,
}, testInfo) => {
  await openApp(page);
  await loadModel(page, "test-engine-fast");
  await recordEngineInputs(page);
  await sendMessage(page, "First question");
  await waitForReplyEnd(page);
  const reply = assistantMessages(page).first();
  const firstReply = (await reply.getByTestId("message-content").textContent()) ?? "";
  expect(firstReply).toContain('Reply 1 to "First question"');

  await reply.getByRole("button", { name: "Regenerate" }).click();
  await waitForReplyEnd(page);
  await expect(page.locator("article")).toHaveCount(2);
  await expect(reply).toContainText('Reply 2 to "First question"');
  await expect(switcher(page, "Version 2 of 2")).toContainText("2 / 2");
  // The switch passes axe in both themes: no violation of any impact there, none serious on
  // the page.
  for (const colorScheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme });
    const onSwitch = await new AxeBuilder({ page })
      .include('[data-testid="version-switch"]')
      .analyze();
    expect(onSwitch.violations.map((v) => v.id)).toEqual([]);
    const onPage = await new AxeBuilder({ page }).analyze();
    const serious = onPage.violations.filter((v) => ["serious", "critical"].includes(v.impact!));
    expect(serious.map((v) => v.id)).toEqual([]);
    await reply.screenshot({ path: testInfo.outputPath(`version-switch-${colorScheme}.png`) });
  }

  await page.getByRole("button", { name: "Previous version" }).click();
  await expect(switcher(page, "Version 1 of 2")).toContainText("1 / 2");
  await expect(reply.getByTestId("message-content")).toHaveText(firstReply);
  await expect(page.getByRole("button", { name: "Previous version" })).toBeDisabled();

  // The next question is asked after the version shown.
  await sendMessage(page, "Second question");
  await waitForReplyEnd(page);
  expect(await lastPrompt(page)).toEqual(["First question", firstReply, "Second question"]);

  await waitForSaved(page);
  await page.reload();
  await expect(page.locator("article")).toHaveCount(4);
  await expect(assistantMessages(page).first().getByTestId("message-content")).toHaveText(
    firstReply,
  );
  await page.getByRole("button", { name: "Next version" }).click();
  await expect(switcher(page, "Version 2 of 2")).toBeVisible();
  // Version 2 ended with its reply: the second question belongs to version 1.
  await expect(page.locator("article")).toHaveCount(2);
  await expect(assistantMessages(page).first()).toContainText('Reply 2 to "First question"');
});

test("Edit keeps the earlier question and everything after it as version 1", async ({ page }) => {
  await openApp(page);
  await loadModel(page, "test-engine-fast");
  await recordEngineInputs(page);
  await sendMessage(page, "First question");
  await waitForReplyEnd(page);
  await sendMessage(page, "Second question");
  await waitForReplyEnd(page);
  const contents = page.locator("article").getByTestId("message-content");
  const before = await contents.allTextContents();

  const question = page.locator('article[data-role="user"]').first();
  await question.getByRole("button", { name: "Edit" }).click();
  await page.getByRole("textbox", { name: "Edit your message" }).fill("Edited question");
  await page.getByRole("button", { name: "Save and send" }).click();
  await waitForReplyEnd(page);
  await expect(page.locator("article")).toHaveCount(2);
  await expect(switcher(page, "Version 2 of 2")).toBeVisible();
  expect(await lastPrompt(page)).toEqual(["Edited question"]);

  await page.getByRole("button", { name: "Previous version" }).click();
  await expect(contents).toHaveText(before);
  await sendMessage(page, "Third question");
  await waitForReplyEnd(page);
  expect(await lastPrompt(page)).toEqual([...before, "Third question"]);

  await waitForSaved(page);
  await page.reload();
  await expect(contents).toHaveCount(6);
  await expect(switcher(page, "Version 1 of 2")).toBeVisible();
  await page.getByRole("button", { name: "Next version" }).click();
  await expect(contents.first()).toHaveText("Edited question");
});

test("the switch reads in Chinese, and a record from before versions opens as it was", async ({
  page,
}) => {
  // A blank page of the app's origin writes the record before the app first starts, as an
  // older version left it: no `alternatives`, no `branchesChangedAt`.
  const now = Date.now();
  await seedOldRecord(page, {
    id: "old-chat",
    title: "Old chat",
    createdAt: now,
    updatedAt: now,
    removedMessageIds: ["gone"],
    messages: [
      { id: "q", role: "user", content: "Old question", createdAt: now, status: "done" },
      { id: "a", role: "assistant", content: "Old answer", createdAt: now + 1, status: "done" },
    ],
  });
  await openApp(page);
  const contents = page.locator("article").getByTestId("message-content");
  await expect(contents).toHaveText(["Old question", "Old answer"]);
  await expect(page.getByTestId("version-switch")).toHaveCount(0);

  await loadModel(page, "test-engine-fast");
  await assistantMessages(page).first().getByRole("button", { name: "Regenerate" }).click();
  await waitForReplyEnd(page);
  await page.getByRole("button", { name: "Previous version" }).click();
  await expect(contents).toHaveText(["Old question", "Old answer"]);
  await page.evaluate(() =>
    localStorage.setItem(
      "cutegpt-settings",
      JSON.stringify({ version: 1, theme: "system", language: "zh", sendKey: "enter" }),
    ),
  );
  await waitForSaved(page);
  await page.reload();
  const zhSwitch = page.getByRole("group", { name: "第 1 个版本，共 2 个" });
  await expect(zhSwitch.getByRole("button", { name: "下一个版本" })).toBeVisible();
});

test("a version chosen in one tab shows in the other, and neither loses a version", async ({
  context,
}) => {
  const a = await context.newPage();
  await openApp(a);
  await loadModel(a, "test-engine-fast");
  await sendMessage(a, "Shared question");
  await waitForReplyEnd(a);
  const b = await context.newPage();
  await openApp(b);
  await expect(b.locator("article")).toHaveCount(2);

  await assistantMessages(a).first().getByRole("button", { name: "Regenerate" }).click();
  await waitForReplyEnd(a);
  // Tab B learns of the new version through the broadcast, without a reload.
  await expect(switcher(b, "Version 2 of 2")).toBeVisible();
  await expect(assistantMessages(b).first()).toContainText('Reply 2 to "Shared question"');

  await b.getByRole("button", { name: "Previous version" }).click();
  for (const page of [a, b]) {
    await expect(switcher(page, "Version 1 of 2")).toBeVisible();
    await expect(assistantMessages(page).first()).toContainText('Reply 1 to "Shared question"');
  }
  await waitForSaved(a);
  await waitForSaved(b);
  await a.reload();
  await expect(switcher(a, "Version 1 of 2")).toBeVisible();
  await a.getByRole("button", { name: "Next version" }).click();
  await expect(assistantMessages(a).first()).toContainText('Reply 2 to "Shared question"');
});
