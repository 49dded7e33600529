import { expect, test, type Page } from "@playwright/test";
import {
  assistantMessages,
  loadModel,
  openApp,
  openModelSettings,
  sendMessage,
  waitForReplyEnd,
} from "./helpers";

/**
 * Issue 16's layout: once a model is loaded the chat gets the screen. The numbers are the
 * message list's height; before this layout they were 535 px (1440×900) and 408 px (390×844).
 */
const SIZES = [
  { width: 1440, height: 900, minChat: 700 },
  { width: 390, height: 844, minChat: 600 },
] as const;

async function chatWithOneReply(page: Page): Promise<void> {
  await openApp(page);
  await loadModel(page, "test-engine-fast");
  await sendMessage(page, "Hello");
  await waitForReplyEnd(page);
}

for (const size of SIZES) {
  test(`the chat gets the screen at ${size.width}×${size.height} once a model is loaded`, async ({
    page,
  }) => {
    await page.setViewportSize(size);
    await chatWithOneReply(page);
    const box = await page.getByTestId("message-list").boundingBox();
    console.log(`message list height at ${size.width}×${size.height}: ${box?.height} px`);
    expect(box?.height ?? 0).toBeGreaterThanOrEqual(size.minChat);
    // Model, state and speed on one line.
    const status = page.getByTestId("model-status");
    await expect(status).toContainText("Test engine (fast)");
    await expect(status).toContainText("Ready");
    expect((await status.boundingBox())?.height ?? 99).toBeLessThan(40);
    // Nothing scrolls sideways.
    expect(
      await page.evaluate(() => document.documentElement.scrollWidth - innerWidth),
    ).toBeLessThanOrEqual(0);
  });
}

test("model choice, generation settings and storage open in a dialog; loading closes it and focuses the message box", async ({
  page,
}) => {
  await openApp(page);
  // Before the first load the picker is on the page: it is the first thing to do.
  await expect(page.getByRole("combobox", { name: "Model" })).toBeVisible();
  await loadModel(page, "test-engine-fast");
  await expect(page.getByRole("textbox", { name: "Message" })).toBeFocused();
  // The message box names the model that answers.
  await expect(page.getByRole("textbox", { name: "Message" })).toHaveAttribute(
    "placeholder",
    /^Message Test engine \(fast\)…/,
  );
  await expect(page.getByRole("combobox", { name: "Model" })).toHaveCount(0);
  await expect(page.getByText("Storage and model files")).toHaveCount(0);

  await openModelSettings(page);
  const dialog = page.getByRole("dialog", { name: "Model and settings" });
  await expect(dialog.getByRole("combobox", { name: "Model" })).toHaveValue("test-engine-fast");
  await expect(dialog.getByText("Generation settings for this chat")).toBeVisible();
  await expect(dialog.getByText("Storage and model files")).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(dialog).toHaveCount(0);
  // Focus goes back to the button that opened it.
  await expect(page.getByTestId("model-status")).toBeFocused();
});

test("a skip link is the first Tab stop and lands in the message box; New chat focuses it too", async ({
  page,
}) => {
  await openApp(page);
  await loadModel(page, "test-engine-fast");
  // A fresh page: the first Tab from the top.
  await page.reload();
  await expect(page.getByTestId("model-status")).toBeVisible();
  await page.keyboard.press("Tab");
  const skip = page.getByRole("link", { name: "Skip to the message box" });
  await expect(skip).toBeFocused();
  await expect(skip).toBeInViewport();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("textbox", { name: "Message" })).toBeFocused();

  await sendMessage(page, "One");
  await waitForReplyEnd(page);
  await page.getByRole("button", { name: "+ New chat" }).click();
  await expect(page.getByRole("textbox", { name: "Message" })).toBeFocused();
});

test("focus is visible on every kind of control, the Load button included", async ({ page }) => {
  await openApp(page);
  await page.getByRole("combobox", { name: "Model" }).selectOption("test-engine-fast");
  const load = page.getByRole("button", { name: "Load model" });
  await load.focus();
  await page.keyboard.press("Shift+Tab");
  await page.keyboard.press("Tab");
  await expect(load).toBeFocused();
  const outline = await load.evaluate((el) => {
    const s = getComputedStyle(el);
    return { style: s.outlineStyle, width: parseFloat(s.outlineWidth), offset: s.outlineOffset };
  });
  expect(outline.style).toBe("solid");
  expect(outline.width).toBeGreaterThanOrEqual(2);
  expect(outline.offset).toBe("2px");
});

test("on a phone the conversations are a drawer: it opens from the header, traps the chat, closes with Esc", async ({
  page,
}) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await chatWithOneReply(page);
  const nav = page.getByRole("navigation", { name: "Conversations" });
  await expect(nav).toBeHidden();
  const opener = page.getByRole("button", { name: "Show conversations" });
  await opener.click();
  await expect(nav).toBeVisible();
  await expect(nav.getByRole("button", { name: "+ New chat" })).toBeFocused();
  // The chat behind is inert while the drawer is open.
  expect(await page.locator("main").evaluate((el) => (el as HTMLElement).inert)).toBe(true);
  await page.keyboard.press("Escape");
  await expect(nav).toBeHidden();
  await expect(opener).toBeFocused();
  // Choosing a chat closes it.
  await opener.click();
  await nav.getByTestId("conversation-entry").first().click();
  await expect(nav).toBeHidden();
});

