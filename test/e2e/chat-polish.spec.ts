import { expect, test, type Page } from "@playwright/test";
import { readFileSync } from "node:fs";
import {
  assistantMessages,
  loadModel,
  openApp,
  sendMessage,
  waitForReplyEnd,
  waitForSaved,
  rowMenuButton,
} from "./helpers";

const MARKDOWN = [
  "# Title",
  "",
  "| a | b |",
  "|---|--:|",
  "| 1 | 2 |",
  "",
  "- [x] done item",
  "- [ ] open item",
  "",
  "```js",
  "const x = 1;",
  "```",
  "",
  "Euler: $e^{i\\pi}+1=0$",
  "",
  "$$\\int_0^1 x\\,dx$$",
  "",
  '<img src=x onerror="window.__pwned=1"> and <b>bold?</b>',
  "",
  "[bad](javascript:window.__pwned=1) [good](https://example.com/)",
  "",
  "![remote](https://example.com/track.png)",
  "",
  "![inline](data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==)",
].join("\n");

async function ready(page: Page, model = "test-engine-fast"): Promise<void> {
  await openApp(page);
  await loadModel(page, model);
}

test("markdown replies render GFM, code, math and images safely", async ({ page, context }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  const remoteRequests: string[] = [];
  page.on("request", (r) => {
    if (r.url().startsWith("https://example.com")) remoteRequests.push(r.url());
  });
  await ready(page);
  await sendMessage(page, `#echo ${MARKDOWN}`);
  await waitForReplyEnd(page);
  const reply = assistantMessages(page).first().getByTestId("message-content");

  await expect(reply.getByRole("heading", { name: "Title" })).toBeVisible();
  await expect(reply.locator("table td")).toHaveText(["1", "2"]);
  await expect(reply.locator("li.md-task")).toHaveCount(2);
  await expect(reply.locator("li.md-task").first()).toContainText("done item");
  // Highlighted once the lazy highlighter is there, with a working copy button.
  await expect(reply.locator("code.hljs .hljs-keyword")).toHaveText("const");
  await reply.getByRole("button", { name: "Copy code" }).click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe("const x = 1;\n");
  // KaTeX (lazy) renders both inline and display math.
  await expect(reply.locator(".katex")).toHaveCount(2);
  await expect(reply.locator(".katex-display")).toHaveCount(1);
  // Raw HTML stays text; a javascript: link is not a link.
  await expect(reply).toContainText('<img src=x onerror="window.__pwned=1">');
  await expect(reply.locator("b")).toHaveCount(0);
  await expect(reply.locator('a:not([data-testid="remote-image"])')).toHaveCount(1);
  await expect(reply.getByRole("link", { name: "good" })).toHaveAttribute(
    "rel",
    /noopener.*noreferrer/,
  );
  expect(await page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();
  // The data: image shows; the remote one waits for a click and names its URL.
  await expect(reply.locator('img[alt="inline"]')).toHaveCount(1);
  const placeholder = reply.getByTestId("remote-image");
  await expect(placeholder).toContainText("https://example.com/track.png");
  expect(remoteRequests).toEqual([]);
  // Clicking opens it in its own tab; the page itself never loads it.
  await expect(placeholder).toHaveAttribute("href", "https://example.com/track.png");
  await expect(placeholder).toHaveAttribute("target", "_blank");
  await expect(placeholder).toHaveAttribute("rel", "noopener noreferrer nofollow");
  await expect(reply.locator('img[alt="remote"]')).toHaveCount(0);
});

test("the reply cursor pulses while the prompt is read and stays still once text streams", async ({
  page,
}) => {
  await ready(page);
  await sendMessage(page, "#prefill:1500 #rate:10 #long:40 a question");
  const cursor = assistantMessages(page).last().getByTestId("reply-cursor");
  const animation = () => cursor.evaluate((el) => getComputedStyle(el).animationName);
  await expect(cursor).toBeVisible();
  expect(await animation()).not.toBe("none");
  await expect(assistantMessages(page).last().locator(".md")).not.toBeEmpty({ timeout: 10_000 });
  expect(await animation()).toBe("none");
  await waitForReplyEnd(page);
  await expect(cursor).toHaveCount(0);
});

test("message actions: copy, regenerate, edit and resend, delete, continue", async ({
  page,
  context,
}) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await ready(page);
  await sendMessage(page, "First question");
  await waitForReplyEnd(page);
  const first = assistantMessages(page).first();
  await expect(first).toContainText('Reply 1 to "First question"');

  await first.getByRole("button", { name: "Copy", exact: true }).click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toContain("Reply 1 to");

  // Regenerate shows a new reply in the last one's place (the test engine counts turns); the
  // earlier one stays as a version (versions.spec.ts).
  await first.getByRole("button", { name: "Regenerate" }).click();
  await waitForReplyEnd(page);
  await expect(page.locator("article")).toHaveCount(2);
  await expect(assistantMessages(page).first()).toContainText('Reply 2 to "First question"');

  await sendMessage(page, "Second question");
  await waitForReplyEnd(page);
  await expect(page.locator("article")).toHaveCount(4);

  // Editing the first question shows it without what came after it (kept as a version).
  const question = page.locator('article[data-role="user"]').first();
  await question.getByRole("button", { name: "Edit" }).click();
  const box = page.getByRole("textbox", { name: "Edit your message" });
  await expect(box).toBeFocused();
  await box.fill("Edited question");
  await page.getByRole("button", { name: "Save and send" }).click();
  await waitForReplyEnd(page);
  await expect(page.locator("article")).toHaveCount(2);
  await expect(page.locator('article[data-role="user"]')).toContainText("Edited question");
  await expect(assistantMessages(page).first()).toContainText('to "Edited question"');

  // Delete removes one message, and stays deleted after a reload.
  await assistantMessages(page).first().getByRole("button", { name: "Delete" }).click();
  await expect(page.locator("article")).toHaveCount(1);
  await waitForSaved(page);
  await page.reload();
  await expect(page.locator("article")).toHaveCount(1);
});

