/**
 * `npm run reliability`: the issue-9 summary. Runs the fault, hostile-input and CSP browser
 * tests, then a long run in one tab against the test build (dist-test/, built by the script):
 * 500 consecutive replies with JS heap, worker and listener counts sampled, and one reply of
 * 100,000 tokens at 20,000 tokens/s (about 15 s; `--quick` skips it). Before the long run, the
 * longest main-thread task of each hostile link (test/fixtures/hostile) and of its benign twin,
 * opening it, continuing it and starting the app with it open: reported, not asserted, since a
 * time depends on the machine (`--links` runs only this). Prints a summary and writes
 * reliability-report.json; exits non-zero if any fault was not survived, any vector got
 * through, or any message was lost.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { chromium, type CDPSession, type Page } from "@playwright/test";
import { encodeShareFragment, type SharedConversation } from "../../app/features/share/codec";
import { chromiumLaunchOptions } from "../e2e/chromium";
import { serveStatic } from "../e2e/static-server";
import { HOSTILE_LINKS } from "../fixtures/hostile/links";
import { continueButton } from "./continue-button";

const quick = process.argv.includes("--quick");
/** `--links`: only the longest main-thread tasks of the hostile links (a few minutes). */
const linksOnly = process.argv.includes("--links");
const REPLIES = 500;
const MODEL = "test-engine-fast";

interface SpecResult {
  title: string;
  file: string;
  ok: boolean;
  /** "longest task" annotations of hostile-links.spec.ts: hostile vs benign twin, same run. */
  longestTask?: string;
}

function runBrowserSuites(): SpecResult[] {
  const run = spawnSync(
    "npx",
    [
      "playwright",
      "test",
      "test/e2e/faults.spec.ts",
      "test/e2e/hostile.spec.ts",
      "test/e2e/hostile-links.spec.ts",
      "test/e2e/csp.spec.ts",
      "--reporter=json",
    ],
    { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 },
  );
  const report = JSON.parse(run.stdout) as { suites: Suite[] };
  const out: SpecResult[] = [];
  const walk = (suite: Suite, file: string) => {
    for (const spec of suite.specs ?? []) {
      const annotations = (spec.tests ?? []).flatMap((t) => t.annotations ?? []);
      const longest = annotations.find((a) => a.type === "longest task")?.description;
      out.push({ title: spec.title, file, ok: spec.ok, ...(longest && { longestTask: longest }) });
    }
    for (const child of suite.suites ?? []) walk(child, file);
  };
  for (const suite of report.suites) walk(suite, suite.file ?? suite.title);
  return out;
}
interface Suite {
  title: string;
  file?: string;
  specs?: {
    title: string;
    ok: boolean;
    tests?: { annotations?: { type: string; description?: string }[] }[];
  }[];
  suites?: Suite[];
}

async function heapMB(cdp: CDPSession): Promise<number> {
  await cdp.send("HeapProfiler.collectGarbage");
  const { usedSize } = await cdp.send("Runtime.getHeapUsage");
  return usedSize / (1024 * 1024);
}

async function counters(cdp: CDPSession) {
  return cdp.send("Memory.getDOMCounters");
}

const llmWorkers = (page: Page) => page.workers().filter((w) => w.url().includes("llm.worker"));

async function sendAndWait(page: Page, text: string, timeout = 60_000): Promise<void> {
  const composer = page.getByRole("textbox", { name: "Message" });
  await composer.fill(text);
  await composer.press("Enter");
  await page
    .locator('article[data-status="streaming"]')
    .first()
    .waitFor({ state: "detached", timeout });
}

/** Every message of every stored conversation, read straight from IndexedDB. */
function storedMessages(page: Page) {
  return page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve) => {
      const open = indexedDB.open("cutegpt-chats");
      open.onsuccess = () => resolve(open.result);
    });
    const all = await new Promise<{ messages: { role: string; status: string }[] }[]>((resolve) => {
      const request = db.transaction("conversations").objectStore("conversations").getAll();
      request.onsuccess = () => resolve(request.result as never);
    });
    db.close();
    const messages = all.flatMap((c) => c.messages);
    return {
      total: messages.length,
      done: messages.filter((m) => m.status === "done").length,
    };
  });
}