test("each chat row has its own menu: rename, pin and delete act on that chat, not the open one", async ({
  page,
}) => {
  await openApp(page);
  await loadModel(page, "test-engine-fast");
  await sendMessage(page, "First chat");
  await waitForReplyEnd(page);
  await page.getByRole("button", { name: "+ New chat" }).click();
  await sendMessage(page, "Second chat");
  await waitForReplyEnd(page);
  const entries = page.getByTestId("conversation-list").getByTestId("conversation-entry");
  await expect(entries).toHaveText(["Second chat", "First chat"]);

  // The menu of the chat that is not open.
  await page.getByRole("button", { name: "Actions for “First chat”" }).click();
  await page.getByRole("button", { name: "Pin", exact: true }).click();
  await expect(entries).toHaveText(["📌First chat", "Second chat"]);
  await expect(entries.nth(1)).toHaveAttribute("aria-current", "page");

  await page.getByRole("button", { name: "Actions for “First chat”" }).click();
  await page.getByRole("button", { name: "Rename" }).click();
  const title = page.getByRole("textbox", { name: "Conversation title" });
  await title.fill("Renamed first");
  await title.press("Enter");
  await expect(entries.first()).toHaveText("📌Renamed first");
  // The open chat is still the second one.
  await expect(page.locator('article[data-role="user"]').getByTestId("message-content")).toHaveText(
    "Second chat",
  );

  await page.getByRole("button", { name: "Actions for “Renamed first”" }).click();
  await page.getByRole("button", { name: "Delete conversation" }).click();
  await expect(entries).toHaveText(["Second chat"]);
  await page.getByRole("button", { name: "Undo" }).click();
  await expect(entries).toHaveText(["📌Renamed first", "Second chat"]);
});

test("scrolled up during a reply, a Jump to latest button brings the end back and the list follows again", async ({
  page,
}) => {
  await page.setViewportSize({ width: 800, height: 500 });
  await openApp(page);
  await loadModel(page, "test-engine-fast");
  await sendMessage(page, "Long one #long:300 #rate:40");
  const list = page.getByTestId("message-list");
  await expect(assistantMessages(page).first()).toContainText("lazy dog", { timeout: 20_000 });
  const jump = page.getByRole("button", { name: "Jump to latest" });
  await expect(jump).toHaveCount(0);
  // Wait until the reply is taller than the list, then scroll up like a reader would.
  await expect
    .poll(() => list.evaluate((el) => el.scrollHeight - el.clientHeight), { timeout: 20_000 })
    .toBeGreaterThan(200);
  await list.hover();
  await page.mouse.wheel(0, -2000);
  await expect(jump).toBeVisible();
  await jump.click();
  await expect(jump).toHaveCount(0);
  const gap = () => list.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight);
  await expect.poll(gap).toBeLessThan(80);
  await waitForReplyEnd(page);
  expect(await gap()).toBeLessThan(80);
});

test("key screens in both languages, light and dark, desktop and phone", async ({
  browser,
}, testInfo) => {
  test.setTimeout(180_000);
  for (const language of ["en", "zh"] as const) {
    for (const theme of ["light", "dark"] as const) {
      for (const size of SIZES) {
        // A fresh profile each time: the empty screen is a first visit.
        const context = await browser.newContext({ viewport: size, colorScheme: theme });
        const page = await context.newPage();
        await page.addInitScript(
          ([lang, th]) =>
            localStorage.setItem(
              "cutegpt-settings",
              JSON.stringify({ version: 1, theme: th, language: lang, sendKey: "enter" }),
            ),
          [language, theme],
        );
        await page.goto("/");
        const name = `${language}-${theme}-${size.width}`;
        const picker = page.locator("#model-picker");
        await expect(picker).toBeEnabled();
        await page.screenshot({ path: testInfo.outputPath(`empty-${name}.png`) });
        await picker.selectOption("test-engine-fast");
        await page
          .getByRole("button", { name: language === "zh" ? "加载模型" : "Load model" })
          .click();
        await expect(
          page.locator('[data-testid="model-status"][data-state="ready"]'),
        ).toBeVisible();
        const composer = page.locator("#composer");
        await composer.fill(
          language === "zh"
            ? "#echo **你好**，有什么可以帮你？"
            : "#echo **Hello**, how can I help?",
        );
        await composer.press("Enter");
        await waitForReplyEnd(page);
        await page.screenshot({ path: testInfo.outputPath(`chat-${name}.png`) });
        await page.getByTestId("model-status").click();
        await page.screenshot({ path: testInfo.outputPath(`model-settings-${name}.png`) });
        await page.keyboard.press("Escape");
        if (size.width < 768) {
          await page.locator("button[aria-controls]").first().click();
          await page.screenshot({ path: testInfo.outputPath(`drawer-${name}.png`) });
          await page.keyboard.press("Escape");
        }
        await context.close();
      }
    }
  }
});
