import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import {
  assistantMessages,
  loadModel,
  openApp,
  openModelSettings,
  sendMessage,
  waitForReplyEnd,
} from "./helpers";

const RICH = [
  "## Plan",
  "",
  "| step | cost |",
  "|---|---|",
  "| one | $x^2$ |",
  "",
  "- [x] first",
  "- [ ] second",
  "",
  "```python",
  "print('hi')",
  "```",
  "",
  "![chart](https://example.com/chart.png) [docs](https://example.com/)",
].join("\n");

async function seeded(page: Page): Promise<void> {
  await openApp(page);
  await loadModel(page, "test-engine-fast");
  await sendMessage(page, `#echo ${RICH}`);
  await waitForReplyEnd(page);
  await expect(assistantMessages(page).first().locator(".katex")).toHaveCount(1);
}

async function seriousViolations(page: Page) {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}

for (const theme of ["light", "dark"] as const) {
  for (const width of [1280, 390]) {
    test(`axe finds no serious violations (${theme}, ${width} px) and a screenshot is saved`, async ({
      page,
    }, testInfo) => {
      await page.setViewportSize({ width, height: 900 });
      await page.emulateMedia({ colorScheme: theme });
      await seeded(page);
      await expect(page.locator("html")).toHaveClass(theme === "dark" ? /dark/ : /^(?!.*dark)/);
      expect(await seriousViolations(page)).toEqual([]);
      if (width < 768) {
        await page.getByRole("button", { name: "Show conversations" }).click();
        expect(await seriousViolations(page)).toEqual([]);
      }
      // On a phone, Settings sits in the folded panel with the chat list.
      await page.getByRole("button", { name: "Settings", exact: true }).click();
      expect(await seriousViolations(page)).toEqual([]);
      await page.keyboard.press("Escape");
      if (width < 768) await page.keyboard.press("Escape");
      // The header's sheet: model picker, generation settings, storage, all opened.
      await openModelSettings(page);
      await page.getByText("Generation settings for this chat").click();
      await page.getByText("Storage and model files").click();
      expect(await seriousViolations(page)).toEqual([]);
      await page.keyboard.press("Escape");
      await page.screenshot({
        path: testInfo.outputPath(`chat-${theme}-${width}.png`),
        fullPage: true,
      });
    });
  }
}

test("usable at 360 px: nothing scrolls sideways", async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 740 });
  await seeded(page);
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  expect(overflow).toBeLessThanOrEqual(0);
  await expect(page.getByRole("textbox", { name: "Message" })).toBeVisible();
});

test("keyboard only: visible focus, reach the actions, and a polite announcement per reply", async ({
  page,
}) => {
  await openApp(page);
  await loadModel(page, "test-engine-fast");
  const announcer = page.getByTestId("reply-announcer");
  await expect(announcer).toHaveAttribute("aria-live", "polite");
  await page.keyboard.press("Shift+Escape");
  await page.keyboard.type("Hello by keyboard");
  await page.keyboard.press("Enter");
  await expect(announcer).toHaveText("The assistant is replying.");
  await waitForReplyEnd(page);
  await expect(announcer).toContainText('Reply complete: Reply 1 to "Hello by keyboard"');

  // Tab from the composer backwards reaches the message actions; focus is visible.
  const regenerate = page.getByRole("button", { name: "Regenerate" });
  for (
    let i = 0;
    i < 40 && !(await regenerate.evaluate((el) => el === document.activeElement));
    i++
  ) {
    await page.keyboard.press("Shift+Tab");
  }
  await expect(regenerate).toBeFocused();
  const outline = await regenerate.evaluate((el) => {
    const style = getComputedStyle(el);
    return style.boxShadow !== "none" || style.outlineStyle !== "none";
  });
  expect(outline).toBe(true);
  await page.keyboard.press("Enter");
  await expect(announcer).toHaveText("The assistant is replying.");
  await waitForReplyEnd(page);
  await expect(announcer).toContainText("Reply complete:");
});
