import { expect, test, type BrowserContext, type Page } from "@playwright/test";
import {
  assistantMessages,
  loadModel,
  chatDatabaseMade,
  openApp,
  sendMessage,
  waitForReplyEnd,
  waitForSaved,
  rowMenuButton,
  openModelSettings,
} from "./helpers";

/**
 * Faults injected on purpose: a worker that dies mid-reply, a lost GPU device, a tab reloaded
 * mid-reply, two tabs writing at once, damaged records in IndexedDB and a full disk. Each test
 * ends with a usable app and every message the user wrote or received still there.
 */

const MODEL = "test-engine-fast";

/** Records what the test engine is asked to do and every load phase the progress bar shows. */
async function watchEngine(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const w = window as unknown as { __engineLoads: string[]; __phases: string[] };
    w.__engineLoads = [];
    w.__phases = [];
    new BroadcastChannel("test-engine-log").onmessage = (event: MessageEvent<unknown>) => {
      const data = event.data as { kind?: string; modelId?: string };
      if (data.kind === "load") w.__engineLoads.push(data.modelId ?? "");
    };
    new MutationObserver(() => {
      for (const bar of document.querySelectorAll('[role="progressbar"]')) {
        const name = bar.getAttribute("aria-label") ?? "";
        if (name && w.__phases.at(-1) !== name) w.__phases.push(name);
      }
    }).observe(document, { subtree: true, childList: true, attributes: true });
  });
}

const engineLoads = (page: Page) =>
  page.evaluate(() => (window as unknown as { __engineLoads: string[] }).__engineLoads.length);
const phases = (page: Page) =>
  page.evaluate(() => (window as unknown as { __phases: string[] }).__phases);

async function expectEngineRecovers(page: Page, failedReplyText: RegExp): Promise<void> {
  const failed = assistantMessages(page).first();
  // The partial reply stays, marked, with the reason.
  await expect(failed.getByTestId("message-content")).toContainText(failedReplyText);
  expect(await engineLoads(page)).toBe(1);

  // The next message loads the model again (from the browser cache) and is answered.
  await sendMessage(page, "Are you back?");
  await waitForReplyEnd(page);
  await expect(assistantMessages(page).nth(1)).toHaveAttribute("data-status", "done");
  await expect(assistantMessages(page).nth(1)).toContainText('to "Are you back?"');
  expect(await engineLoads(page)).toBe(2);
  expect(await phases(page)).toContain("Loading from browser cache");

  // After a reload both the marked partial reply and the new answer are still there.
  await page.reload();
  await expect(assistantMessages(page)).toHaveCount(2);
  await expect(assistantMessages(page).first()).toHaveAttribute("data-status", "interrupted");
  await expect(assistantMessages(page).first().getByTestId("message-content")).toContainText(
    failedReplyText,
  );
  await expect(assistantMessages(page).nth(1)).toHaveAttribute("data-status", "done");
}

test("a worker killed mid-reply: the UI says so, the partial reply is kept and the next message restarts the engine", async ({
  page,
}) => {
  // The client declares a silent worker dead after 8 s of missed heartbeats.
  test.setTimeout(90_000);
  await watchEngine(page);
  await openApp(page);
  await loadModel(page, MODEL);
  await sendMessage(page, "Die halfway #crash");
  const reply = assistantMessages(page).first();
  await expect(reply).toHaveAttribute("data-status", "interrupted", { timeout: 30_000 });
  await expect(reply.locator('[data-error-code="worker-crashed"]')).toBeVisible();
  await expect(reply).toContainText("Interrupted");
  // The model is no longer loaded: the load button offers it again.
  await expect(page.locator('[data-testid="model-status"][data-state="ready"]')).toHaveCount(0);
  await expectEngineRecovers(page, /^Reply 1 to/);
});

test("a lost GPU device mid-reply: the UI says so, the partial reply is kept and the next message reloads the model", async ({
  page,
}) => {
  await watchEngine(page);
  await openApp(page);
  await loadModel(page, MODEL);
  await sendMessage(page, "Lose the GPU #fail:device-lost");
  const reply = assistantMessages(page).first();
  await expect(reply).toHaveAttribute("data-status", "interrupted");
  await expect(reply.locator('[data-error-code="device-lost"]')).toContainText("GPU");
  await expectEngineRecovers(page, /^Reply 1 to/);
});

