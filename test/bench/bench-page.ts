import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser } from "@playwright/test";
import { build } from "vite";
import { chromiumLaunchOptions } from "../e2e/chromium";
import { serveStatic } from "../e2e/static-server";

/**
 * Bundles one bench page script (a module that puts its bench function on `window`), serves it
 * on 127.0.0.1 and hands `measure` a Chromium and the page's URL; everything is removed after.
 */
export async function withBenchPage<T>(
  entry: URL,
  measure: (browser: Browser, pageUrl: string) => Promise<T>,
): Promise<T> {
  const outDir = mkdtempSync(join(tmpdir(), "cutegpt-bench-page-"));
  await build({
    configFile: false,
    logLevel: "silent",
    build: {
      outDir,
      emptyOutDir: true,
      lib: { entry: fileURLToPath(entry), formats: ["es"], fileName: () => "bench.js" },
    },
  });
  writeFileSync(
    join(outDir, "index.html"),
    '<!doctype html><meta charset="utf-8"><script type="module" src="./bench.js"></script>',
  );
  const site = await serveStatic(outDir);
  const browser = await chromium.launch(chromiumLaunchOptions());
  try {
    return await measure(browser, site.url + "/index.html");
  } finally {
    await browser.close();
    await site.close();
    rmSync(outDir, { recursive: true, force: true });
  }
}
