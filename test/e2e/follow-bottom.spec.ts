import { expect, test, type Locator, type Page } from "@playwright/test";
import {
  assistantMessages,
  loadModel,
  openApp,
  sendMessage,
  waitForReplyEnd,
  waitForSaved,
} from "./helpers";

/** Sixty short markdown paragraphs: several screens of text, one chunk each. */
const LONG_REPLY = Array.from(
  { length: 60 },
  (_, i) => `Paragraph ${i + 1} talks about **streaming** and scrolling, line ${i + 1}.`,
).join("\\n\\n");

function messageList(page: Page): Locator {
  return page.getByTestId("message-list");
}

async function distanceFromBottom(list: Locator): Promise<number> {
  return list.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight);
}

/** Waits for the reply to end and checks the list shows its last paragraph. */
async function expectEndShownAfterReply(page: Page): Promise<void> {
  await waitForReplyEnd(page);
  await expect(assistantMessages(page).getByText("Paragraph 60 talks about")).toBeInViewport();
  expect(await distanceFromBottom(messageList(page))).toBeLessThan(80);
}

async function startLongReply(page: Page, rate: number): Promise<void> {
  await openApp(page);
  await loadModel(page, "test-engine-fast");
  await sendMessage(page, `#nomax #rate:${rate} #echo ${LONG_REPLY}`);
  await expect(page.locator('article[data-status="streaming"]')).toHaveCount(1);
}

test("a streaming reply stays in view while it grows past the screen", async ({ page }) => {
  await page.setViewportSize({ width: 1000, height: 600 });
  await startLongReply(page, 150);
  const list = messageList(page);
  // Wait until the reply is well past one screen, then check the list followed it.
  await expect
    .poll(() => list.evaluate((el) => el.scrollHeight / el.clientHeight), { timeout: 20_000 })
    .toBeGreaterThan(2);
  expect(await distanceFromBottom(list)).toBeLessThan(80);
  await expectEndShownAfterReply(page);
});

test("scrolling up while a reply streams keeps the reader's place; scrolling back down follows again", async ({
  page,
}) => {
  // The reply must still be streaming once the list is past a screen and the user scrolled
  // up: slow enough for a busy machine, whose page may take a while to show the first screens.
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 1000, height: 600 });
  await startLongReply(page, 30);
  const list = messageList(page);
  await expect
    .poll(() => list.evaluate((el) => el.scrollHeight / el.clientHeight), { timeout: 20_000 })
    .toBeGreaterThan(1.5);

  // The user scrolls up to reread the start of the reply.
  await list.hover();
  // All the way up, however far the reply has got (a busy machine streams it further first).
  await page.mouse.wheel(0, -1_000_000);
  await expect.poll(() => list.evaluate((el) => el.scrollTop)).toBe(0);
  await expect(page.locator('article[data-status="streaming"]')).toHaveCount(1);
  const first = assistantMessages(page).getByText("Paragraph 1 talks about");
  const topBefore = await first.evaluate((el) => el.getBoundingClientRect().top);
  const heightBefore = await list.evaluate((el) => el.scrollHeight);
  // More text arrives; the paragraph being read does not move.
  await expect
    .poll(() => list.evaluate((el) => el.scrollHeight), { timeout: 10_000 })
    .toBeGreaterThan(heightBefore + 200);
  expect(await list.evaluate((el) => el.scrollTop)).toBe(0);
  expect(await first.evaluate((el) => el.getBoundingClientRect().top)).toBe(topBefore);

  // Back at the bottom, the list follows the reply again until it ends.
  await page.mouse.wheel(0, 1_000_000);
  await expect.poll(() => distanceFromBottom(list)).toBeLessThan(80);
  await expect(page.locator('article[data-status="streaming"]')).toHaveCount(0, {
    timeout: 90_000,
  });
  await expectEndShownAfterReply(page);
});

test("a long conversation opens at its end, and chunks out of view are skipped by rendering", async ({
  page,
}) => {
  await page.setViewportSize({ width: 1000, height: 600 });
  await startLongReply(page, 2000);
  await waitForReplyEnd(page);
  await waitForSaved(page);
  await page.reload();
  await expectEndShownAfterReply(page);

  // The first paragraphs are far above the view: the browser skips their layout and paint
  // (content-visibility), which keeps a long reply as cheap per frame as a short one.
  const chunks = page.locator(".md-group");
  // A skipped group's own box stays; what is skipped is its content.
  const visible = (chunk: Locator) =>
    chunk.evaluate((el) => el.firstElementChild?.checkVisibility({ contentVisibilityAuto: true }));
  expect(await visible(chunks.first())).toBe(false);
  expect(await visible(chunks.last())).toBe(true);
  // Skipped text is still in the page: find in page, screen readers and copy see it.
  await expect(chunks.first()).toContainText("Paragraph 1 talks about");
});