test("a tab reloaded mid-reply keeps the partial reply, marks it, and the chat goes on", async ({
  page,
}) => {
  await openApp(page);
  await loadModel(page, MODEL);
  await sendMessage(page, "Write slowly #long:300 #rate:20");
  const reply = assistantMessages(page).first();
  await expect(reply.getByTestId("message-content")).toContainText("lazy dog");
  await page.waitForTimeout(700);
  const seen = (await reply.getByTestId("message-content").textContent()) ?? "";
  await page.reload();

  const kept = assistantMessages(page).first();
  await expect(kept).toHaveAttribute("data-status", "interrupted");
  await expect(kept).toContainText("Interrupted");
  // At most one throttled save (500 ms) of text can be lost to a hard reload, never the start.
  const keptText = (await kept.getByTestId("message-content").textContent()) ?? "";
  expect(keptText.length).toBeGreaterThan(seen.length / 3);
  expect(seen.startsWith(keptText.slice(0, 40))).toBe(true);

  await loadModel(page, MODEL);
  await sendMessage(page, "Still here?");
  await waitForReplyEnd(page);
  await expect(assistantMessages(page).nth(1)).toContainText('to "Still here?"');
  await page.reload();
  await expect(page.locator("article")).toHaveCount(4);
});

test("two tabs sending in the same chat and in different chats lose no message", async ({
  context,
}) => {
  test.setTimeout(90_000);
  const a = await context.newPage();
  await openApp(a);
  await loadModel(a, MODEL);
  await sendMessage(a, "Shared start");
  await waitForReplyEnd(a);

  const b = await context.newPage();
  await openApp(b);
  await expect(b.getByTestId("conversation-list").getByTestId("conversation-entry")).toHaveText([
    "Shared start",
  ]);
  await loadModel(b, MODEL);

  // Same chat: both tabs send at once, each reply streaming while the other tab saves.
  await Promise.all([
    sendMessage(a, "From tab A #long:40 #rate:80"),
    sendMessage(b, "From tab B #long:40 #rate:80"),
  ]);
  await Promise.all([waitForReplyEnd(a), waitForReplyEnd(b)]);
  for (const page of [a, b]) {
    // Each tab learns the other's messages through the broadcast, without a reload.
    await expect(page.locator("article")).toHaveCount(6);
    const asked = page.locator('article[data-role="user"]').getByTestId("message-content");
    // Sent in the same instant, A's and B's messages may land in either order.
    expect((await asked.allTextContents()).map((t) => t.split(" #")[0]).sort()).toEqual([
      "From tab A",
      "From tab B",
      "Shared start",
    ]);
    await expect(page.locator('article[data-status="done"]')).toHaveCount(6);
  }

  // Different chats: each tab starts its own at the same moment.
  await a.getByRole("button", { name: "+ New chat" }).click();
  await b.getByRole("button", { name: "+ New chat" }).click();
  await Promise.all([sendMessage(a, "Only in A #long:30 #rate:80"), sendMessage(b, "Only in B")]);
  await Promise.all([waitForReplyEnd(a), waitForReplyEnd(b)]);
  for (const page of [a, b]) {
    await expect(
      page.getByTestId("conversation-list").getByTestId("conversation-entry"),
    ).toHaveCount(3);
  }

  // A third tab reads IndexedDB fresh: every message of every tab is there, none duplicated.
  const c = await context.newPage();
  await openApp(c);
  const list = c.getByTestId("conversation-list").getByTestId("conversation-entry");
  await expect(list).toHaveCount(3);
  for (const [title, count] of [
    ["Shared start", 6],
    // Titles leave out the test engine's #directives.
    ["Only in A", 2],
    ["Only in B", 2],
  ] as const) {
    await list.filter({ hasText: title }).click();
    await expect(c.locator("article")).toHaveCount(count);
    await expect(c.locator('article[data-status="done"]')).toHaveCount(count);
  }
});

/** A new tab with the model loaded and one answered, saved question. */
async function tabWithOneChat(context: BrowserContext, question: string): Promise<Page> {
  const tab = await context.newPage();
  await openApp(tab);
  await loadModel(tab, MODEL);
  await sendMessage(tab, question);
  await waitForReplyEnd(tab);
  await waitForSaved(tab);
  return tab;
}

