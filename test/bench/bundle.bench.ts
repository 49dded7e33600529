import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { chromium } from "@playwright/test";
import { build } from "vite";
import { chromiumLaunchOptions } from "../e2e/chromium";
import { serveStatic } from "../e2e/static-server";
import type { BenchResult } from "./types";

/**
 * What JavaScript the production build makes a browser fetch: before the first interaction
 * (main thread only) and by the time a web-llm model starts loading (worker and web-llm
 * included). A recording proxy counts every .js request by path, so a second fetch of
 * web-llm's chunk would show. Sizes are gzip level 9 of the served files.
 */
export default async function run(): Promise<BenchResult[]> {
  const outDir = mkdtempSync(join(tmpdir(), "cutegpt-bundle-"));
  await build({ mode: "production", logLevel: "silent", build: { outDir, emptyOutDir: true } });
  const site = await serveStatic(outDir, [fileURLPath("../fixtures/bench-site")]);
  const fetched: string[] = [];
  const proxy = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    if (path.endsWith(".js")) fetched.push(path);
    void fetch(site.url + (req.url ?? "/")).then(async (upstream) => {
      res.writeHead(upstream.status, Object.fromEntries(upstream.headers));
      res.end(Buffer.from(await upstream.arrayBuffer()));
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  const address = proxy.address();
  const origin = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;

  const browser = await chromium.launch(chromiumLaunchOptions());
  try {
    // What the page itself fetches: the service worker's background precache (which takes
    // web-llm's chunk for offline use right after the first visit) is not part of this measure.
    const page = await browser.newPage({ serviceWorkers: "block" });
    await page.goto(origin + "/");
    await page.getByRole("combobox", { name: "Model" }).waitFor();
    await page.waitForLoadState("networkidle");
    const initial = [...fetched];
    await page.getByRole("button", { name: "Load model" }).click();
    await page.locator("[data-error-code]").waitFor({ timeout: 60_000 });
    const all = [...fetched];

    const gz = (paths: string[]) =>
      paths.reduce(
        (sum, p) => sum + gzipSync(readFileSync(join(outDir, p)), { level: 9 }).length,
        0,
      );
    const isWebLlm = (p: string) =>
      readFileSync(join(outDir, p), "utf8").includes("Fetching param cache[");
    const webLlmFetches = all.filter(isWebLlm);
    const webLlmOwn = gzipSync(
      readFileSync(fileURLPath("../../node_modules/@mlc-ai/web-llm/lib/index.js")),
      { level: 9 },
    ).length;
    if (initial.some(isWebLlm)) throw new Error("web-llm was fetched before the first interaction");
    return [
      {
        name: "main-thread JS before first interaction (gzip)",
        value: Math.round(gz(initial) / 1024),
        unit: "KB",
        baseline: Math.round(webLlmOwn / 1024),
        baselineName: "web-llm alone, if the page imported it",
        target: "≤ 150 KB",
      },
      {
        name: "all JS until a web-llm model loads (gzip)",
        value: Math.round(gz([...new Set(all)]) / 1024),
        unit: "KB",
      },
      { name: "JS requests until model load", value: all.length, unit: "requests" },
      {
        name: "fetches of web-llm's chunk (worker only)",
        value: webLlmFetches.length,
        unit: "fetches",
        target: "= 1",
      },
    ];
  } finally {
    await browser.close();
    proxy.close();
    await site.close();
    rmSync(outDir, { recursive: true, force: true });
  }
}

function fileURLPath(relative: string): string {
  return fileURLToPath(new URL(relative, import.meta.url));
}