test("a reply cut at the max-token limit can be continued", async ({ page }) => {
  await ready(page, "cutegpt-test-ift-q4f32_1");
  await sendMessage(page, "Write a lot #long:300 #rate:400");
  await waitForReplyEnd(page);
  const reply = assistantMessages(page).first();
  await expect(reply.getByTestId("message-meta")).toContainText("max-token limit");
  const before = ((await reply.getByTestId("message-content").textContent()) ?? "").length;
  await reply.getByRole("button", { name: "Continue" }).click();
  await waitForReplyEnd(page);
  const after = ((await reply.getByTestId("message-content").textContent()) ?? "").length;
  expect(after).toBeGreaterThan(before);
  await expect(page.locator("article")).toHaveCount(2);
  await expect(reply.getByTestId("message-meta")).toContainText("512 tokens");
});

test("conversations: rename, pin, delete with undo, search, shortcuts", async ({ page }) => {
  await ready(page);
  await sendMessage(page, "Alpha chat about pandas");
  await waitForReplyEnd(page);
  await page.keyboard.press("Control+Shift+O");
  await expect(page.getByRole("textbox", { name: "Message" })).toBeFocused();
  await sendMessage(page, "#echo Bravo reply mentions a zebra crossing");
  await waitForReplyEnd(page);
  const list = page.getByTestId("conversation-list").getByTestId("conversation-entry");
  await expect(list).toHaveCount(2);
  await expect(list.nth(0)).toContainText("Bravo");

  // Rename the open chat, from its row's menu.
  await rowMenuButton(page, 0).click();
  await page.getByRole("button", { name: "Rename" }).click();
  const title = page.getByRole("textbox", { name: "Conversation title" });
  await title.fill("Zebra notes");
  await title.press("Enter");
  await expect(list.nth(0)).toHaveText("Zebra notes");

  // Pin the older chat: it moves to the top.
  await list.nth(1).click();
  await rowMenuButton(page, 1).click();
  await page.getByRole("button", { name: "Pin", exact: true }).click();
  await expect(list.nth(0)).toContainText("Alpha chat about pandas");
  await expect(list.nth(0).getByTestId("pinned-mark")).toBeVisible();

  // Search finds text inside messages, not only titles.
  const search = page.getByRole("searchbox", { name: "Search chats" });
  await search.fill("zebra CROSSING");
  const results = page.getByTestId("search-results").getByRole("button");
  await expect(results).toHaveCount(1);
  await expect(results.first()).toContainText("Zebra notes");
  await expect(results.first()).toContainText("zebra crossing");
  await search.fill("no such words");
  await expect(page.getByText("No chats match.")).toBeVisible();
  await search.fill("");

  // Delete with undo, then delete for good (survives a reload).
  await list.nth(0).click();
  await rowMenuButton(page, 0).click();
  await page.getByRole("button", { name: "Delete conversation" }).click();
  await expect(list).toHaveCount(1);
  await page.getByRole("button", { name: "Undo" }).click();
  await expect(list).toHaveCount(2);
  await rowMenuButton(page, 0).click();
  await page.getByRole("button", { name: "Delete conversation" }).click();
  await expect(list).toHaveCount(1);
  await waitForSaved(page);
  await page.reload();
  await expect(page.getByTestId("conversation-list").getByTestId("conversation-entry")).toHaveCount(
    1,
  );
  await expect(page.getByTestId("conversation-list")).toContainText("Zebra notes");

  // Shift+Esc focuses the composer; Esc stops a streaming reply.
  await loadModel(page, "test-engine-fast");
  await page.getByRole("searchbox", { name: "Search chats" }).focus();
  await page.keyboard.press("Shift+Escape");
  await expect(page.getByRole("textbox", { name: "Message" })).toBeFocused();
  await sendMessage(page, "Slow one #long:400 #rate:20");
  await expect(assistantMessages(page).last().getByTestId("message-content")).toContainText("fox");
  await page.keyboard.press("Escape");
  await expect(assistantMessages(page).last()).toHaveAttribute("data-status", "stopped");
});

