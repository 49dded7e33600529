import { expect, test, type Page } from "@playwright/test";
import { deflateSync } from "fflate";
import { encodeBase64Url } from "../../app/features/share/base64url";
import { encodeShareFragment, type SharedConversation } from "../../app/features/share/codec";
import { encodeCompactText } from "../../app/features/share/compact-text";
import {
  assistantMessages,
  loadModel,
  openApp,
  sendMessage,
  waitForReplyEnd,
  waitForSaved,
} from "./helpers";

const conversationList = (page: Page) =>
  page.getByTestId("conversation-list").getByTestId("conversation-entry");

/** Random letters: text that does not compress, to make long links on purpose. */
function noise(length: number): string {
  let seed = 7;
  let out = "";
  for (let i = 0; i < length; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    out += String.fromCharCode(97 + (seed % 26));
  }
  return out;
}

test("a shared link opens read-only on another device, continues locally, and never duplicates", async ({
  page,
  browser,
}) => {
  await openApp(page);
  await loadModel(page, "test-engine-fast");
  await sendMessage(page, "你好 🐱 请写代码");
  await waitForReplyEnd(page);
  await sendMessage(page, "#echo ```js\\nconsole.log('再见 👋');\\n```");
  await waitForReplyEnd(page);

  await page.getByRole("button", { name: "Share", exact: true }).click();
  const dialog = page.getByRole("dialog", { name: "Share this conversation" });
  await expect(dialog.getByTestId("share-qr")).toBeVisible();
  await expect(dialog.getByText(/^Link \(\d+ characters\)/)).toBeVisible();
  await page.context().grantPermissions(["clipboard-read", "clipboard-write"]);
  await dialog.getByRole("button", { name: "Copy link" }).click();
  const link = await page.evaluate(() => navigator.clipboard.readText());
  expect(link).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#v1\.[A-Za-z0-9_-]+$/);

  // Another device: a fresh browser context with no local history.
  const other = await browser.newContext();
  const friend = await other.newPage();
  await friend.goto(link);
  const view = friend.getByTestId("shared-view");
  await expect(view.getByRole("heading", { name: "你好 🐱 请写代码" })).toBeVisible();
  await expect(view.getByTestId("shared-model")).toContainText("Test engine (fast)");
  await expect(view.locator("article")).toHaveCount(4);
  await expect(view.locator("article").nth(3)).toContainText("console.log('再见 👋');");
  await expect(friend.getByTestId("conversation-list")).toHaveCount(0);

  await friend.getByRole("button", { name: "Continue this chat" }).click();
  await expect(conversationList(friend)).toHaveCount(1);
  await expect(friend.locator('article[data-role="user"]').first()).toContainText(
    "你好 🐱 请写代码",
  );
  await expect(friend).toHaveURL(/\/$/);

  // The same link again: no second copy.
  await friend.goto(link);
  await friend.getByRole("button", { name: "Open my copy" }).click();
  await friend.reload();
  await expect(conversationList(friend)).toHaveCount(1);
  await other.close();
});

test("long links warn and offer the last turns; too-long conversations get a clear message", async ({
  page,
}) => {
  await openApp(page);
  await loadModel(page, "test-engine-fast");
  await sendMessage(page, `first ${noise(14000)}`);
  await waitForReplyEnd(page);
  await sendMessage(page, "second, short");
  await waitForReplyEnd(page);

  await page.getByRole("button", { name: "Share", exact: true }).click();
  await expect(page.getByTestId("share-long")).toContainText("longer than 8 KB");
  await page.getByRole("button", { name: /Fit under 8 KB \(1 turns\)/ }).click();
  await expect(page.getByTestId("share-long")).toHaveCount(0);
  const short = await page.getByLabel(/^Link/).inputValue();
  expect(short.length).toBeLessThan(8192);
  await page.getByRole("button", { name: "Close" }).click();

  await page.getByRole("button", { name: "+ New chat" }).click();
  await page.getByRole("textbox", { name: "Message" }).fill(`huge ${noise(300_000)}`);
  await page.getByRole("textbox", { name: "Message" }).press("Enter");
  await waitForReplyEnd(page);
  await page.getByRole("button", { name: "Share", exact: true }).click();
  await expect(page.getByTestId("share-error")).toContainText("too long to fit in a link");
  await expect(page.getByRole("button", { name: "Copy link" })).toBeDisabled();
});

const valid: SharedConversation = {
  v: 1,
  title: "ok",
  modelId: "test-engine-fast",
  settings: {},
  messages: [{ role: "user", content: "hi" }],
};

function rawFragment(wire: unknown): string {
  return `v1.${encodeBase64Url(deflateSync(encodeCompactText(JSON.stringify(wire)), { level: 9 }))}`;
}

