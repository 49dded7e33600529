import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { makeModel, writeModel, type FixtureModel } from "../fixtures/model-files/make-model";
import { startModelServer, type ModelServer } from "../fixtures/model-files/server";
import { chatDatabaseMade, openApp, openModelSettings } from "./helpers";

// Fixture models are served from a second 127.0.0.1 server that counts requests; the app's
// catalog is extended per test. The service worker is kept out so every fetch is visible.
test.use({ serviceWorkers: "block" });

const servers: ModelServer[] = [];
test.afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(page: Page, models: FixtureModel[]): Promise<ModelServer> {
  const server = await startModelServer(models);
  servers.push(server);
  await useCatalog(page, server, models);
  return server;
}

async function useCatalog(page: Page, server: ModelServer, models: FixtureModel[]) {
  await page.unroute("**/models/catalog.json");
  await page.route("**/models/catalog.json", async (route) => {
    const response = await route.fetch();
    const catalog = (await response.json()) as { models: unknown[] };
    catalog.models.push(
      ...models.map((m) => ({
        ...m.entry,
        modelPath: `${server.url}/${m.entry.modelPath}`,
        modelLibPath: `${server.url}/${m.entry.modelLibPath}`,
      })),
    );
    await route.fulfill({ response, json: catalog });
  });
}

async function startLoad(page: Page, id: string) {
  await page.getByRole("combobox", { name: "Model" }).selectOption(id);
  await page.getByRole("button", { name: "Load model" }).click();
}

async function ready(page: Page) {
  await expect(page.locator('[data-testid="model-status"][data-state="ready"]')).toBeVisible();
}

/** Keys of one of web-llm's cache databases, read from the page like any same-origin code. */
async function cacheKeys(page: Page, scope: string): Promise<string[]> {
  return page.evaluate(
    (scope) =>
      new Promise<string[]>((resolve, reject) => {
        const open = indexedDB.open(scope, 1);
        open.onupgradeneeded = () => open.result.createObjectStore("urls", { keyPath: "url" });
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const keys = db.transaction("urls").objectStore("urls").getAllKeys();
          keys.onsuccess = () => {
            db.close();
            resolve(keys.result.map(String));
          };
        };
      }),
    scope,
  );
}

const shardKeys = async (page: Page, id: string) =>
  (await cacheKeys(page, "webllm/model")).filter(
    (k) => k.includes(`/${id}/`) && k.includes("params_shard_"),
  );

const heldFrom = (model: FixtureModel, index: number) => (path: string) =>
  model.shardPaths.slice(index).some((p) => path === "/" + p);

test("a reload mid-download resumes: finished shards are not fetched again", async ({ page }) => {
  const model = makeModel({ id: "mf-resume", shards: 6 });
  const server = await serve(page, [model]);
  server.hold(heldFrom(model, 3));
  await openApp(page);
  await startLoad(page, model.id);
  await expect(page.getByRole("progressbar")).toHaveAttribute("aria-valuetext", /MB/);
  await expect.poll(() => shardKeys(page, model.id)).toHaveLength(3);

  await page.reload();
  server.release();
  await expect(page.getByRole("combobox", { name: "Model" })).toBeEnabled();
  await startLoad(page, model.id);
  await ready(page);

  // Up to three shards download at once: 3 (and perhaps 4 and 5) were started before the
  // reload and are fetched again after it; finished ones never are.
  for (const [i, path] of model.shardPaths.entries()) {
    const requests = server.count(path);
    if (i < 3) expect(requests, `requests for shard ${i}`).toBe(1);
    else expect([1, 2], `requests for shard ${i}`).toContain(requests);
  }
  expect(server.count(model.shardPaths[3]!)).toBe(2);
  expect(await shardKeys(page, model.id)).toHaveLength(6);
});

test("cancel stops the download, keeps finished shards, and loading again resumes", async ({
  page,
}) => {
  const model = makeModel({ id: "mf-cancel", shards: 4 });
  const server = await serve(page, [model]);
  server.hold(heldFrom(model, 2));
  await openApp(page);
  await startLoad(page, model.id);
  await expect(page.getByRole("button", { name: "Cancel download" })).toBeVisible();
  await expect.poll(() => shardKeys(page, model.id)).toHaveLength(2);
  await expect(page.getByRole("progressbar")).toHaveAttribute("aria-valuetext", /MB \/ 1 MB/);
  await page.getByRole("button", { name: "Cancel download" }).click();
  await expect(page.getByTestId("load-notice")).toContainText("cancelled");
  await expect(page.getByRole("button", { name: "Load model" })).toBeEnabled();

  server.release();
  await page.getByRole("button", { name: "Load model" }).click();
  await ready(page);
  expect(server.count(model.shardPaths[0]!)).toBe(1);
  expect(server.count(model.shardPaths[1]!)).toBe(1);
});

