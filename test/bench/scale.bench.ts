import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "@playwright/test";
import { build } from "vite";
import {
  CHAT_DB,
  CHAT_DB_VERSION,
  LEGACY_SUMMARY_DB,
  LEGACY_SUMMARY_STORE,
  RECORDS_STORE,
  SUMMARIES_STORE,
} from "../../app/storage/chat-database";
import { summarize } from "../../app/storage/summaries";
import { summaryStoreEntries } from "../../app/storage/summary-store";
import type { ChatMessage, Conversation } from "../../app/storage/types";
import { chromiumLaunchOptions } from "../e2e/chromium";
import { serveStatic } from "../e2e/static-server";
import type { BenchResult } from "./types";

/**
 * 1,000 conversations of 50 messages each, written into IndexedDB exactly as the app stores
 * them before the app starts: one record per conversation and the summaries the app keeps
 * next to them (built with the app's own functions), two stores of the chat database.
 * Measures the time from navigation to the first paint of the sidebar list, until every
 * conversation is read (search covers all of them), search latency (keystroke to painted
 * results) and the JS heap after a garbage collection. A second start with the records only,
 * as an older app version left them, measures the first start after an update, which builds
 * the summaries; a third, with the records and the summaries in their own database, as the
 * version before one chat database left them, the first start that moves them.
 * Scripts for the page are strings: tsx would add a __name helper the page lacks.
 */
const CONVERSATIONS = 1000;
const MESSAGES = 50;

function seedConversations(): Conversation[] {
  const words =
    "model token reply chat browser engine memory search panda river cloud data table code list math".split(
      " ",
    );
  let seed = 1;
  const rand = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const base = Date.now() - CONVERSATIONS * 60000;
  const conversations: Conversation[] = [];
  for (let c = 0; c < CONVERSATIONS; c++) {
    const messages: ChatMessage[] = [];
    for (let m = 0; m < MESSAGES; m++) {
      const n = 20 + Math.floor(rand() * 60);
      const text = Array.from(
        { length: n },
        () => words[Math.floor(rand() * words.length)] ?? "",
      ).join(" ");
      messages.push({
        id: `m-${c}-${m}`,
        role: m % 2 === 0 ? "user" : "assistant",
        content: (m === 25 ? `needle-${c} ` : "") + text,
        createdAt: base + c * 60000 + m * 1000,
        status: "done",
      });
    }
    conversations.push({
      id: `c-${c}`,
      title: `Chat ${c} about ${words[c % words.length]}`,
      createdAt: base + c * 60000,
      updatedAt: base + c * 60000 + MESSAGES * 1000,
      messages,
    });
  }
  return conversations;
}

/**
 * Puts [key, value] pairs into a store (value, then key, as idb-keyval and the app write
 * them), creating the database at `version` with `stores` (out-of-line keys, no indexes) if
 * it does not exist yet.
 */
const PUT_ENTRIES = `async ({ db: name, version, stores, store, json }) => {
  const entries = JSON.parse(json);
  const db = await new Promise((resolve, reject) => {
    const open = indexedDB.open(name, version);
    open.onupgradeneeded = () => {
      for (const s of stores) if (!open.result.objectStoreNames.contains(s)) open.result.createObjectStore(s);
    };
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
  const tx = db.transaction(store, "readwrite");
  for (const [key, value] of entries) tx.objectStore(store).put(value, key);
  await new Promise((resolve, reject) => { tx.oncomplete = resolve; tx.onerror = () => reject(tx.error); });
  db.close();
}`;
interface Target {
  db: string;
  version: number;
  stores: string[];
  store: string;
}
const putEntries = new Function("arg", `return (${PUT_ENTRIES})(arg);`) as (
  arg: Target & { json: string },
) => Promise<void>;

async function seed(page: Page, target: Target, entries: [IDBValidKey, unknown][]) {
  // In slices, so no single message to the page carries all 15 MB.
  for (let i = 0; i < entries.length; i += 100) {
    const json = JSON.stringify(entries.slice(i, i + 100));
    await page.evaluate(putEntries, { ...target, json });
  }
}

/**
 * How the chats are stored when the app starts: as this version stores them, as records only
 * (a version that kept no summaries), or records and summaries in two databases (the version
 * before one chat database).
 */
type Layout = "current" | "records-only" | "two-databases";

