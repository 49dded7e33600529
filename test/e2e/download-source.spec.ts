import { expect, test, type Page } from "@playwright/test";
import { makeModel } from "../fixtures/model-files/make-model";
import { startModelServer, type ModelServer } from "../fixtures/model-files/server";
import { modelReady, openApp } from "./helpers";

// Two 127.0.0.1 servers stand in for two download sources with Hugging Face's layout (say,
// huggingface.co and a mirror). The catalog names the model by its canonical Hugging Face URL,
// which nothing here ever contacts: the app must fetch from the chosen source and store every
// file under the canonical URL, so switching sources never downloads a file twice.
test.use({ serviceWorkers: "block" });

const servers: ModelServer[] = [];
test.afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const CANONICAL = "https://huggingface.co/";

async function chooseCustomSource(page: Page, base: string) {
  await page.getByRole("button", { name: "Settings", exact: true }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("Download models from").selectOption("custom");
  await dialog.getByLabel(/Address laid out like Hugging Face/).fill(base);
  await dialog.getByRole("button", { name: "Save" }).click();
  await dialog.getByRole("button", { name: "Close" }).click();
}

async function cacheKeys(page: Page, scope: string): Promise<string[]> {
  return page.evaluate(
    (scope) =>
      new Promise<string[]>((resolve, reject) => {
        const open = indexedDB.open(scope, 1);
        open.onupgradeneeded = () => open.result.createObjectStore("urls", { keyPath: "url" });
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const keys = open.result.transaction("urls").objectStore("urls").getAllKeys();
          keys.onsuccess = () => {
            open.result.close();
            resolve(keys.result.map(String));
          };
        };
      }),
    scope,
  );
}

test("a model half-downloaded from one source finishes from another without fetching anything twice", async ({
  page,
}) => {
  const model = makeModel({ id: "mf-sources", shards: 4 });
  const [first, second] = [await startModelServer([model]), await startModelServer([model])];
  servers.push(first, second);
  await page.route("**/models/catalog.json", async (route) => {
    const response = await route.fetch();
    const catalog = (await response.json()) as { models: unknown[] };
    catalog.models.push({
      ...model.entry,
      modelPath: CANONICAL + model.entry.modelPath,
      modelLibPath: CANONICAL + model.entry.modelLibPath,
    });
    await route.fulfill({ response, json: catalog });
  });
  const elsewhere: string[] = [];
  page.on("request", (r) => {
    if (r.url().includes("huggingface.co")) elsewhere.push(r.url());
  });

  await openApp(page);
  await chooseCustomSource(page, first.url);
  first.hold((path) => model.shardPaths.slice(2).some((p) => path === "/" + p));
  await page.getByRole("combobox", { name: "Model" }).selectOption(model.id);
  await page.getByRole("button", { name: "Load model" }).click();
  const shardKeys = async () =>
    (await cacheKeys(page, "webllm/model")).filter((k) => k.includes("params_shard_"));
  await expect.poll(shardKeys).toHaveLength(2);
  await page.getByRole("button", { name: "Cancel download" }).click();
  await expect(page.getByRole("button", { name: "Load model" })).toBeEnabled();

  // The first source goes away; the user switches to the second and loads again.
  await first.close();
  servers.splice(servers.indexOf(first), 1);
  await chooseCustomSource(page, second.url);
  await page.getByRole("button", { name: "Load model" }).click();
  await expect(modelReady(page)).toBeVisible();

  const fromFirst = first.requests;
  const fromSecond = second.requests;
  // Held shards were asked of the first source too (how many at once is the downloader's
  // business); what matters is that the finished ones never came from the second.
  for (const [i, path] of model.shardPaths.entries()) {
    if (i < 2) {
      expect(fromFirst.filter((p) => p === "/" + path).length, `shard ${i} from the first`).toBe(1);
    }
    expect(fromSecond.filter((p) => p === "/" + path).length, `shard ${i} from the second`).toBe(
      i < 2 ? 0 : 1,
    );
  }
  // Config, tokenizer, manifest and library came from the first and were not fetched again.
  expect(fromSecond.filter((p) => !p.includes("params_shard_"))).toEqual([]);
  expect(elsewhere).toEqual([]);

  // Every file is stored under its canonical URL, where web-llm looks for it.
  for (const scope of ["webllm/config", "webllm/wasm", "webllm/model"]) {
    const keys = (await cacheKeys(page, scope)).filter((k) => k.includes("mf-sources"));
    expect(keys.length, scope).toBeGreaterThan(0);
    for (const key of keys) expect(key.startsWith(CANONICAL), key).toBe(true);
  }
  expect(await shardKeys()).toHaveLength(4);

  // Back on the first source (up again, empty-handed): a reload loads from the cache alone.
  await page.reload();
  await expect(page.getByRole("combobox", { name: "Model" })).toBeEnabled();
  const before = second.requests.length;
  await page.getByRole("combobox", { name: "Model" }).selectOption(model.id);
  await page.getByRole("button", { name: "Load model" }).click();
  await expect(modelReady(page)).toBeVisible();
  expect(second.requests.length).toBe(before);
});

test("a source that cannot be reached ends in a network error that points at the setting", async ({
  page,
}) => {
  const model = makeModel({ id: "mf-unreachable", shards: 2 });
  const gone = await startModelServer([model]);
  const deadBase = gone.url;
  await gone.close();
  await page.route("**/models/catalog.json", async (route) => {
    const response = await route.fetch();
    const catalog = (await response.json()) as { models: unknown[] };
    catalog.models.push({
      ...model.entry,
      modelPath: CANONICAL + model.entry.modelPath,
      modelLibPath: CANONICAL + model.entry.modelLibPath,
    });
    await route.fulfill({ response, json: catalog });
  });
  await openApp(page);
  await chooseCustomSource(page, deadBase);
  await page.getByRole("combobox", { name: "Model" }).selectOption(model.id);
  await page.getByRole("button", { name: "Load model" }).click();
  await expect(page.locator('[data-error-code="network"]')).toBeVisible();
  await expect(page.getByTestId("network-hint")).toContainText("choose another download source");
});