const hostile: Array<[string, () => string, string]> = [
  ["bad base64", () => "v1.@@not*base64!!", "bad-encoding"],
  [
    "truncated deflate",
    () =>
      // Cut on a 4-character boundary so the base64 itself stays valid.
      encodeShareFragment({ ...valid, messages: [{ role: "user", content: noise(3000) }] }).slice(
        0,
        3 + 200,
      ),
    "bad-compression",
  ],
  [
    "a decompression bomb",
    () => `v1.${encodeBase64Url(deflateSync(new Uint8Array(50 * 1024 * 1024), { level: 9 }))}`,
    "too-large",
  ],
  [
    "a wrong schema",
    () => rawFragment(["title", "test-engine-fast", {}, [[7, "hi"]], "extra"]),
    "bad-schema",
  ],
  ["an unknown version", () => "v2.AAAA", "bad-version"],
  ["an oversized link", () => `v1.${"A".repeat(300_000)}`, "link-too-long"],
];

for (const [name, make, code] of hostile) {
  test(`a link with ${name} ends in a clear message and leaves local history alone`, async ({
    page,
  }) => {
    await openApp(page);
    await loadModel(page, "test-engine-fast");
    await sendMessage(page, "keep me");
    await waitForReplyEnd(page);
    await page.goto(`/#${make()}`);
    const error = page.getByTestId("share-open-error");
    await expect(error).toHaveAttribute("data-error-code", code);
    expect(((await error.textContent()) ?? "").length).toBeGreaterThan(20);
    await page.getByRole("button", { name: "Back to my chats" }).click();
    await expect(conversationList(page)).toHaveCount(1);
    await expect(assistantMessages(page)).toHaveCount(1);
  });
}

test("script and event-handler payloads in a shared title and messages stay inert text", async ({
  page,
}) => {
  const dialogs: string[] = [];
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  const payload = `<img src=x onerror="window.__xss=1;alert(1)"><script>window.__xss=2</script>`;
  const fragment = encodeShareFragment({
    v: 1,
    title: `<svg onload="window.__xss=3">${payload}`,
    modelId: "test-engine-fast",
    settings: { metaPrompt: payload },
    messages: [
      { role: "user", content: payload },
      { role: "assistant", content: `[click](javascript:window.__xss=4) ${payload}` },
    ],
  });
  await page.goto(`/#${fragment}`);
  const view = page.getByTestId("shared-view");
  await expect(view.locator("article").first()).toContainText("<script>window.__xss=2</script>");
  await expect(view.getByRole("heading")).toContainText('<svg onload="window.__xss=3">');
  await page.getByRole("button", { name: "Continue this chat" }).click();
  await waitForSaved(page);
  await page.reload();
  await expect(page.locator("article").first()).toContainText("onerror");
  expect(await page.evaluate(() => (window as { __xss?: number }).__xss)).toBeUndefined();
  expect(await page.locator("script:not([src])").count()).toBe(0);
  expect(dialogs).toEqual([]);
});

test("a shared link's preview offers no Edit or Delete, leaves the open local chat alone, and keeps its messages mounted", async ({
  page,
}) => {
  await openApp(page);
  await loadModel(page, "test-engine-fast");
  await sendMessage(page, "my local question");
  await waitForReplyEnd(page);
  await waitForSaved(page);
  const fragment = encodeShareFragment({
    v: 1,
    title: "Shared chat",
    modelId: "test-engine-fast",
    settings: {},
    messages: [
      { role: "user", content: "shared question" },
      { role: "assistant", content: "shared **answer**" },
    ],
  });
  // The local chat stays the active one while the link is shown.
  await page.goto(`/#${fragment}`);
  const view = page.getByTestId("shared-view");
  await expect(view.locator("article")).toHaveCount(2);
  await expect(view.getByRole("button", { name: "Copy" })).toHaveCount(2);
  for (const name of ["Edit", "Delete", "Regenerate", "Continue"]) {
    await expect(view.getByRole("button", { name, exact: true })).toHaveCount(0);
  }

  // A re-render of the view (here: the language changes) keeps each message's element, as
  // it does only when the preview's ids stay the same.
  await view
    .locator("article")
    .first()
    .evaluate((el) => ((el as HTMLElement & { marked?: true }).marked = true));
  await page.getByRole("button", { name: "Settings", exact: true }).click();
  await page.getByRole("dialog").getByRole("combobox", { name: "Language" }).selectOption("zh");
  await expect(page.locator("html")).toHaveAttribute("lang", "zh-CN");
  await page.keyboard.press("Escape");
  await expect(view.locator("article")).toHaveCount(2);
  expect(
    await view
      .locator("article")
      .first()
      .evaluate((el) => (el as HTMLElement & { marked?: true }).marked === true),
  ).toBe(true);

  // Leaving the preview finds the local chat as it was.
  await page.getByRole("button", { name: "关闭" }).click();
  await expect(page.locator("article")).toHaveCount(2);
  await expect(page.locator('article[data-role="user"]').first()).toContainText(
    "my local question",
  );
});