async function longRun() {
  const site = await serveStatic("dist-test", ["test/fixtures/site"]);
  const browser = await chromium.launch(chromiumLaunchOptions());
  const page = await browser.newPage();
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("HeapProfiler.enable");
  try {
    await page.goto(site.url + "/");
    await page.getByRole("combobox", { name: "Model" }).selectOption(MODEL);
    await page.getByRole("button", { name: "Load model" }).click();
    await page.locator('[data-testid="model-status"][data-state="ready"]').waitFor();

    const start = await heapMB(cdp);
    const startCounters = await counters(cdp);
    let peak = start;
    let maxWorkers = llmWorkers(page).length;
    let maxListeners = startCounters.jsEventListeners;
    const started = Date.now();
    for (let i = 1; i <= REPLIES; i++) {
      // A new chat every 25 replies, as a user would; all 500 stay in memory and storage.
      if (i % 25 === 1) await page.getByRole("button", { name: "+ New chat" }).click();
      await sendAndWait(page, `Question ${i} #rate:1000`);
      maxWorkers = Math.max(maxWorkers, llmWorkers(page).length);
      if (i % 50 === 0) {
        peak = Math.max(peak, await heapMB(cdp));
        maxListeners = Math.max(maxListeners, (await counters(cdp)).jsEventListeners);
        process.stdout.write(`  ${i} replies, heap ${peak.toFixed(1)} MB peak\n`);
      }
    }
    const seconds = (Date.now() - started) / 1000;
    const end = await heapMB(cdp);
    const endCounters = await counters(cdp);
    peak = Math.max(peak, end);

    let longReply: { tokens: number; seconds: number; usableAfter: boolean } | undefined;
    if (!quick) {
      // Stored settings may ask for any token budget (the UI caps it at 1536).
      await page.evaluate(async () => {
        const db = await new Promise<IDBDatabase>((resolve) => {
          const open = indexedDB.open("cutegpt-chats");
          open.onsuccess = () => resolve(open.result);
        });
        await new Promise<void>((resolve) => {
          const tx = db.transaction("conversations", "readwrite");
          tx.objectStore("conversations").put(
            {
              id: "long-reply",
              title: "100,000 tokens",
              createdAt: Date.now(),
              updatedAt: Date.now(),
              settings: {
                metaPrompt: "",
                historyLimit: 3,
                decoding: {
                  preset: "custom",
                  temperature: 0.7,
                  topP: 0.9,
                  repetitionPenalty: 1.1,
                  maxTokens: 200000,
                },
              },
              messages: [],
            },
            "long-reply",
          );
          tx.oncomplete = () => resolve();
        });
        db.close();
      });
      await page.reload();
      await page.getByRole("combobox", { name: "Model" }).selectOption(MODEL);
      await page.getByRole("button", { name: "Load model" }).click();
      await page.locator('[data-testid="model-status"][data-state="ready"]').waitFor();
      await page.getByRole("button", { name: "100,000 tokens" }).click();
      const t0 = Date.now();
      await sendAndWait(page, "Go on #long:100000 #rate:20000", 30 * 60_000);
      const meta = await page.getByTestId("message-meta").last().textContent();
      const tokens = Number(/([\d,]+) tokens/.exec(meta ?? "")?.[1]?.replaceAll(",", "") ?? 0);
      const t1 = Date.now();
      await sendAndWait(page, "Still there?");
      const usableAfter =
        (await page.locator('article[data-role="assistant"]').last().textContent())?.includes(
          'to "Still there?"',
        ) === true && Date.now() - t1 < 10_000;
      longReply = { tokens, seconds: (t1 - t0) / 1000, usableAfter };
    }

    await page.reload();
    await page.getByTestId("conversation-list").waitFor();
    const stored = await storedMessages(page);
    const expected = 2 * REPLIES + (longReply ? 4 : 0);
    return {
      replies: REPLIES,
      seconds,
      heapMB: { start, peak, end },
      llmWorkersMax: maxWorkers,
      domCounters: { start: startCounters, end: endCounters },
      jsEventListenersMax: maxListeners,
      longReply,
      stored,
      messagesLost: Math.max(0, expected - stored.total) + (stored.total - stored.done),
    };
  } finally {
    await browser.close();
    await site.close();
  }
}