test("settings: theme, language and send key persist", async ({ page }) => {
  await openApp(page);
  await page.getByRole("button", { name: "Settings", exact: true }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByRole("combobox", { name: "Theme" }).selectOption("dark");
  await expect(page.locator("html")).toHaveClass(/dark/);
  await dialog.getByRole("combobox", { name: "Send with" }).selectOption("mod-enter");
  await dialog.getByRole("combobox", { name: "Language" }).selectOption("zh");
  await expect(page.locator("html")).toHaveAttribute("lang", "zh-CN");
  await expect(page.getByRole("dialog", { name: "设置" })).toBeVisible();
  await expect(dialog.getByRole("combobox", { name: "主题" })).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(page.getByRole("button", { name: "+ 新对话" })).toBeVisible();

  await page.reload();
  await expect(page.locator("html")).toHaveClass(/dark/);
  await expect(page.getByRole("button", { name: "+ 新对话" })).toBeVisible();
  await page.getByRole("button", { name: "设置", exact: true }).click();
  await expect(page.getByRole("combobox", { name: "发送方式" })).toHaveValue("mod-enter");
  await page.getByRole("combobox", { name: "语言" }).selectOption("en");
  await page.getByRole("combobox", { name: "Theme" }).selectOption("light");
  await expect(page.locator("html")).not.toHaveClass(/dark/);
});

test("the first language follows navigator.language", async ({ browser }) => {
  const context = await browser.newContext({ locale: "zh-CN" });
  const page = await context.newPage();
  await page.goto("/");
  await expect(page.getByRole("button", { name: "+ 新对话" })).toBeVisible();
  await expect(page.locator("html")).toHaveAttribute("lang", "zh-CN");
  await context.close();
});

test("export and import: JSON round trip without duplicates, Markdown, clear errors", async ({
  page,
}, testInfo) => {
  await ready(page);
  await sendMessage(page, "Export me please");
  await waitForReplyEnd(page);

  await page.getByText("Export & import").click();
  const jsonDownload = page.waitForEvent("download");
  await page.getByRole("button", { name: "Export all chats (JSON)" }).click();
  const jsonPath = testInfo.outputPath("export.json");
  await (await jsonDownload).saveAs(jsonPath);
  const exported = JSON.parse(readFileSync(jsonPath, "utf8")) as {
    format: string;
    version: number;
    conversations: { title: string }[];
  };
  expect(exported.format).toBe("cutegpt-web-conversations");
  expect(exported.version).toBe(1);
  expect(exported.conversations.map((c) => c.title)).toEqual(["Export me please"]);

  const mdDownload = page.waitForEvent("download");
  await page.getByRole("button", { name: "Export this chat (Markdown)" }).click();
  const mdPath = testInfo.outputPath("export.md");
  await (await mdDownload).saveAs(mdPath);
  const markdown = readFileSync(mdPath, "utf8");
  expect(markdown).toContain("# Export me please");
  expect(markdown).toContain("## Assistant");

  const input = page.getByTestId("import-file");
  const result = page.getByTestId("import-result");
  // Importing into the same browser adds nothing.
  await input.setInputFiles(jsonPath);
  await expect(result).toHaveText("Imported 0 new chats; 0 merged; 1 already here.");
  await expect(page.getByTestId("conversation-list").getByTestId("conversation-entry")).toHaveCount(
    1,
  );

  await input.setInputFiles({
    name: "notes.json",
    mimeType: "application/json",
    buffer: Buffer.from("this is not json"),
  });
  await expect(page.getByRole("alert").filter({ hasText: "not JSON" })).toBeVisible();
  await input.setInputFiles({
    name: "other.json",
    mimeType: "application/json",
    buffer: Buffer.from(JSON.stringify({ hello: "world" })),
  });
  await expect(result).toContainText("not a CuteGPT Web export");
  await input.setInputFiles({
    name: "future.json",
    mimeType: "application/json",
    buffer: Buffer.from(
      JSON.stringify({ format: "cutegpt-web-conversations", version: 9, conversations: [] }),
    ),
  });
  await expect(result).toContainText("newer version");

  // Into a fresh profile: the chat appears, and a second import changes nothing.
  const fresh = await page.context().browser()!.newContext();
  const other = await fresh.newPage();
  await other.goto("/");
  await other.getByText("Export & import").click();
  await other.getByTestId("import-file").setInputFiles(jsonPath);
  await expect(other.getByTestId("import-result")).toHaveText(
    "Imported 1 new chats; 0 merged; 0 already here.",
  );
  await other.getByTestId("import-file").setInputFiles(jsonPath);
  await expect(other.getByTestId("import-result")).toHaveText(
    "Imported 0 new chats; 0 merged; 1 already here.",
  );
  await expect(other.getByTestId("conversation-list").getByTestId("conversation-entry")).toHaveText(
    ["Export me please"],
  );
  await expect(other.locator('article[data-role="assistant"]')).toContainText("Reply 1");
  await fresh.close();
});
