import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "@playwright/test";
import { build } from "vite";
import { chromiumLaunchOptions } from "../e2e/chromium";
import { serveStatic } from "../e2e/static-server";
import type { BenchResult } from "./types";

/**
 * Model-file storage in Chromium: ≥ 1 GB of synthetic shards (32 MB and 180 MB) written and
 * read through IndexedDB (web-llm's layout, via workers/model-cache), the Cache API and OPFS
 * in the same run, and the time the app's cached-model read takes for all of them.
 */
const PLAN = [
  { shardMB: 32, shards: 16 },
  { shardMB: 180, shards: 3 },
];

export default async function run(): Promise<BenchResult[]> {
  const outDir = mkdtempSync(join(tmpdir(), "cutegpt-storage-bench-"));
  await build({
    configFile: false,
    logLevel: "silent",
    build: {
      outDir,
      emptyOutDir: true,
      lib: {
        entry: fileURLToPath(new URL("./storage-page.ts", import.meta.url)),
        formats: ["es"],
        fileName: () => "bench.js",
      },
    },
  });
  writeFileSync(
    join(outDir, "index.html"),
    '<!doctype html><meta charset="utf-8"><script type="module" src="./bench.js"></script>',
  );
  const site = await serveStatic(outDir);
  const browser = await chromium.launch(chromiumLaunchOptions());
  try {
    const page = await browser.newPage();
    await page.goto(site.url + "/index.html");
    await page.waitForFunction(() => "storageBench" in window);
    const result = await page.evaluate(
      (plan) =>
        (
          window as unknown as {
            storageBench(p: typeof plan): Promise<{
              timings: {
                backend: string;
                shardMB: number;
                shards: number;
                writeMs: number;
                readMs: number;
              }[];
              loadCachedMs: number;
              loadCachedBytes: number;
            }>;
          }
        ).storageBench(plan),
      PLAN,
    );
    const out: BenchResult[] = [];
    const rate = (mb: number, ms: number) => Math.round((mb / ms) * 1000);
    for (const backend of ["indexeddb", "cache-api", "opfs"]) {
      const rows = result.timings.filter((t) => t.backend === backend);
      const totalMB = rows.reduce((s, t) => s + t.shardMB * t.shards, 0);
      for (const t of rows) {
        const mb = t.shardMB * t.shards;
        out.push({
          name: `${backend} write, ${t.shardMB} MB shards`,
          value: rate(mb, t.writeMs),
          unit: "MB/s",
        });
        out.push({
          name: `${backend} read, ${t.shardMB} MB shards`,
          value: rate(mb, t.readMs),
          unit: "MB/s",
        });
      }
      out.push({
        name: `${backend} total (${totalMB} MB) write / read`,
        value: rate(
          totalMB,
          rows.reduce((s, t) => s + t.writeMs, 0),
        ),
        unit: "MB/s write",
        baseline: rate(
          totalMB,
          rows.reduce((s, t) => s + t.readMs, 0),
        ),
        baselineName: "read",
      });
    }
    out.push({
      name: `load cached model → all shards read (${Math.round(result.loadCachedBytes / 2 ** 20)} MB, IndexedDB)`,
      value: Math.round(result.loadCachedMs),
      unit: "ms",
    });
    return out;
  } finally {
    await browser.close();
    await site.close();
    rmSync(outDir, { recursive: true, force: true });
  }
}