/** Issue 19's goal: no main-thread task over this while a link opens, continues or restarts. */
const TASK_GOAL_MS = 200;

/** Longest main-thread task since the document started, or since the script set it to 0. */
const LONG_TASKS = `
  window.__longest = 0;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) window.__longest = Math.max(window.__longest, entry.duration);
  }).observe({ type: "longtask", buffered: true });
`;

interface LinkTasks {
  /** Opening the link: the shared view with every reply mounted, math and code done. */
  open: number;
  /** "Continue this chat": the same replies in the chat view. */
  continue: number;
  /** Starting the app again, the continued chat open. */
  start: number;
}

/** The longest task in each phase; every phase is given time to finish its lazy work. */
async function linkTasks(origin: string, conversation: SharedConversation): Promise<LinkTasks> {
  const browser = await chromium.launch(chromiumLaunchOptions());
  try {
    const page = await browser.newPage();
    await page.addInitScript(LONG_TASKS);
    const settled = async () => {
      await page.locator("article").first().waitFor();
      await page.waitForTimeout(2_500);
      const longest = (await page.evaluate("window.__longest")) as number;
      await page.evaluate("window.__longest = 0");
      return longest;
    };
    await page.goto(`${origin}/#${encodeShareFragment(conversation)}`);
    await page.getByTestId("shared-view").waitFor();
    const open = await settled();
    await continueButton(page).click();
    await page.getByTestId("message-list").waitFor();
    const continued = await settled();
    await page.goto(`${origin}/`);
    await page.getByTestId("message-list").waitFor();
    const start = await settled();
    return { open, continue: continued, start };
  } finally {
    await browser.close();
  }
}

async function hostileLinkTasks() {
  const site = await serveStatic("dist-test", ["test/fixtures/site"]);
  try {
    const links: { name: string; hostile: LinkTasks; benign: LinkTasks }[] = [];
    for (const link of HOSTILE_LINKS) {
      process.stdout.write(`  ${link.name}\n`);
      const hostile = await linkTasks(site.url, link.hostile);
      const benign = await linkTasks(site.url, link.benign);
      links.push({ name: link.name, hostile, benign });
    }
    const phases = ["open", "continue", "start"] as const;
    // Over the hostile links; their benign twins show what opening any link that size costs.
    const longest = Object.fromEntries(
      phases.map((phase) => [phase, Math.max(...links.map((l) => l.hostile[phase]))]),
    ) as Record<(typeof phases)[number], number>;
    return { goalMs: TASK_GOAL_MS, longest, links };
  } finally {
    await site.close();
  }
}

function linkTaskRows(tasks: Awaited<ReturnType<typeof hostileLinkTasks>>): [string, string][] {
  const ms = (t: LinkTasks) =>
    `${t.open.toFixed(0)} / ${t.continue.toFixed(0)} / ${t.start.toFixed(0)} ms`;
  const { longest } = tasks;
  return [
    [
      "longest task, hostile set (open / continue / start)",
      `${ms(longest)} (goal ≤ ${tasks.goalMs} ms each)`,
    ],
    ...tasks.links.map((l): [string, string] => [
      `  ${l.name}`,
      `${ms(l.hostile)} (benign twin ${ms(l.benign)})`,
    ]),
  ];
}

if (linksOnly) {
  console.log("longest main-thread task, hostile links and their benign twins…");
  const tasks = await hostileLinkTasks();
  const rows = linkTaskRows(tasks);
  const width = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) console.log(`${k.padEnd(width)} │ ${v}`);
  writeFileSync("reliability-links.json", JSON.stringify(tasks, null, 2));
  console.log("\nwrote reliability-links.json");
  process.exit(0);
}

