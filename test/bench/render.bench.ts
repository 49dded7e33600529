import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser } from "@playwright/test";
import { build } from "vite";
import { chromiumLaunchOptions } from "../e2e/chromium";
import { serveStatic } from "../e2e/static-server";
import type { BenchResult } from "./types";

/**
 * Streaming render cost. The test build's test engine streams a ~4,000-token markdown reply
 * (headings, lists, tables, code, math) at 200 tokens/s. Main-thread cost is read from
 * Chromium itself every 250 ms and divided by the tokens that arrived in that window; p50/p95
 * are over those windows. Two readings of the same run (CDP Performance.getMetrics): the
 * CPU time of the main thread (ThreadTime), which is what the app costs, and the wall time of
 * its tasks (TaskDuration: store update, React, layout, paint, the scroll), which also counts
 * any time the thread waited for a core, so it swells when the machine is busy. Timing each
 * delta instead would miss the work the app defers to a later update, so it is not used. The same run repeats with
 * `?naive-markdown`, which renders and parses the whole reply on every token (one worker
 * message per token, no coalescing), as baseline.
 */
const TOKENS = 4000;
const RATE = 200;

export function benchMarkdown(targetChars: number): string {
  const sections: string[] = [];
  for (let i = 1; sections.join("\n\n").length < targetChars; i++) {
    sections.push(
      [
        `## Part ${i}: results and notes`,
        `This paragraph explains step ${i} with **bold**, _emphasis_, \`inline code\` and a link to [the docs](https://example.com/docs/${i}). The value grows as $x_${i} = x_{${i - 1}} + \\frac{1}{2}$ each round.`,
        `- first point for part ${i}\n- second point, a little longer than the first one\n  - nested detail\n- [x] checked task\n- [ ] open task`,
        `| metric | before | after |\n|---|---:|---:|\n| latency ms | ${i * 3} | ${i * 2} |\n| memory MB | ${i * 10} | ${i * 7} |`,
        "```python\n" +
          `def step_${i}(values):\n    total = 0\n    for v in values:\n        total += v * ${i}\n    return total\n` +
          "```",
        `$$\\sum_{k=1}^{${i}} k^2 = \\frac{${i}(${i}+1)(2 \\cdot ${i}+1)}{6}$$`,
        `1. ordered item one\n2. ordered item two\n3. ordered item three`,
      ].join("\n\n"),
    );
  }
  return sections.join("\n\n").slice(0, targetChars);
}

// A string, not a function: tsx would add its __name helper, which the page lacks.
export const INSTRUMENT = `
  window.__tokens = 0;
  window.__messages = 0;
  window.__longTasks = [];
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) window.__longTasks.push(entry.duration);
  }).observe({ type: "longtask", buffered: true });
  const original = Worker.prototype.addEventListener;
  Worker.prototype.addEventListener = function (type, listener, options) {
    if (type !== "message" || typeof listener !== "function") {
      return original.call(this, type, listener, options);
    }
    const counted = function (event) {
      // A worker message may carry several tokens; it says how many.
      if (event.data && event.data.type === "delta") {
        window.__tokens += event.data.tokens;
        window.__messages += 1;
      }
      return listener.call(this, event);
    };
    return original.call(this, type, counted, options);
  };
`;

const WINDOW_MS = 250;

interface RunResult {
  /** Main-thread CPU milliseconds per token, one value per 250 ms window with tokens in it. */
  costs: number[];
  /** The same windows as wall time of main-thread tasks. */
  taskCosts: number[];
  tokens: number;
  /** Delta messages the worker posted for them. */
  messages: number;
  longTasks: number[];
}

