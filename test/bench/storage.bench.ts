import { withBenchPage } from "./bench-page";
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
  return withBenchPage(new URL("./storage-page.ts", import.meta.url), async (browser, pageUrl) => {
    const page = await browser.newPage();
    await page.goto(pageUrl);
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
  });
}