async function seedLayout(page: Page, conversations: Conversation[], layout: Layout) {
  const records = conversations.map((c): [IDBValidKey, unknown] => [c.id, c]);
  const summaries = summaryStoreEntries(conversations.map(summarize));
  if (layout === "current") {
    const stores = [RECORDS_STORE, SUMMARIES_STORE];
    const db = { db: CHAT_DB, version: CHAT_DB_VERSION, stores };
    await seed(page, { ...db, store: RECORDS_STORE }, records);
    await seed(page, { ...db, store: SUMMARIES_STORE }, summaries);
    return;
  }
  // Version 1 of the chat database: idb-keyval's, the records store alone.
  const v1 = { db: CHAT_DB, version: 1, stores: [RECORDS_STORE], store: RECORDS_STORE };
  await seed(page, v1, records);
  if (layout === "two-databases") {
    const stores = [LEGACY_SUMMARY_STORE];
    const legacy = { db: LEGACY_SUMMARY_DB, version: 1, stores, store: LEGACY_SUMMARY_STORE };
    await seed(page, legacy, summaries);
  }
}

/** Timestamps (performance.now) of the sidebar's first entry and full list on screen. */
const WATCH = `
  const painted = (done) => new Promise((resolve) => {
    const check = () => {
      if (!done()) return;
      observer.disconnect();
      requestAnimationFrame(() => setTimeout(() => resolve(performance.now())));
    };
    const observer = new MutationObserver(check);
    observer.observe(document, { childList: true, subtree: true, attributes: true });
  });
  const listed = (count) => () => {
    const list = document.querySelector('[data-testid="conversation-list"]');
    return list !== null && list.childElementCount >= count;
  };
  window.__sidebarFirstPaint = painted(listed(1));
  window.__sidebarFullPaint = painted(listed(${CONVERSATIONS}));
  window.__allLoaded = painted(() => document.querySelector('[data-chats-loaded="true"]') !== null);
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

interface Start {
  page: Page;
  firstPaint: number;
  fullPaint: number;
  allLoaded: number;
  close(): Promise<void>;
}

/** Seeds a fresh browser with the chats stored in `layout` and opens the app. */
async function start(url: string, conversations: Conversation[], layout: Layout) {
  const browser = await chromium.launch(chromiumLaunchOptions());
  try {
    return await open(browser, url, conversations, layout);
  } catch (error) {
    await browser.close();
    throw error;
  }
}

async function open(browser: Browser, url: string, conversations: Conversation[], layout: Layout) {
  const page = await browser.newPage();
  await page.goto(url + "/favicon.svg");
  await seedLayout(page, conversations, layout);
  await page.addInitScript(WATCH);
  await page.goto(url + "/");
  const result: Start = {
    page,
    firstPaint: (await page.evaluate("window.__sidebarFirstPaint")) as number,
    fullPaint: (await page.evaluate("window.__sidebarFullPaint")) as number,
    allLoaded: (await page.evaluate("window.__allLoaded")) as number,
    close: () => browser.close(),
  };
  return result;
}

export default async function run(): Promise<BenchResult[]> {
  const outDir = mkdtempSync(join(tmpdir(), "cutegpt-scale-"));
  await build({ mode: "test", logLevel: "silent", build: { outDir, emptyOutDir: true } });
  const site = await serveStatic(outDir, [
    fileURLToPath(new URL("../fixtures/site", import.meta.url)),
  ]);
  const conversations = seedConversations();
  const label = `${CONVERSATIONS} chats × ${MESSAGES} messages`;
  try {
    const usual = await start(site.url, conversations, "current");
    const { page } = usual;
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
    await usual.close();

    const upgrade = await start(site.url, conversations, "records-only");
    await upgrade.close();
    const move = await start(site.url, conversations, "two-databases");
    await move.close();

    return [
      {
        name: `sidebar first paint, ${label} (from navigation)`,
        value: Math.round(usual.firstPaint),
        unit: "ms",
        // The same chats stored as records only, as before the summaries: the list then
        // waits for every record, as it always did.
        baseline: Math.round(upgrade.firstPaint),
        baselineName: "records only",
        target: "< 500 ms",
      },
      {
        name: `all ${CONVERSATIONS} sidebar entries rendered`,
        value: Math.round(usual.fullPaint),
        unit: "ms",
      },
      {
        name: "every chat read in full (search covers all)",
        value: Math.round(usual.allLoaded),
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
      {
        name: `first start after an update (records only, no summaries): sidebar first paint`,
        value: Math.round(upgrade.firstPaint),
        unit: "ms",
      },
      {
        name: "first start after an update: every chat read in full",
        value: Math.round(upgrade.allLoaded),
        unit: "ms",
      },
      {
        name: "first start with one chat database (summaries moved in): sidebar first paint",
        value: Math.round(move.firstPaint),
        unit: "ms",
        baseline: Math.round(usual.firstPaint),
        baselineName: "later starts",
      },
      {
        name: "first start with one chat database: every chat read in full",
        value: Math.round(move.allLoaded),
        unit: "ms",
      },
    ];
  } finally {
    await site.close();
    rmSync(outDir, { recursive: true, force: true });
  }
}
