import { mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { chromium } from "@playwright/test";
import { chromiumLaunchOptions } from "../e2e/chromium";
import { serveStatic } from "../e2e/static-server";
import { benchMarkdown } from "./render.bench";

/**
 * Not a benchmark: records a Chromium trace of one second of the render bench's stream
 * (dist-test/ must be built: `npx vite build --mode test`) and prints where the main
 * thread's time went, by event name, self time. Run: `npx tsx test/bench/render-trace.ts`;
 * the trace is written to test-results/render-trace.json for chrome://tracing or Perfetto.
 */
const root = fileURLToPath(new URL("../../dist-test", import.meta.url));
const site = await serveStatic(root, [fileURLToPath(new URL("../fixtures/site", import.meta.url))]);
const browser = await chromium.launch(chromiumLaunchOptions());
try {
  const page = await browser.newPage();
  await page.goto(site.url + "/");
  await page.getByRole("combobox", { name: "Model" }).selectOption("test-engine-fast");
  await page.getByRole("button", { name: "Load model" }).click();
  await page.getByRole("button", { name: "Ready" }).waitFor();
  const composer = page.getByRole("textbox", { name: "Message" });
  await composer.fill(`#nomax #rate:200 #echo ${benchMarkdown(16000)}`);
  await composer.press("Enter");
  await page.locator('article[data-status="streaming"]').waitFor();
  await page.waitForTimeout(Number(process.argv[2] ?? 8000));
  await browser.startTracing(page, {
    categories: [
      "devtools.timeline",
      "blink",
      "v8.execute",
      "disabled-by-default-devtools.timeline",
    ],
  });
  await page.waitForTimeout(1000);
  const buffer = await browser.stopTracing();
  mkdirSync("test-results", { recursive: true });
  writeFileSync("test-results/render-trace.json", buffer);
  const { traceEvents } = JSON.parse(buffer.toString()) as {
    traceEvents: {
      name: string;
      ph: string;
      dur?: number;
      tdur?: number;
      tid: number;
      pid: number;
      args?: { name?: string };
    }[];
  };
  const main = traceEvents.find(
    (e) => e.name === "thread_name" && e.args?.name === "CrRendererMain",
  );
  const events = traceEvents.filter(
    (e) => e.ph === "X" && main && e.tid === main.tid && e.pid === main.pid,
  );
  // Self time: an event's duration minus the events nested directly inside it.
  const byName = new Map<string, number>();
  const sorted = events
    .map((e) => ({
      ...e,
      ts: (e as unknown as { ts: number }).ts,
      end: (e as unknown as { ts: number }).ts + (e.dur ?? 0),
    }))
    .sort((a, b) => a.ts - b.ts || b.end - a.end);
  const stack: typeof sorted = [];
  const self = new Map<(typeof sorted)[number], number>();
  for (const e of sorted) {
    while (stack.length && stack.at(-1)!.end <= e.ts) stack.pop();
    const parent = stack.at(-1);
    if (parent) self.set(parent, (self.get(parent) ?? 0) - (e.dur ?? 0));
    self.set(e, (self.get(e) ?? 0) + (e.dur ?? 0));
    stack.push(e);
  }
  for (const [e, t] of self) byName.set(e.name, (byName.get(e.name) ?? 0) + t);
  const rows = [...byName].sort((a, b) => b[1] - a[1]).slice(0, 25);
  for (const [name, us] of rows) console.log(`${(us / 1000).toFixed(1).padStart(8)} ms  ${name}`);
} finally {
  await browser.close();
  await site.close();
}
