import { readFileSync } from "node:fs";
import { expect, test, type Page } from "@playwright/test";
import { loadModel, openApp, sendMessage, waitForReplyEnd, waitForSaved } from "./helpers";

/**
 * The move from two chat databases (records in "cutegpt-chats" version 1, summaries in
 * "cutegpt-chat-summaries") to one ("cutegpt-chats" version 2, records and summaries in two
 * stores), in real Chromium IndexedDB. The two old databases come from a fixture the app's
 * own code wrote before the move (test/fixtures/legacy-chat-databases), recreated here with
 * the versions, stores and entries it recorded.
 */

interface DumpedStore {
  name: string;
  keyPath: string | string[] | null;
  autoIncrement: boolean;
  indexNames: string[];
  entries: [IDBValidKey, unknown][];
}
interface DumpedDatabase {
  name: string;
  version: number;
  stores: DumpedStore[];
}

const FIXTURE = JSON.parse(
  readFileSync(
    new URL("../fixtures/legacy-chat-databases/legacy-chat-databases.json", import.meta.url),
    "utf8",
  ),
) as { databases: DumpedDatabase[] };

function legacy(name: string, store: string): DumpedStore {
  const found = FIXTURE.databases
    .find((d) => d.name === name)
    ?.stores.find((s) => s.name === store);
  if (!found) throw new Error(`${name}/${store} missing from the fixture`);
  return found;
}
const RECORDS = legacy("cutegpt-chats", "conversations").entries;
const SUMMARIES = legacy("cutegpt-chat-summaries", "summaries").entries;
const CHATS = RECORDS.map(([, value]) => value as { id: string; title?: string; kind?: string });
const LISTED = CHATS.filter((c) => c.kind === undefined);

/** Recreates the fixture's databases on the app's origin, before the app runs there. */
async function seedLegacy(page: Page): Promise<void> {
  await page.goto("/favicon.svg");
  await page.evaluate(async (json) => {
    for (const dumped of JSON.parse(json) as DumpedDatabase[]) {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const open = indexedDB.open(dumped.name, dumped.version);
        open.onupgradeneeded = () => {
          for (const store of dumped.stores) {
            if (store.indexNames.length > 0) throw new Error("indexes are not recreated");
            open.result.createObjectStore(store.name, {
              autoIncrement: store.autoIncrement,
              ...(store.keyPath === null ? {} : { keyPath: store.keyPath }),
            });
          }
        };
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error);
      });
      await new Promise<void>((resolve, reject) => {
        const tx = db.transaction([...db.objectStoreNames], "readwrite");
        for (const store of dumped.stores) {
          for (const [key, value] of store.entries) tx.objectStore(store.name).put(value, key);
        }
        tx.oncomplete = () => resolve();
        tx.onerror = () => reject(tx.error);
      });
      db.close();
    }
  }, JSON.stringify(FIXTURE.databases));
}

/** Every database on the origin, as IndexedDB holds it now (webllm's model caches aside). */
async function dump(page: Page): Promise<DumpedDatabase[]> {
  return page.evaluate(async () => {
    const read = <T>(request: IDBRequest<T>) =>
      new Promise<T>((resolve, reject) => {
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
    const out: DumpedDatabase[] = [];
    const names = (await indexedDB.databases()).map((d) => d.name ?? "");
    for (const name of names.filter((n) => n.startsWith("cutegpt-chat")).sort()) {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const open = indexedDB.open(name);
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error);
      });
      const stores: DumpedStore[] = [];
      for (const storeName of [...db.objectStoreNames].sort()) {
        const store = db.transaction(storeName).objectStore(storeName);
        const [keys, values] = await Promise.all([read(store.getAllKeys()), read(store.getAll())]);
        stores.push({
          name: storeName,
          keyPath: store.keyPath,
          autoIncrement: store.autoIncrement,
          indexNames: [...store.indexNames],
          entries: keys.map((key, i): [IDBValidKey, unknown] => [key, values[i]]),
        });
      }
      out.push({ name, version: db.version, stores });
      db.close();
    }
    return out;
  });
}

const list = (page: Page) =>
  page.getByTestId("conversation-list").getByTestId("conversation-entry");

/**
 * What the app must have made of the fixture: one database, version 2, with the records as
 * they were and the summaries moved in, and the summaries' own database gone. The only
 * record the app rewrites is the reply a closed tab cut off, now marked as interrupted.
 */
