import { CHAT_DB, CHAT_DB_VERSION } from "../../app/storage/chat-database";
import { expect, type Page } from "@playwright/test";

export async function openApp(page: Page, url = "/"): Promise<void> {
  await page.goto(url);
  await expect(page.getByRole("combobox", { name: /model|模型/i })).toBeEnabled();
}

/**
 * Waits until the app has made its chat database at its current version. A test that opens
 * the database without a version before then, to write records of its own, would create an
 * empty one with no stores, or find the app's first upgrade midway (chat-database.ts).
 */
export async function chatDatabaseMade(page: Page): Promise<void> {
  const version = () =>
    page.evaluate(
      async (name) => (await indexedDB.databases()).find((d) => d.name === name)?.version ?? 0,
      CHAT_DB,
    );
  await expect.poll(version).toBe(CHAT_DB_VERSION);
}

/**
 * The header's status once a model is loaded. Not the role name "Ready": while the model
 * dialog is open its Load button reads "Ready" too, and the header's name contains it.
 */
export function modelReady(page: Page) {
  return page.locator('[data-testid="model-status"][data-state="ready"]');
}

export async function loadModel(page: Page, modelId: string): Promise<void> {
  await page.getByRole("combobox", { name: /model|模型/i }).selectOption(modelId);
  await page.getByRole("button", { name: /load model/i }).click();
  await expect(modelReady(page)).toBeVisible();
}

export async function sendMessage(page: Page, text: string): Promise<void> {
  const composer = page.getByRole("textbox", { name: "Message" });
  await composer.fill(text);
  await composer.press("Enter");
}

export function assistantMessages(page: Page) {
  return page.locator('article[data-role="assistant"]');
}

/** Waits until no reply is streaming. */
export async function waitForReplyEnd(page: Page): Promise<void> {
  await expect(page.locator('article[data-status="streaming"]')).toHaveCount(0);
}

/** Waits until every chat write has reached IndexedDB (before a reload, say). */
export async function waitForSaved(page: Page): Promise<void> {
  await expect(page.locator('[data-saving="false"]')).toHaveCount(1);
}

/**
 * The messages of every chat as IndexedDB holds them now: what a closed tab leaves behind,
 * which can lag what the page shows by the save interval.
 */
export async function storedMessages(
  page: Page,
): Promise<{ role: string; status: string; content: string }[]> {
  return page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open("cutegpt-chats");
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    const all = await new Promise<unknown[]>((resolve, reject) => {
      const request = db.transaction("conversations").objectStore("conversations").getAll();
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    db.close();
    return all.flatMap(
      (record) =>
        (record as { messages?: { role: string; status: string; content: string }[] }).messages ??
        [],
    );
  });
}

/**
 * Starts recording every text a progress bar shows. Load phases of the test engine last a few
 * hundred milliseconds; polling for one can miss it on a busy machine, a record cannot.
 */
export async function recordProgressTexts(page: Page): Promise<void> {
  await page.evaluate(() => {
    const seen: string[] = [];
    Object.assign(window, { __progressTexts: seen });
    new MutationObserver(() => {
      for (const bar of document.querySelectorAll('[role="progressbar"]')) {
        const text = bar.getAttribute("aria-valuetext");
        if (text && seen.at(-1) !== text) seen.push(text);
      }
    }).observe(document.body, { subtree: true, childList: true, attributes: true });
  });
}

/** The progress texts recorded since `recordProgressTexts`. */
export async function progressTextsShown(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { __progressTexts: string[] }).__progressTexts);
}

/** Opens the header's "Model and settings" sheet (model picker, generation settings, storage). */
export async function openModelSettings(page: Page): Promise<void> {
  await page.getByTestId("model-status").click();
  await expect(page.getByRole("dialog", { name: /Model and settings|模型与设置/ })).toBeVisible();
}

/** The ⋯ menu button on the i-th chat in the sidebar list (rename, pin, delete live there). */
export function rowMenuButton(page: Page, index: number) {
  return page
    .getByTestId("conversation-list")
    .getByRole("listitem")
    .nth(index)
    .getByRole("button", { name: /^Actions for/ });
}

/** Before the first message the settings apply to the chat about to start. */
export async function useReferenceLayout(page: Page): Promise<void> {
  // Once a model is ready the settings live in the header's "Model and settings" sheet.
  await openModelSettings(page);
  await page.getByText("Generation settings for this chat").click();
  await page.getByLabel("Prompt layout (CuteGPT)").selectOption("reference");
  await page.keyboard.press("Escape");
  await expect(page.getByRole("dialog", { name: /Model and settings|模型与设置/ })).toBeHidden();
}

/** What the test engine received for one chat, as it broadcasts it (test/engine/test-engine.ts). */
export interface LoggedChat {
  kind: "chat";
  /** "prompt" has `prompt`; "messages" and "training-layout" have `messages`. */
  input: { kind: string; prompt?: string; messages?: { role: string; content: string }[] };
  options: { stop?: string[]; maxTokens?: number; temperature?: number; topP?: number };
}

/** Records everything the test engine receives, as broadcast by the engine itself. */
export async function recordEngineInputs(page: Page): Promise<void> {
  await page.evaluate(() => {
    const log: unknown[] = [];
    (window as unknown as { __engineLog: unknown[] }).__engineLog = log;
    new BroadcastChannel("test-engine-log").onmessage = (e) => log.push(e.data);
  });
}

/** The chats recorded since `recordEngineInputs`, oldest first. */
export async function chatInputs(page: Page): Promise<LoggedChat[]> {
  return page.evaluate(() =>
    ((window as unknown as { __engineLog: { kind: string }[] }).__engineLog ?? []).filter(
      (e) => e.kind === "chat",
    ),
  ) as Promise<LoggedChat[]>;
}

/**
 * Stores one chat record as an older version of the app left it (the records database at
 * version 1, no summary), from a blank page of the app's origin before the app first starts.
 */
export async function seedOldRecord(
  page: Page,
  conversation: { id: string } & Record<string, unknown>,
): Promise<void> {
  await page.route("**/seed.html", (route) =>
    route.fulfill({ contentType: "text/html", body: "<!doctype html><title>seed</title>" }),
  );
  await page.goto("/seed.html");
  await page.evaluate(
    (conversation) =>
      new Promise<void>((resolve, reject) => {
        const open = indexedDB.open("cutegpt-chats");
        open.onupgradeneeded = () => open.result.createObjectStore("conversations");
        open.onsuccess = () => {
          const db = open.result;
          const tx = db.transaction("conversations", "readwrite");
          tx.objectStore("conversations").put(conversation, conversation.id);
          tx.oncomplete = () => {
            db.close();
            resolve();
          };
          tx.onerror = () => reject(tx.error);
        };
        open.onerror = () => reject(open.error);
      }),
    conversation,
  );
}
