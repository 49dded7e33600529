import { expect, test, type Page } from "@playwright/test";
import {
  assistantMessages,
  loadModel,
  openApp,
  sendMessage,
  waitForReplyEnd,
  waitForSaved,
  rowMenuButton,
} from "./helpers";

/**
 * The sidebar's list comes from a small summary per chat (the "summaries" store), so it
 * appears before the chats themselves (the "conversations" store) are read; the open chat is read next
 * and every other one in the background. These tests hold the reads of chat records back to
 * see each step, and start from records alone, as an app version without summaries left them.
 */

const WORDS = ["aardvark", "bison", "capybara"];
const BASE = Date.UTC(2025, 0, 1);

/** Three chats as the app stores them; chat 3 is the newest. */
const CHATS = WORDS.map((word, i) => {
  const n = i + 1;
  const at = BASE + n * 60_000;
  return {
    id: `chat-${n}`,
    title: `Chat ${n}`,
    createdAt: at,
    updatedAt: at + 2_000,
    messages: [
      {
        id: `u${n}`,
        role: "user",
        content: `Question about ${word}`,
        createdAt: at + 1_000,
        status: "done",
      },
      {
        id: `a${n}`,
        role: "assistant",
        content: `Answer about ${word}`,
        createdAt: at + 2_000,
        status: "done",
      },
    ],
  };
});

/** Writes chat records the way idb-keyval does, before the app has ever run on this origin. */
async function seedRecordsOnly(page: Page): Promise<void> {
  await page.goto("/favicon.svg");
  await page.evaluate(async (chats) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open("cutegpt-chats");
      open.onupgradeneeded = () => open.result.createObjectStore("conversations");
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    await new Promise<void>((resolve, reject) => {
      const tx = db.transaction("conversations", "readwrite");
      for (const chat of chats) tx.objectStore("conversations").put(chat, chat.id);
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
    });
    db.close();
  }, CHATS);
}

/** What the summaries store holds: its keys and values, in key order. */
async function storedSummaries(page: Page): Promise<{ keys: unknown[]; values: unknown[] }> {
  return page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open("cutegpt-chats");
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    const store = db.transaction("summaries").objectStore("summaries");
    const read = <T>(request: IDBRequest<T>) =>
      new Promise<T>((resolve, reject) => {
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
    const [keys, values] = await Promise.all([read(store.getAllKeys()), read(store.getAll())]);
    db.close();
    return { keys, values };
  });
}

/**
 * From the next navigation on, reads of chat records (`get` for one chat, `getAll` for the
 * background read of all) complete in IndexedDB but reach the app only once released.
 */
async function holdChatReads(page: Page): Promise<void> {
  await page.addInitScript(() => {
    type Kind = "get" | "getAll";
    const held: Record<Kind, (() => void)[]> = { get: [], getAll: [] };
    const released: Record<Kind, boolean> = { get: false, getAll: false };
    (window as unknown as { __release(kind: Kind): void }).__release = (kind) => {
      released[kind] = true;
      for (const deliver of held[kind].splice(0)) deliver();
    };
    for (const kind of ["get", "getAll"] as const) {
      const real = IDBObjectStore.prototype[kind] as (...args: unknown[]) => IDBRequest;
      IDBObjectStore.prototype[kind] = function (this: IDBObjectStore, ...args: unknown[]) {
        const request = real.apply(this, args);
        if (this.name !== "conversations" || released[kind]) return request;
        // The result reaches the app through `onsuccess` or a "success" listener (idb's).
        const addListener = request.addEventListener.bind(request);
        const hold = (listener: (event: Event) => void) => (event: Event) => {
          const deliver = () => listener.call(request, event);
          if (released[kind]) deliver();
          else held[kind].push(deliver);
        };
        let handler: ((this: IDBRequest, event: Event) => void) | null = null;
        Object.defineProperty(request, "onsuccess", {
          get: () => handler,
          set: (fn: typeof handler) => (handler = fn),
        });
        addListener(
          "success",
          hold((event) => handler?.call(request, event)),
        );
        request.addEventListener = ((type: string, listener: EventListener, options?: never) => {
          if (type !== "success") return addListener(type, listener, options);
          return addListener(type, hold(listener), options);
        }) as never;
        return request;
      } as never;
    }
  });
}

const release = (page: Page, kind: "get" | "getAll") =>
  page.evaluate((k) => (window as unknown as { __release(kind: string): void }).__release(k), kind);

const replies = (page: Page) => assistantMessages(page).getByTestId("message-content");
const list = (page: Page) =>
  page.getByTestId("conversation-list").getByTestId("conversation-entry");
const allRead = (page: Page) => page.locator('[data-chats-loaded="true"]');