function expectMoved(databases: DumpedDatabase[]): void {
  expect(databases.map((d) => [d.name, d.version])).toEqual([["cutegpt-chats", 2]]);
  const [records, summaries] = databases[0]!.stores.sort((a, b) =>
    a.name === "conversations" ? -1 : b.name === "conversations" ? 1 : 0,
  );
  // A deleted chat's tombstone is dropped a month after the deletion (tombstones.ts).
  const kept = RECORDS.filter(([, value]) => {
    const { kind, deletedAt = 0 } = value as { kind?: string; deletedAt?: number };
    return kind === undefined || Date.now() - deletedAt < 30 * 24 * 60 * 60 * 1000;
  });
  const fixed = JSON.parse(
    JSON.stringify(kept).replace('"status":"streaming"', '"status":"interrupted"'),
  ) as unknown;
  expect(records).toMatchObject({ name: "conversations", keyPath: null, autoIncrement: false });
  expect(records!.entries).toEqual(fixed);
  expect(summaries).toMatchObject({ name: "summaries", keyPath: null, autoIncrement: false });
  expect(summaries!.entries).toEqual(SUMMARIES);
}

test("the first start moves the summaries into the chat database and loses nothing", async ({
  page,
}) => {
  await seedLegacy(page);
  expect((await dump(page)).map((d) => [d.name, d.version])).toEqual([
    ["cutegpt-chat-summaries", 1],
    ["cutegpt-chats", 1],
  ]);
  await openApp(page);

  await expect(list(page)).toHaveCount(LISTED.length);
  await expect(list(page).first()).toHaveText("📌知识图谱规划 (renamed)");
  await expect(list(page).filter({ hasText: "Deleted chat" })).toHaveCount(0);
  await expect(page.locator('[data-chats-loaded="true"]')).toHaveCount(1);
  await waitForSaved(page);
  expectMoved(await dump(page));

  // The pinned chat with every field a chat can have is whole: its messages, input, error
  // and stopped reply, as the app shows them.
  await list(page).first().click();
  await expect(page.locator("article")).toHaveCount(6);
  await expect(page.locator("article").first()).toContainText("翻译这句话");
  await expect(page.locator("article").first()).toContainText("Hello, world");
  await expect(page.locator("article").nth(3)).toHaveAttribute("data-status", "stopped");
  await expect(page.locator("article").nth(5)).toHaveAttribute("data-status", "error");

  // A chat read in the second batch of records is found by search.
  await page.getByRole("searchbox").fill("topic-105");
  await expect(page.getByTestId("search-results").getByRole("button")).toHaveText(/Chat 105/);

  // The next start lists every chat from the moved summaries and moves nothing again.
  await page.reload();
  await expect(list(page)).toHaveCount(LISTED.length);
  await waitForSaved(page);
  expectMoved(await dump(page));
});

test("a first start, on a new profile or after the update, leaves no uncaught error", async ({
  page,
}) => {
  // The open aborts its own upgrade once to read the old summaries first (chat-database.ts);
  // that abort is expected and must not surface as an unhandled rejection.
  await page.addInitScript(() => {
    const errors: string[] = [];
    (window as unknown as { __errors: string[] }).__errors = errors;
    window.addEventListener("unhandledrejection", (event) => errors.push(String(event.reason)));
    window.addEventListener("error", (event) => errors.push(String(event.message)));
  });
  const uncaught = () =>
    page.evaluate(() => (window as unknown as { __errors: string[] }).__errors);
  await openApp(page);
  await expect(page.locator('[data-chats-loaded="true"]')).toHaveCount(1);
  await waitForSaved(page);
  expect(await uncaught()).toEqual([]);

  await page.evaluate(() => indexedDB.deleteDatabase("cutegpt-chats"));
  await seedLegacy(page);
  await openApp(page);
  await expect(list(page)).toHaveCount(LISTED.length);
  await waitForSaved(page);
  expect(await uncaught()).toEqual([]);
});

test("two tabs starting at once both list every chat once, and the move happens once", async ({
  context,
  page,
}) => {
  await seedLegacy(page);
  const other = await context.newPage();
  await Promise.all([openApp(page), openApp(other)]);
  for (const tab of [page, other]) {
    await expect(list(tab)).toHaveCount(LISTED.length);
    await expect(tab.locator('[data-chats-loaded="true"]')).toHaveCount(1);
    await waitForSaved(tab);
    const titles = await list(tab).allTextContents();
    expect(new Set(titles).size).toBe(titles.length);
  }
  expectMoved(await dump(page));
});