const corpus = JSON.parse(readFileSync("test/fixtures/xss/vectors.json", "utf8")) as {
  groups: { vectors: string[] }[];
};
const vectorCount = corpus.groups.reduce((n, g) => n + g.vectors.length, 0);

console.log("browser suites (faults, hostile input, CSP)…");
const specs = runBrowserSuites();
const faults = specs.filter((s) => s.file.includes("faults"));
const hostile = specs.filter((s) => s.file.includes("hostile"));
const xss = hostile.filter((s) => s.title.startsWith("XSS corpus"));
const csp = specs.filter((s) => s.file.includes("csp"));
const xssAsOutput = xss.filter((s) => s.title.includes("model output"));
const xssInLinks = xss.filter((s) => s.title.includes("share links"));
const vectorsBlocked =
  (xssAsOutput.every((s) => s.ok) ? vectorCount : 0) +
  (xssInLinks.every((s) => s.ok) ? vectorCount : 0);

console.log("longest main-thread task, hostile links and their benign twins…");
const linkTaskReport = await hostileLinkTasks();

console.log(`long run: ${REPLIES} replies in one tab${quick ? "" : " + one 100,000-token reply"}…`);
const run = await longRun();

const summary = {
  faultsInjected: faults.length,
  faultsSurvived: faults.filter((s) => s.ok).length,
  vectorsTried: vectorCount * 2,
  vectorsBlocked,
  hostileInputTests: `${hostile.filter((s) => s.ok).length}/${hostile.length}`,
  cspTests: `${csp.filter((s) => s.ok).length}/${csp.length}`,
  messagesLost: run.messagesLost,
};
const report = { summary, specs, hostileLinkTasks: linkTaskReport, longRun: run };
writeFileSync("reliability-report.json", JSON.stringify(report, null, 2));

const rows: [string, string][] = [
  ["faults injected / survived", `${summary.faultsInjected} / ${summary.faultsSurvived}`],
  [
    "XSS vectors tried / blocked",
    `${summary.vectorsTried} / ${summary.vectorsBlocked} (${vectorCount} as model output, ${vectorCount} in share links)`,
  ],
  ["other hostile-input tests passed", summary.hostileInputTests],
  ["CSP tests passed", summary.cspTests],
  [
    `JS heap over ${REPLIES} replies (after GC)`,
    `start ${run.heapMB.start.toFixed(1)} MB · peak ${run.heapMB.peak.toFixed(1)} MB · end ${run.heapMB.end.toFixed(1)} MB`,
  ],
  ["LLM workers (max)", String(run.llmWorkersMax)],
  [
    "JS event listeners (start / max / end)",
    `${run.domCounters.start.jsEventListeners} / ${run.jsEventListenersMax} / ${run.domCounters.end.jsEventListeners}`,
  ],
  ["replies per second", (REPLIES / run.seconds).toFixed(1)],
  [
    "100,000-token reply",
    run.longReply
      ? `${run.longReply.tokens} tokens in ${run.longReply.seconds.toFixed(0)} s, usable after: ${run.longReply.usableAfter}`
      : "skipped (--quick)",
  ],
  ["messages stored / lost", `${run.stored.total} / ${summary.messagesLost}`],
];
// Longest main-thread task for each hostile link, beside its benign twin of the same size.
rows.push(...linkTaskRows(linkTaskReport));
const width = Math.max(...rows.map(([k]) => k.length));
for (const [k, v] of rows) console.log(`${k.padEnd(width)} │ ${v}`);
console.log("\nwrote reliability-report.json");

const failed =
  summary.faultsSurvived < summary.faultsInjected ||
  summary.vectorsBlocked < summary.vectorsTried ||
  specs.some((s) => !s.ok) ||
  summary.messagesLost > 0 ||
  run.llmWorkersMax > 1 ||
  (run.longReply !== undefined && (!run.longReply.usableAfter || run.longReply.tokens < 100_000));
process.exit(failed ? 1 : 0);