test("first start after an update from records-only storage lists every chat and builds the summaries", async ({
  page,
}) => {
  await seedRecordsOnly(page);
  await openApp(page);
  await expect(list(page)).toHaveText(["Chat 3", "Chat 2", "Chat 1"]);
  await expect(replies(page)).toHaveText(["Answer about capybara"]);

  // The summaries were built from the records, and marked complete for the next start.
  await waitForSaved(page);
  const { keys, values } = await storedSummaries(page);
  expect(keys).toEqual(["chat-1", "chat-2", "chat-3", ["complete"]]);
  expect(values.at(-1)).toEqual({ format: 1 });
  expect(values[0]).toEqual({
    id: "chat-1",
    title: "Chat 1",
    pinned: false,
    createdAt: CHATS[0]!.createdAt,
    updatedAt: CHATS[0]!.updatedAt,
    lastActivity: CHATS[0]!.messages[1]!.createdAt,
    messageCount: 2,
  });

  // The next start lists them from the summaries alone: no record can be read yet.
  await holdChatReads(page);
  await page.reload();
  await expect(list(page)).toHaveText(["Chat 3", "Chat 2", "Chat 1"]);
  await release(page, "get");
  await release(page, "getAll");
  await expect(allRead(page)).toHaveCount(1);
});

test("a chat whose messages are not read yet shows as loading, never empty, then its messages", async ({
  page,
}) => {
  await seedRecordsOnly(page);
  await openApp(page);
  await expect(list(page)).toHaveCount(3);
  await waitForSaved(page);

  await holdChatReads(page);
  await page.reload();
  await expect(list(page)).toHaveText(["Chat 3", "Chat 2", "Chat 1"]);
  // The newest chat is open but not read: it says so, with no composer that could fork it.
  const loading = page.getByTestId("conversation-loading");
  await expect(loading).toContainText("Loading this chat (2 messages)");
  await expect(loading).toContainText("Chat 3");
  await expect(page.getByText("Pick a model, load it, and ask anything")).toHaveCount(0);
  await expect(page.getByRole("textbox", { name: "Message" })).toHaveCount(0);

  await release(page, "get");
  await expect(replies(page)).toHaveText(["Answer about capybara"]);

  // Chat 1 is not read yet (the background read of every chat is still held): selecting it
  // reads it on its own.
  await list(page).filter({ hasText: "Chat 1" }).click();
  await expect(replies(page)).toHaveText(["Answer about aardvark"]);
  await expect(page.locator("article").first()).toContainText("Question about aardvark");
  await expect(page.locator('[data-chats-loaded="false"]')).toHaveCount(1);
  await expect(page.getByRole("textbox", { name: "Message" })).toBeVisible();
});

test("search says which chats it has not read yet, then finds text in every chat", async ({
  page,
}) => {
  await seedRecordsOnly(page);
  await openApp(page);
  await waitForSaved(page);
  await holdChatReads(page);
  await page.reload();
  await release(page, "get");
  await expect(replies(page)).toHaveText(["Answer about capybara"]);

  // Only the open chat is read: "bison" is in chat 2, which search cannot see yet.
  const search = page.getByRole("searchbox", { name: "Search chats" });
  await search.fill("bison");
  await expect(page.getByText("No chats match.")).toBeVisible();
  await expect(
    page.getByText("Searched 1 of 3 chats; the others are still loading."),
  ).toBeVisible();

  await release(page, "getAll");
  const results = page.getByTestId("search-results").getByRole("button");
  await expect(results).toHaveCount(1);
  await expect(results.first()).toContainText("Chat 2");
  await expect(results.first()).toContainText("Question about bison");
  await expect(page.getByText(/the others are still loading/)).toHaveCount(0);

  // A plain start (a new tab: no held reads) finds it too, once every chat is read.
  const tab = await page.context().newPage();
  await tab.goto("/");
  await expect(allRead(tab)).toHaveCount(1);
  await tab.getByRole("searchbox", { name: "Search chats" }).fill("AARDVARK");
  await expect(tab.getByTestId("search-results").getByRole("button")).toHaveText(
    /Chat 1.*Question about aardvark/,
  );
});

test("chats written by the app show in the sidebar after a reload, from their summaries", async ({
  page,
}) => {
  await openApp(page);
  await loadModel(page, "test-engine-fast");
  await sendMessage(page, "First chat about walruses");
  await waitForReplyEnd(page);
  await page.getByRole("button", { name: "+ New chat" }).click();
  await sendMessage(page, "Second chat about narwhals");
  await waitForReplyEnd(page);
  await rowMenuButton(page, 0).click();
  await page.getByRole("button", { name: "Rename" }).click();
  const title = page.getByRole("textbox", { name: "Conversation title" });
  await title.fill("Narwhal notes");
  await title.press("Enter");
  await waitForSaved(page);

  // Every save wrote its summary, so the list needs no record to be read.
  await holdChatReads(page);
  await page.reload();
  await expect(list(page)).toHaveText(["Narwhal notes", "First chat about walruses"]);
  await release(page, "get");
  await expect(assistantMessages(page)).toHaveCount(1);
  await expect(page.locator("article").first()).toContainText("Second chat about narwhals");
  await release(page, "getAll");
  await expect(allRead(page)).toHaveCount(1);
});