test("a full disk mid-download says how much space is needed, keeps finished shards and chats", async ({
  page,
}) => {
  const KB = 1024;
  const model = makeModel({
    id: "mf-quota",
    shardSizes: [128 * KB, 128 * KB, 3072 * KB, 128 * KB],
  });
  const server = await serve(page, [model]);
  // Chromium exempts persisted origins from a quota override; this browser declines to persist.
  await page.addInitScript(() => {
    StorageManager.prototype.persist = async () => false;
  });
  await openApp(page);
  // The disk is nearly full: room for the small shards, not for the big third one. (Chromium
  // takes a quota override into account only before the origin's first database write.)
  const cdp = await page.context().newCDPSession(page);
  const origin = new URL(page.url()).origin;
  const usage = await page.evaluate(async () => (await navigator.storage.estimate()).usage ?? 0);
  await cdp.send("Storage.overrideQuotaForOrigin", { origin, quotaSize: usage + 1024 * KB });
  await chatDatabaseMade(page);
  // A saved conversation that must survive, written the way the app stores it.
  await page.evaluate(async () => {
    const chat = {
      id: "kept",
      title: "Keep me safe",
      createdAt: 1,
      updatedAt: 2,
      messages: [
        { id: "u", role: "user", content: "Keep me safe", createdAt: 1, status: "done" },
        { id: "a", role: "assistant", content: "Safe.", createdAt: 2, status: "done" },
      ],
    };
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open("cutegpt-chats");
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    await new Promise<void>((resolve, reject) => {
      const tx = db.transaction("conversations", "readwrite");
      tx.objectStore("conversations").put(chat, chat.id);
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
    });
    db.close();
  });

  await startLoad(page, model.id);

  const error = page.locator('[data-error-code="quota-exceeded"]');
  await expect(error).toContainText(/about \d+ MB more space is needed/);
  await expect(error).toContainText("chats are not affected");
  const kept = (await shardKeys(page, model.id)).map((k) => k.split("/").pop()).sort();
  // Shards download three at a time, so which small ones finished before the big one failed
  // depends on timing; the big one is never stored, and each kept one is never fetched again.
  expect(kept).not.toContain("params_shard_2.bin");
  expect(kept.length).toBeGreaterThan(0);

  // Space is freed: after a reload the download resumes where it stopped.
  await cdp.send("Storage.overrideQuotaForOrigin", { origin });
  await page.reload();
  await expect(page.getByTestId("conversation-list")).toContainText("Keep me safe");
  await startLoad(page, model.id);
  await ready(page);
  for (const name of kept) expect(server.count(`${model.id}/resolve/main/${name}`)).toBe(1);
});

test("a shard that fails its sha256 is discarded, fetched again, and the user is told", async ({
  page,
}) => {
  const model = makeModel({ id: "mf-tampered", shards: 3 });
  const server = await serve(page, [model]);
  server.tamper(model.shardPaths[1]!, 1);
  await openApp(page);
  await startLoad(page, model.id);
  await ready(page);
  await expect(page.getByTestId("load-notice")).toContainText(
    "params_shard_1.bin did not match its checksum",
  );
  expect(server.count(model.shardPaths[1]!)).toBe(2);
  expect(await shardKeys(page, model.id)).toHaveLength(3);
});

test("a shard that stays damaged stops the load with a clear error and is not kept", async ({
  page,
}) => {
  const model = makeModel({ id: "mf-damaged", shards: 3 });
  const server = await serve(page, [model]);
  server.tamper(model.shardPaths[2]!, Infinity);
  await openApp(page);
  await startLoad(page, model.id);
  const error = page.locator('[data-error-code="integrity"]');
  await expect(error).toContainText("params_shard_2.bin is damaged on the server");
  expect(server.count(model.shardPaths[2]!)).toBe(2);
  const kept = await shardKeys(page, model.id);
  expect(kept.some((k) => k.endsWith("params_shard_2.bin"))).toBe(false);
  expect(kept).toHaveLength(2);
});

test("a second tab is told the model is busy instead of downloading it again", async ({
  page,
  context,
}) => {
  const model = makeModel({ id: "mf-two-tabs", shards: 3 });
  const server = await serve(page, [model]);
  server.hold(heldFrom(model, 1));
  await openApp(page);
  await startLoad(page, model.id);
  await expect.poll(() => shardKeys(page, model.id)).toHaveLength(1);

  const second = await context.newPage();
  await useCatalog(second, server, [model]);
  await openApp(second);
  await startLoad(second, model.id);
  await expect(second.locator('[data-error-code="busy"]')).toContainText("another tab");
  expect(server.count(model.shardPaths[1]!)).toBe(1);

  server.release();
  await ready(page);
  // Once the files are complete, the other tab loads them from the cache.
  await second.getByRole("button", { name: "Load model" }).click();
  await ready(second);
  for (const path of model.shardPaths) expect(server.count(path)).toBe(1);
});

