import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, type Page } from "@playwright/test";
import { serveStatic, type StaticSite } from "./static-server";

const distTest = fileURLToPath(new URL("../../dist-test", import.meta.url));
const fixtureSite = fileURLToPath(new URL("../fixtures/site", import.meta.url));

export interface PrivateSite extends StaticSite {
  /** The served copy of dist-test, which a test may change (a "new version"). */
  root: string;
}

/**
 * Serves a private copy of the test build on its own port (so its own origin: a service
 * worker and caches no other test shares). Closing it takes the app off the network for
 * real, which `context.setOffline` alone does not guarantee for service-worker fetches.
 */
export async function servePrivateCopy(): Promise<PrivateSite> {
  const root = mkdtempSync(join(tmpdir(), "cutegpt-pwa-"));
  cpSync(distTest, root, { recursive: true });
  const site = await serveStatic(root, [fixtureSite]);
  return {
    ...site,
    root,
    async close() {
      await site.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** Waits until a service worker controls the page and the model catalog is in its cache. */
export async function waitForOfflineReady(page: Page): Promise<void> {
  await expect
    .poll(
      () =>
        page.evaluate(async () => {
          if (!navigator.serviceWorker.controller) return "no controller";
          const cached = await caches.match(new URL("models/catalog.json", location.href).href);
          return cached ? "ready" : "catalog not cached";
        }),
      { timeout: 30_000 },
    )
    .toBe("ready");
}