test("a chat deleted in one tab stays deleted while another tab is still writing to it, and Undo brings it back", async ({
  context,
}) => {
  test.setTimeout(90_000);
  const a = await tabWithOneChat(context, "Delete me");
  const listA = a.getByTestId("conversation-list").getByTestId("conversation-entry");

  const b = await context.newPage();
  await openApp(b);
  const listB = b.getByTestId("conversation-list").getByTestId("conversation-entry");
  await expect(listB).toHaveText(["Delete me"]);
  await loadModel(b, MODEL);
  // A slow reply: tab B saves it every 500 ms, so it always holds a change not written yet.
  await sendMessage(b, "Keep writing #long:400 #rate:20");
  await expect(assistantMessages(b).nth(1).getByTestId("message-content")).toContainText(
    "lazy dog",
  );
  // Tab A has the chat open and sees B's reply arrive.
  await expect(a.locator("article")).toHaveCount(4);

  await rowMenuButton(a, 0).click();
  await a.getByRole("button", { name: "Delete conversation" }).click();
  await expect(listA).toHaveCount(0);
  // B's next save is refused: its reply stops and the chat leaves tab B as well.
  await expect(listB).toHaveCount(0);
  await waitForReplyEnd(b);
  await waitForSaved(b);
  await b.reload();
  await expect(b.getByRole("combobox", { name: /model/i })).toBeEnabled();
  await expect(listB).toHaveCount(0);
  await expect(listA).toHaveCount(0);

  // Undo (still offered in A) restores the chat as A last saw it, in both tabs.
  await a.getByRole("button", { name: "Undo" }).click();
  await expect(listA).toHaveText(["Delete me"]);
  await expect(listB).toHaveText(["Delete me"]);
  await waitForSaved(a);
  await a.reload();
  await expect(listA).toHaveText(["Delete me"]);
  await expect(a.locator("article")).toHaveCount(4);
});

test("a rename, pin and settings change in one tab survive another tab streaming into the chat", async ({
  context,
}) => {
  test.setTimeout(90_000);
  const a = await tabWithOneChat(context, "Rename me");

  const b = await context.newPage();
  await openApp(b);
  const listB = b.getByTestId("conversation-list").getByTestId("conversation-entry");
  await expect(listB).toHaveText(["Rename me"]);
  await expect(b.locator("article")).toHaveCount(2);

  // A slow reply in tab A: every save and every announcement it makes carries a newer updatedAt.
  await sendMessage(a, "Keep writing #long:300 #rate:25");
  await expect(assistantMessages(a).nth(1).getByTestId("message-content")).toContainText(
    "lazy dog",
  );
  await expect(b.locator("article")).toHaveCount(4);

  await rowMenuButton(b, 0).click();
  await b.getByRole("button", { name: "Rename", exact: true }).click();
  const title = b.getByRole("textbox", { name: "Conversation title" });
  await title.fill("Renamed in B");
  await title.press("Enter");
  await rowMenuButton(b, 0).click();
  await b.getByRole("button", { name: "Pin", exact: true }).click();
  await openModelSettings(b);
  await b.getByText("Generation settings for this chat").click();
  await b.getByLabel("Decoding preset").selectOption("creative");
  await b.keyboard.press("Escape");
  await waitForSaved(b);

  // A keeps streaming after B's changes, then finishes; neither tab may lose them.
  const listA = a.getByTestId("conversation-list").getByTestId("conversation-entry");
  await expect(listA).toHaveText([/Renamed in B/]);
  await waitForReplyEnd(a);
  await waitForSaved(a);
  await waitForSaved(b);
  const c = await context.newPage();
  await openApp(c);
  for (const page of [a, b, c]) {
    const entries = page.getByTestId("conversation-list").getByTestId("conversation-entry");
    await expect(entries).toHaveText([/Renamed in B/]);
    await expect(entries.first().getByTestId("pinned-mark")).toBeVisible();
  }
  await expect(c.locator('article[data-status="done"]')).toHaveCount(4);
  await openModelSettings(c);
  await c.getByText("Generation settings for this chat").click();
  await expect(c.getByLabel("Decoding preset")).toHaveValue("creative");
});