test("the storage panel lists a cached model with its size and Delete removes every record", async ({
  page,
}) => {
  const model = makeModel({ id: "mf-delete", shards: 4 });
  await serve(page, [model]);
  await openApp(page);
  await startLoad(page, model.id);
  await ready(page);

  await openModelSettings(page);

  await page.getByText("Storage and model files").click();
  const row = page.locator(`[data-testid="cached-model"][data-model-id="${model.id}"]`);
  await expect(row).toContainText(`Fixture model ${model.id}`);
  await expect(row.getByTestId("cached-size")).toHaveText("1 MB");
  await expect(row).toContainText("last used");
  await expect(page.getByTestId("storage-usage")).toContainText(/Used .* of /);

  await row.getByRole("button", { name: `Delete Fixture model ${model.id}` }).click();
  // Asked first, with the size; Cancel keeps the files.
  await expect(row).toContainText(`Delete the files of Fixture model ${model.id}? This frees 1 MB`);
  await row.getByRole("button", { name: "Cancel" }).click();
  await expect(row.getByTestId("cached-size")).toHaveText("1 MB");
  await row.getByRole("button", { name: `Delete Fixture model ${model.id}` }).click();
  await row.getByRole("button", { name: "Delete 1 MB" }).click();
  await expect(page.getByTestId("storage-message")).toHaveText(/space is free/);
  await expect(row).toHaveCount(0);
  for (const scope of ["webllm/model", "webllm/config", "webllm/wasm"]) {
    const left = (await cacheKeys(page, scope)).filter((k) => k.includes(model.id));
    expect(left, scope).toEqual([]);
  }
});

test("a new model library keeps the downloaded shards (library URLs are versioned)", async ({
  page,
}) => {
  const v1 = makeModel({ id: "mf-update", shards: 3, libVersion: "v1" });
  const v2 = makeModel({ id: "mf-update", shards: 3, libVersion: "v2" });
  const server = await serve(page, [v1]);
  server.add(v2);
  await openApp(page);
  await startLoad(page, v1.id);
  await ready(page);

  // The app is updated: same weights, new library.
  await useCatalog(page, server, [v2]);
  await page.reload();
  await expect(page.getByRole("combobox", { name: "Model" })).toBeEnabled();
  await startLoad(page, v2.id);
  await ready(page);
  for (const path of v1.shardPaths) expect(server.count(path)).toBe(1);
  expect(server.count(v1.entry.modelLibPath)).toBe(1);
  expect(server.count(v2.entry.modelLibPath)).toBe(1);
  const wasm = await cacheKeys(page, "webllm/wasm");
  expect(wasm.some((k) => k.endsWith("mf-update-webgpu-v2.wasm"))).toBe(true);
});

test("importing a model folder needs no network, and web-llm's hasModelInCache agrees", async ({
  page,
  context,
}) => {
  const model = makeModel({ id: "mf-import", shards: 3 });
  const dir = mkdtempSync(join(tmpdir(), "cutegpt-import-"));
  const out = join(dir, "out");
  writeModel(model, out);
  try {
    await openApp(page);
    await openModelSettings(page);
    await page.getByText("Storage and model files").click();
    await page.getByLabel("Import a model folder").setInputFiles(out);
    await expect(page.getByTestId("storage-message")).toContainText(
      `Imported: Fixture model ${model.id}`,
    );
    await expect(
      page.locator(`[data-testid="cached-model"][data-model-id="${model.id}"]`),
    ).toContainText("1 MB");

    await context.setOffline(true);
    await expect(page.getByRole("combobox", { name: "Model" })).toHaveValue(model.id);
    await page.getByRole("button", { name: "Load model" }).click();
    await ready(page);
    await context.setOffline(false);

    // The imported entry is kept in this browser's catalog, and web-llm's own check (run by
    // the test engine once web-llm's chunk can be fetched) finds every file.
    await page.reload();
    await page.evaluate(() => {
      const w = window as unknown as { engineLog: unknown[] };
      w.engineLog = [];
      new BroadcastChannel("test-engine-log").onmessage = (e) => w.engineLog.push(e.data);
    });
    await startLoad(page, model.id);
    await ready(page);
    await expect
      .poll(() => page.evaluate(() => (window as unknown as { engineLog: unknown[] }).engineLog))
      .toContainEqual({ kind: "webllm-cache", modelId: model.id, hasModelInCache: true });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("an imported folder with a damaged shard is refused and nothing is written", async ({
  page,
}) => {
  const model = makeModel({ id: "mf-import-bad", shards: 2 });
  const path = model.shardPaths[1]!;
  const bad = Buffer.from(model.files.get(path)!);
  bad[10] = (bad[10] ?? 0) ^ 1;
  model.files.set(path, bad);
  const dir = mkdtempSync(join(tmpdir(), "cutegpt-import-"));
  writeModel(model, dir);
  try {
    await openApp(page);
    await openModelSettings(page);
    await page.getByText("Storage and model files").click();
    await page.getByLabel("Import a model folder").setInputFiles(dir);
    await expect(
      page.locator('[data-testid="storage-message"][data-error-code="integrity"]'),
    ).toContainText("params_shard_1.bin does not match its checksum");
    expect((await cacheKeys(page, "webllm/model")).filter((k) => k.includes(model.id))).toEqual([]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
