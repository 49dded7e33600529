import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "@playwright/test";
import { build } from "vite";
import { chromiumLaunchOptions } from "../e2e/chromium";
import { serveStatic } from "../e2e/static-server";
import type { BenchResult } from "./types";

/**
 * 1,000 conversations of 50 messages each, written straight into the app's IndexedDB
 * ("cutegpt-chats"/"conversations", one record per conversation) before the app starts.
 * Measures the time from navigation to the first paint of the full sidebar list, search
 * latency (keystroke to painted results) and the JS heap after a garbage collection.
 * Scripts are strings: tsx would add a __name helper the page lacks.
 */
const CONVERSATIONS = 1000;
const MESSAGES = 50;

const SEED = `(async () => {
  const words = "model token reply chat browser engine memory search panda river cloud data table code list math".split(" ");
  const db = await new Promise((resolve, reject) => {
    const open = indexedDB.open("cutegpt-chats");
    open.onupgradeneeded = () => open.result.createObjectStore("conversations");
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
  const tx = db.transaction("conversations", "readwrite");
  const store = tx.objectStore("conversations");
  let seed = 1;
  const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  const base = Date.now() - ${CONVERSATIONS} * 60000;
  for (let c = 0; c < ${CONVERSATIONS}; c++) {
    const messages = [];
    for (let m = 0; m < ${MESSAGES}; m++) {
      const n = 20 + Math.floor(rand() * 60);
      const text = Array.from({ length: n }, () => words[Math.floor(rand() * words.length)]).join(" ");
      messages.push({
        id: "m-" + c + "-" + m,
        role: m % 2 === 0 ? "user" : "assistant",
        content: (m === 25 ? "needle-" + c + " " : "") + text,
        createdAt: base + c * 60000 + m * 1000,
        status: "done",
      });
    }
    store.put({ id: "c-" + c, title: "Chat " + c + " about " + words[c % words.length], createdAt: base + c * 60000,
      updatedAt: base + c * 60000 + ${MESSAGES} * 1000, messages }, "c-" + c);
  }
  await new Promise((resolve, reject) => { tx.oncomplete = resolve; tx.onerror = () => reject(tx.error); });
  db.close();
})()`;

const WATCH_SIDEBAR = `
  const painted = (count) => new Promise((resolve) => {
    const check = () => {
      const list = document.querySelector('[data-testid="conversation-list"]');
      if (!list || list.childElementCount < count) return;
      observer.disconnect();
      requestAnimationFrame(() => setTimeout(() => resolve(performance.now())));
    };
    const observer = new MutationObserver(check);
    observer.observe(document, { childList: true, subtree: true });
  });
  window.__sidebarFirstPaint = painted(1);
  window.__sidebarFullPaint = painted(${CONVERSATIONS});
`;

const SEARCH = (query: string) => `(async () => {
  const input = document.querySelector('input[type="search"]');
  const setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value").set;
  const clear = () => { setValue.call(input, ""); input.dispatchEvent(new Event("input", { bubbles: true })); };
  clear();
  await new Promise((r) => setTimeout(r, 50));
  const start = performance.now();
  const done = new Promise((resolve) => {
    const check = () => {
      const list = document.querySelector('[data-testid="search-results"]');
      const status = list && list.previousElementSibling;
      if (!status || !/match/.test(status.textContent || "")) return false;
      observer.disconnect();
      requestAnimationFrame(() => setTimeout(() => resolve(performance.now() - start)));
      return true;
    };
    const observer = new MutationObserver(check);
    observer.observe(document.body, { childList: true, subtree: true, characterData: true });
  });
  setValue.call(input, ${JSON.stringify(query)});
  input.dispatchEvent(new Event("input", { bubbles: true }));
  const ms = await done;
  clear();
  return ms;
})()`;

export default async function run(): Promise<BenchResult[]> {
  const outDir = mkdtempSync(join(tmpdir(), "cutegpt-scale-"));
  await build({ mode: "test", logLevel: "silent", build: { outDir, emptyOutDir: true } });
  const site = await serveStatic(outDir, [
    fileURLToPath(new URL("../fixtures/site", import.meta.url)),
  ]);
  const browser = await chromium.launch(chromiumLaunchOptions());
  try {
    const page = await browser.newPage();
    await page.goto(site.url + "/favicon.svg");
    await page.evaluate(SEED);
    await page.addInitScript(WATCH_SIDEBAR);
    await page.goto(site.url + "/");
    const sidebarMs = (await page.evaluate("window.__sidebarFirstPaint")) as number;
    const fullMs = (await page.evaluate("window.__sidebarFullPaint")) as number;

    const queries = ["needle-737", "needle-12", "Chat 512", "panda river", "xyzzy", "model"];
    const searchMs: number[] = [];
    // One warm-up search builds the lower-cased index; it is reported separately.
    const firstSearch = (await page.evaluate(SEARCH("needle-999"))) as number;
    for (const q of queries) searchMs.push((await page.evaluate(SEARCH(q))) as number);

    const cdp = await page.context().newCDPSession(page);
    await cdp.send("HeapProfiler.collectGarbage");
    await cdp.send("Performance.enable");
    const { metrics } = await cdp.send("Performance.getMetrics");
    const heap = metrics.find((m) => m.name === "JSHeapUsedSize")?.value ?? 0;
    const nodes = metrics.find((m) => m.name === "Nodes")?.value ?? 0;
    searchMs.sort((a, b) => a - b);
    return [
      {
        name: `sidebar first paint, ${CONVERSATIONS} chats × ${MESSAGES} messages (from navigation)`,
        value: Math.round(sidebarMs),
        unit: "ms",
        target: "< 500 ms",
      },
      {
        name: `all ${CONVERSATIONS} sidebar entries rendered`,
        value: Math.round(fullMs),
        unit: "ms",
      },
      { name: "first search (builds the index)", value: Math.round(firstSearch), unit: "ms" },
      {
        name: "search latency, median of 6 queries",
        value: Math.round(searchMs[Math.floor(searchMs.length / 2)] ?? 0),
        unit: "ms",
        target: "< 100 ms",
      },
      {
        name: "search latency, worst of 6 queries",
        value: Math.round(searchMs.at(-1) ?? 0),
        unit: "ms",
        target: "< 100 ms",
      },
      { name: "JS heap after GC", value: Math.round(heap / 1024 / 1024), unit: "MB" },
      { name: "DOM nodes", value: nodes, unit: "nodes" },
    ];
  } finally {
    await browser.close();
    await site.close();
    rmSync(outDir, { recursive: true, force: true });
  }
}