test("stored records of an unexpected shape: the app starts, shows the good ones and sets the bad ones aside", async ({
  page,
}) => {
  await openApp(page);
  await chatDatabaseMade(page);
  await page.evaluate(async () => {
    const good = (id: string, title: string, status = "done") => ({
      id,
      title,
      createdAt: 1,
      updatedAt: id === "good-1" ? 3 : 2,
      messages: [
        { id: id + "-u", role: "user", content: "Question " + title, createdAt: 1, status: "done" },
        { id: id + "-a", role: "assistant", content: "Answer " + title, createdAt: 2, status },
      ],
    });
    const records: [IDBValidKey, unknown][] = [
      ["good-1", good("good-1", "Good one")],
      ["good-2", good("good-2", "Good two (cut off)", "streaming")],
      ["bad-null", null],
      ["bad-string", "<img src=x onerror=alert(1)>"],
      ["bad-array", [1, 2, 3]],
      ["bad-role", { ...good("bad-role", "Robot"), messages: [{ id: "m", role: "robot" }] }],
      ["bad-no-messages", { id: "x", title: "No messages", createdAt: 1, updatedAt: 1 }],
      ["bad-types", { id: 42, title: ["t"], createdAt: "yesterday", updatedAt: {}, messages: [] }],
      [7, { id: "numeric-key", title: 7 }],
    ];
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open("cutegpt-chats");
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    await new Promise<void>((resolve, reject) => {
      const tx = db.transaction("conversations", "readwrite");
      for (const [key, value] of records) tx.objectStore("conversations").put(value, key);
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
    });
    db.close();
  });

  const dialogs: string[] = [];
  page.on("dialog", (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await page.reload();
  const list = page.getByTestId("conversation-list").getByTestId("conversation-entry");
  await expect(list).toHaveText(["Good one", "Good two (cut off)"]);
  await expect(page.getByRole("status").filter({ hasText: "set aside" })).toContainText("7");
  await expect(assistantMessages(page).first()).toHaveText(/Answer Good one/);
  await list.nth(1).click();
  await expect(assistantMessages(page).first()).toHaveAttribute("data-status", "interrupted");

  // Set aside, not deleted: the records are still in the database for a later version.
  const stored = await page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve) => {
      const open = indexedDB.open("cutegpt-chats");
      open.onsuccess = () => resolve(open.result);
    });
    return new Promise<number>((resolve) => {
      const count = db.transaction("conversations").objectStore("conversations").count();
      count.onsuccess = () => resolve(count.result);
    });
  });
  expect(stored).toBe(9);

  // The app is fully usable.
  await loadModel(page, MODEL);
  await page.getByRole("button", { name: "+ New chat" }).click();
  await sendMessage(page, "Works anyway");
  await waitForReplyEnd(page);
  await expect(assistantMessages(page).first()).toHaveAttribute("data-status", "done");
  expect(dialogs).toEqual([]);
});

test.describe("with the service worker blocked", () => {
  // The quota is for the chats: the service worker's precache (several MB, more with each
  // build) would otherwise take whatever part of it fits before its install fails, and how much
  // that leaves the chats would change with every build.
  test.use({ serviceWorkers: "block" });

  test("storage full while saving: a message, nothing lost from memory, saved on retry", async ({
    page,
    baseURL,
  }) => {
    // The site gets 600 KB before it first stores anything: enough for the app, the test
    // engine's cache mark and a short chat, not for a long paste. (Chromium's IndexedDB keeps the
    // free space it learnt at an origin's first write and asks again only when a write would not
    // fit, so the quota must be small from the start rather than shrunk later. Each database
    // costs about 72 KB even when empty; chats use one, with records and summaries.)
    const cdp = await page.context().newCDPSession(page);
    const origin = new URL(baseURL ?? "http://127.0.0.1:4180").origin;
    await cdp.send("Storage.getUsageAndQuota", { origin });
    await cdp.send("Storage.overrideQuotaForOrigin", { origin, quotaSize: 600 * 1024 });
    await openApp(page);
    await loadModel(page, MODEL);
    await sendMessage(page, "Before the disk fills");
    await waitForReplyEnd(page);
    await page.getByRole("button", { name: "+ New chat" }).click();
    const big = "A long paste that will not fit. " + "x".repeat(600 * 1024);
    await sendMessage(page, big);
    await waitForReplyEnd(page);

    const alert = page.getByRole("alert").filter({ hasText: "could not be saved" });
    await expect(alert).toBeVisible();
    await expect(alert).toContainText("QuotaExceededError");
    // Everything is still on screen and the app goes on working.
    await expect(page.locator("article")).toHaveCount(2);
    await expect(assistantMessages(page).first()).toHaveAttribute("data-status", "done");
    await expect(page.locator('article[data-role="user"]')).toContainText("will not fit");

    // A retry while the disk is still full fails again and says so.
    await alert.getByRole("button", { name: "Retry saving" }).click();
    await expect(alert).toBeVisible();

    // Space comes back; the retry saves everything and the message goes away.
    // Any later save writes everything still waiting, so the app may get there before the
    // click does; either way the message must go and the data must be on disk.
    await cdp.send("Storage.overrideQuotaForOrigin", { origin });
    await alert
      .getByRole("button", { name: "Retry saving" })
      .click({ timeout: 2000 })
      .catch(() => undefined);
    await expect(alert).toHaveCount(0);
    await page.reload();
    const list = page.getByTestId("conversation-list").getByTestId("conversation-entry");
    await expect(list).toHaveCount(2);
    await list.filter({ hasText: "A long paste" }).click();
    await expect(page.locator("article")).toHaveCount(2);
    await expect(assistantMessages(page).first()).toHaveAttribute("data-status", "done");
    const saved = await page
      .locator('article[data-role="user"]')
      .getByTestId("message-content")
      .textContent();
    expect(saved).toBe(big);
  });
});