test("a move that fails part-way leaves both old databases as they were, and the next start moves them", async ({
  page,
}) => {
  await seedLegacy(page);
  // The first start fails in the middle of the upgrade, as a tab closed there would stop it.
  await page.addInitScript(() => {
    if (sessionStorage.getItem("failed-once")) return;
    sessionStorage.setItem("failed-once", "1");
    // Every attempt of this start fails at the same entry, half-way through the summaries.
    const put = IDBObjectStore.prototype.put;
    IDBObjectStore.prototype.put = function (
      this: IDBObjectStore,
      ...args: [unknown, IDBValidKey?]
    ) {
      if (this.transaction.mode === "versionchange" && args[1] === "chat-050") {
        throw new DOMException("Simulated failure mid-upgrade", "UnknownError");
      }
      return put.apply(this, args);
    };
  });
  await page.goto("/");
  await expect(page.getByRole("alert").first()).toBeVisible();
  const before = await dump(page);
  expect(before.map((d) => [d.name, d.version])).toEqual([
    ["cutegpt-chat-summaries", 1],
    ["cutegpt-chats", 1],
  ]);
  expect(before.find((d) => d.name === "cutegpt-chat-summaries")!.stores[0]!.entries).toEqual(
    SUMMARIES,
  );
  expect(before.find((d) => d.name === "cutegpt-chats")!.stores.map((s) => s.name)).toEqual([
    "conversations",
  ]);

  await page.reload();
  await expect(list(page)).toHaveCount(LISTED.length);
  await expect(page.locator('[data-chats-loaded="true"]')).toHaveCount(1);
  await waitForSaved(page);
  expectMoved(await dump(page));
});

test("a tab still running the version before waits the upgrade out, and then lists every chat", async ({
  context,
  page,
}) => {
  await seedLegacy(page);
  // An older version's tab keeps both databases open for as long as it lives.
  const old = await context.newPage();
  await old.goto("/favicon.svg");
  await old.evaluate(async () => {
    const hold = (name: string) =>
      new Promise<void>((resolve, reject) => {
        const open = indexedDB.open(name);
        open.onsuccess = () => {
          Object.assign(window, { [`__${name}`]: open.result });
          resolve();
        };
        open.onerror = () => reject(open.error);
      });
    await hold("cutegpt-chats");
    await hold("cutegpt-chat-summaries");
  });
  await page.goto("/");
  await expect(page.getByRole("status").filter({ hasText: /older version/ })).toBeVisible();
  await expect(list(page)).toHaveCount(0);

  await old.close();
  await expect(list(page)).toHaveCount(LISTED.length);
  await expect(page.getByRole("status").filter({ hasText: /older version/ })).toHaveCount(0);
  await expect(page.locator('[data-chats-loaded="true"]')).toHaveCount(1);
  await waitForSaved(page);
  expectMoved(await dump(page));
});

test("a save writes the chat and its summary together or not at all", async ({ page }) => {
  // While the flag is up, every summary write fails at once, as a value IndexedDB cannot
  // store would make it.
  await page.addInitScript(() => {
    const put = IDBObjectStore.prototype.put;
    IDBObjectStore.prototype.put = function (
      this: IDBObjectStore,
      ...args: [unknown, IDBValidKey?]
    ) {
      if (this.name === "summaries" && (window as { __failSummaries?: boolean }).__failSummaries) {
        throw new DOMException("Simulated summary write failure", "DataCloneError");
      }
      return put.apply(this, args);
    };
  });
  await openApp(page);
  await loadModel(page, "test-engine-fast");
  await page.evaluate(() => Object.assign(window, { __failSummaries: true }));
  await sendMessage(page, "All or nothing");
  await waitForReplyEnd(page);
  const alert = page.getByRole("alert").filter({ hasText: "could not be saved" });
  await expect(alert).toBeVisible();
  // Neither the record nor its summary is stored.
  const stores = (await dump(page))[0]!.stores;
  expect(stores.map((s) => [s.name, s.entries.length])).toEqual([
    ["conversations", 0],
    ["summaries", 0],
  ]);

  await page.evaluate(() => Object.assign(window, { __failSummaries: false }));
  await alert.getByRole("button", { name: "Retry saving" }).click();
  await expect(alert).toHaveCount(0);
  await waitForSaved(page);
  const [records, summaries] = (await dump(page))[0]!.stores;
  const ids = (entries: [IDBValidKey, unknown][]) =>
    entries.map(([key]) => key).filter((key) => typeof key === "string");
  expect(ids(records!.entries)).toHaveLength(1);
  expect(ids(summaries!.entries)).toEqual(ids(records!.entries));
  await page.reload();
  await expect(list(page)).toHaveText(["All or nothing"]);
});
