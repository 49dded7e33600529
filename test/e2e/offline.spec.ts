import { expect, test } from "@playwright/test";
import {
  assistantMessages,
  loadModel,
  openApp,
  progressTextsShown,
  recordProgressTexts,
  sendMessage,
  waitForReplyEnd,
} from "./helpers";
import { servePrivateCopy, waitForOfflineReady, type PrivateSite } from "./pwa-helpers";

let site: PrivateSite;
test.beforeEach(async () => {
  site = await servePrivateCopy();
});
test.afterEach(async () => {
  await site.close();
});

test("after one online visit the app opens offline, keeps its chats, loads the cached model and answers", async ({
  page,
  context,
}) => {
  // Two visits, a model load and a service worker install: slow on a loaded 2-core machine.
  test.setTimeout(120_000);
  await openApp(page, site.url + "/");
  await loadModel(page, "test-engine-fast");
  await sendMessage(page, "#echo answered while online");
  await waitForReplyEnd(page);
  await expect(assistantMessages(page).first()).toHaveText(/answered while online/);
  await expect(page.getByTestId("offline-indicator")).toHaveCount(0);

  await waitForOfflineReady(page);

  // Unplug: the browser is offline and the server is gone.
  await context.setOffline(true);
  await site.close();
  await page.reload();

  await expect(page.getByTestId("offline-indicator")).toContainText("Offline");
  await expect(page.locator('article[data-role="user"]').first()).toContainText(
    "answered while online",
  );
  await expect(assistantMessages(page).first()).toHaveText(/answered while online/);

  // The catalog comes from the service worker's cache; the model from the engine's cache.
  const picker = page.getByRole("combobox", { name: "Model" });
  await expect(picker).toBeEnabled();
  await recordProgressTexts(page);
  await picker.selectOption("test-engine-fast");
  await page.getByRole("button", { name: "Load model" }).click();
  await expect(page.locator('[data-testid="model-status"][data-state="ready"]')).toBeVisible();
  expect(
    (await progressTextsShown(page)).some((text) => text.startsWith("Loading from browser cache")),
  ).toBe(true);

  await sendMessage(page, "#echo answered offline");
  await waitForReplyEnd(page);
  await expect(assistantMessages(page).nth(1)).toHaveText(/answered offline/);
  await expect(assistantMessages(page).nth(1)).toHaveAttribute("data-status", "done");

  // Back online, the indicator goes away by itself.
  await context.setOffline(false);
  await expect(page.getByTestId("offline-indicator")).toHaveCount(0);
});

test("a model that was never downloaded says so when loaded offline", async ({ page, context }) => {
  await page.goto(site.url + "/");
  await expect(page.getByRole("combobox", { name: "Model" })).toBeEnabled();
  await waitForOfflineReady(page);
  await context.setOffline(true);
  await page.reload();

  await page.getByRole("combobox", { name: "Model" }).selectOption("real-webllm-missing-files");
  await page.getByRole("button", { name: "Load model" }).click();
  await expect(page.getByTestId("offline-model-missing")).toHaveText(
    /You are offline; this model is not downloaded yet/,
    { timeout: 30_000 },
  );
});

test("the service worker answers no model file or asset with index.html: a missing one stays a 404", async ({
  page,
  context,
}) => {
  await page.goto(site.url + "/");
  await waitForOfflineReady(page);

  const statusOf = (path: string) =>
    page.evaluate(async (p) => {
      const response = await fetch(p);
      return { status: response.status, type: response.headers.get("content-type") ?? "" };
    }, path);
  expect(await statusOf("/models/missing-model/resolve/main/mlc-chat-config.json")).toMatchObject({
    status: 404,
  });
  expect(await statusOf("/models/libs/missing-model.wasm")).toMatchObject({ status: 404 });
  expect(await statusOf("/assets/no-such-chunk.js")).toMatchObject({ status: 404 });

  // Navigations too: a model file is not a page, while an app route is.
  const modelFile = await page.goto(site.url + "/models/missing-model/params_shard_0.bin");
  expect(modelFile?.status()).toBe(404);
  expect(modelFile?.fromServiceWorker()).toBe(false);
  const folder = await page.goto(site.url + "/models/missing-model/");
  expect(folder?.fromServiceWorker()).toBe(false);

  // Offline, an app route still opens from the precache.
  await context.setOffline(true);
  const route = await page.goto(site.url + "/some/app/route");
  expect(route?.fromServiceWorker()).toBe(true);
  await expect(page.getByRole("combobox", { name: "Model" })).toBeVisible();
});

test("the manifest is linked and complete, its icons load and Chromium finds the app installable", async ({
  page,
}) => {
  await page.goto(site.url + "/");
  const href = await page.locator('link[rel="manifest"]').getAttribute("href");
  expect(href).toBeTruthy();
  const manifestUrl = new URL(href ?? "", site.url + "/");
  const manifest = (await (await page.request.get(manifestUrl.href)).json()) as {
    name: string;
    short_name: string;
    description: string;
    display: string;
    start_url: string;
    scope: string;
    theme_color: string;
    background_color: string;
    icons: { src: string; sizes: string; type: string; purpose?: string }[];
  };
  expect(manifest.name).toContain("CuteGPT");
  expect(manifest.short_name).toBe("CuteGPT");
  expect(manifest.description).toMatch(/[A-Za-z]/);
  expect(manifest.description).toMatch(/[\u4e00-\u9fff]/);
  expect(manifest.display).toBe("standalone");
  expect(manifest.start_url).toBeTruthy();
  expect(manifest.scope).toBeTruthy();
  expect(manifest.theme_color).toMatch(/^#[0-9a-f]{6}$/i);
  expect(manifest.background_color).toMatch(/^#[0-9a-f]{6}$/i);
  for (const [size, purpose] of [
    ["192x192", "any"],
    ["512x512", "any"],
    ["192x192", "maskable"],
    ["512x512", "maskable"],
  ] as const) {
    const icon = manifest.icons.find((i) => i.sizes === size && (i.purpose ?? "any") === purpose);
    expect(icon, `${purpose} icon ${size}`).toBeDefined();
    const response = await page.request.get(new URL(icon?.src ?? "", manifestUrl).href);
    expect(response.headers()["content-type"]).toBe("image/png");
    const png = await response.body();
    const side = Number(size.split("x")[0]);
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([side, side]);
  }

  await waitForOfflineReady(page);
  const cdp = await page.context().newCDPSession(page);
  const { installabilityErrors } = (await cdp.send("Page.getInstallabilityErrors")) as {
    installabilityErrors: { errorId: string }[];
  };
  // Playwright's contexts are incognito-like; that is the only objection allowed here.
  expect(installabilityErrors.map((e) => e.errorId).filter((id) => id !== "in-incognito")).toEqual(
    [],
  );
});