async function runOnce(browser: Browser, origin: string, naive: boolean): Promise<RunResult> {
  const page = await browser.newPage();
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Performance.enable");
  const readMs = async () => {
    const { metrics } = await cdp.send("Performance.getMetrics");
    const ms = (name: string) => (metrics.find((m) => m.name === name)?.value ?? 0) * 1000;
    return { cpu: ms("ThreadTime"), task: ms("TaskDuration") };
  };
  await page.addInitScript(INSTRUMENT);
  await page.goto(origin + (naive ? "/?naive-markdown" : "/"));
  await page.getByRole("combobox", { name: "Model" }).selectOption("test-engine-fast");
  await page.getByRole("button", { name: "Load model" }).click();
  await page.locator('[data-testid="model-status"][data-state="ready"]').waitFor();
  const composer = page.getByRole("textbox", { name: "Message" });
  await composer.fill(`#nomax #rate:${RATE} #echo ${benchMarkdown(TOKENS * 4)}`);
  await composer.press("Enter");
  await page.locator('article[data-status="streaming"]').waitFor();
  await page.evaluate("window.__longTasks.length = 0");
  const costs: number[] = [];
  const taskCosts: number[] = [];
  let last = await readMs();
  let lastTokens = (await page.evaluate("window.__tokens")) as number;
  const done = page.locator('article[data-role="assistant"][data-status="done"]');
  const deadline = Date.now() + (TOKENS / RATE) * 1000 * 4;
  while (Date.now() < deadline && (await done.count()) === 0) {
    await page.waitForTimeout(WINDOW_MS);
    const now = await readMs();
    const tokens = (await page.evaluate("window.__tokens")) as number;
    if (tokens > lastTokens) {
      costs.push((now.cpu - last.cpu) / (tokens - lastTokens));
      taskCosts.push((now.task - last.task) / (tokens - lastTokens));
    }
    last = now;
    lastTokens = tokens;
  }
  const result: RunResult = {
    costs,
    taskCosts,
    tokens: (await page.evaluate("window.__tokens")) as number,
    messages: (await page.evaluate("window.__messages")) as number,
    longTasks: (await page.evaluate("window.__longTasks")) as number[],
  };
  await page.close();
  return result;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p))] ?? 0;
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
}

function quarterRatio(costs: number[]): number {
  const q = Math.floor(costs.length / 4);
  return mean(costs.slice(-q)) / mean(costs.slice(0, q));
}

export default async function run(): Promise<BenchResult[]> {
  const outDir = mkdtempSync(join(tmpdir(), "cutegpt-render-"));
  await build({ mode: "test", logLevel: "silent", build: { outDir, emptyOutDir: true } });
  const site = await serveStatic(outDir, [
    fileURLToPath(new URL("../fixtures/site", import.meta.url)),
  ]);
  const browser = await chromium.launch(chromiumLaunchOptions());
  try {
    const chunked = await runOnce(browser, site.url, false);
    const naive = await runOnce(browser, site.url, true);
    const unit = "ms/token";
    return [
      {
        name: "tokens streamed (chunked / naive)",
        value: chunked.tokens,
        unit: "tokens",
        baseline: naive.tokens,
        baselineName: "naive",
      },
      {
        name: "worker messages carrying them",
        value: chunked.messages,
        unit: "messages",
        baseline: naive.messages,
        baselineName: "naive",
      },
      {
        name: "main-thread CPU per token, p50",
        value: percentile(chunked.costs, 0.5),
        unit,
        baseline: percentile(naive.costs, 0.5),
        baselineName: "whole message per token",
      },
      {
        name: "main-thread CPU per token, p95",
        value: percentile(chunked.costs, 0.95),
        unit,
        baseline: percentile(naive.costs, 0.95),
        baselineName: "whole message per token",
        target: "≤ 1 ms",
      },
      {
        name: "main-thread task wall time per token, p50",
        value: percentile(chunked.taskCosts, 0.5),
        unit,
        baseline: percentile(naive.taskCosts, 0.5),
        baselineName: "whole message per token",
      },
      {
        name: "main-thread task wall time per token, p95",
        value: percentile(chunked.taskCosts, 0.95),
        unit,
        baseline: percentile(naive.taskCosts, 0.95),
        baselineName: "whole message per token",
      },
      {
        name: "long tasks > 50 ms while streaming",
        value: chunked.longTasks.filter((d) => d > 50).length,
        unit: "tasks",
        baseline: naive.longTasks.filter((d) => d > 50).length,
        baselineName: "whole message per token",
        target: "0",
      },
      {
        name: "last-quarter / first-quarter cost",
        value: quarterRatio(chunked.costs),
        unit: "×",
        baseline: quarterRatio(naive.costs),
        baselineName: "whole message per token",
        target: "≤ 1.3",
      },
    ];
  } finally {
    await browser.close();
    await site.close();
    rmSync(outDir, { recursive: true, force: true });
  }
}
