import { appendFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "@playwright/test";
import { assistantMessages, loadModel, openApp, sendMessage, waitForReplyEnd } from "./helpers";
import { servePrivateCopy, waitForOfflineReady, type PrivateSite } from "./pwa-helpers";

let site: PrivateSite;
test.beforeEach(async () => {
  site = await servePrivateCopy();
});
test.afterEach(async () => {
  await site.close();
});

test("a new version offers “Reload to update” and waits for the reply being written before reloading", async ({
  page,
}) => {
  await openApp(page, site.url + "/");
  await loadModel(page, "test-engine-fast");
  await waitForOfflineReady(page);
  const firstWorker = await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL);

  // Deploy a "new version" and let the page find it while a slow reply is streaming.
  appendFileSync(join(site.root, "sw.js"), "\n// next version\n");
  await sendMessage(page, "Write slowly #long:60 #rate:15");
  await expect(page.locator('article[data-status="streaming"]')).toHaveCount(1);
  await page.evaluate(async () => {
    await (await navigator.serviceWorker.getRegistration())?.update();
  });
  const update = page.getByRole("button", { name: "Reload to update" });
  await expect(update).toBeVisible();

  const navigations: string[] = [];
  page.on("framenavigated", (frame) => {
    if (frame === page.mainFrame()) navigations.push(frame.url());
  });
  await update.click();
  await expect(page.getByRole("button", { name: "Updating after this reply…" })).toBeDisabled();
  await expect(page.locator('article[data-status="streaming"]')).toHaveCount(1);
  expect(navigations).toEqual([]);

  // Once the reply is finished the page reloads under the new service worker.
  await expect.poll(() => navigations.length, { timeout: 30_000 }).toBe(1);
  await waitForReplyEnd(page);
  const reply = assistantMessages(page).first();
  await expect(reply).toHaveAttribute("data-status", "done");
  await expect(reply.getByTestId("message-content")).toHaveText(/\S/);
  await expect(page.getByRole("button", { name: "Reload to update" })).toHaveCount(0);
  await waitForOfflineReady(page);
  expect(await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL)).toBe(
    firstWorker,
  );
  // The old precache was replaced by the new one, not kept beside it.
  const precaches = await page.evaluate(async () =>
    (await caches.keys()).filter((name) => name.includes("precache")),
  );
  expect(precaches).toHaveLength(1);
});
