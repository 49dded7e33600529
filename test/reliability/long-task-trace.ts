import { mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "@playwright/test";
import { encodeShareFragment } from "../../app/features/share/codec";
import { chromiumLaunchOptions } from "../e2e/chromium";
import { serveStatic } from "../e2e/static-server";
import type { TraceEvent } from "../bench/trace-summary";
import { HOSTILE_LINKS } from "../fixtures/hostile/links";
import { continueButton } from "./continue-button";

/**
 * Not a benchmark: records a Chromium trace of each phase of one hostile link (as
 * `npm run reliability -- --links` measures it: open, continue, start) and prints every
 * main-thread task over 50 ms with what is inside it: self time by trace event and by JS
 * function (from V8's sampling profiler in the trace), wall and CPU time. dist-test/ must be
 * built (`npx vite build --mode test`).
 *
 * Run: `npx tsx test/reliability/long-task-trace.ts "<link name part>" [hostile|benign]`;
 * traces go to test-results/long-task-<phase>.json for chrome://tracing or Perfetto.
 */
const [namePart = "tables", which = "hostile"] = process.argv.slice(2);
const link = HOSTILE_LINKS.find((l) => l.name.includes(namePart));
if (!link) throw new Error(`no hostile link named like "${namePart}"`);
const conversation = which === "benign" ? link.benign : link.hostile;

const LONG_MS = 50;
/** Events on a page's main thread that name the page's address. */
const PAGE_EVENTS = new Set(["ParseHTML", "ResourceSendRequest", "EvaluateScript", "v8.compile"]);
const SETTLE_MS = 2_500;
const CATEGORIES = [
  "devtools.timeline",
  "blink",
  "v8",
  "v8.execute",
  "disabled-by-default-devtools.timeline",
  "disabled-by-default-v8.cpu_profiler",
];

async function traced(browser: Browser, page: Page, phase: string, act: () => Promise<void>) {
  await browser.startTracing(page, { categories: CATEGORIES });
  await act();
  await page.waitForTimeout(SETTLE_MS);
  const buffer = await browser.stopTracing();
  mkdirSync("test-results", { recursive: true });
  writeFileSync(`test-results/long-task-${phase}.json`, buffer);
  const { traceEvents } = JSON.parse(buffer.toString()) as { traceEvents: TraceEvent[] };
  report(phase, traceEvents, new URL(page.url()).host);
}

function report(phase: string, events: TraceEvent[], host: string): void {
  // The page's main thread: the browser's own WebUI pages have renderer main threads too.
  const pages = new Set(
    events
      .filter((e) => PAGE_EVENTS.has(e.name) && JSON.stringify(e.args ?? {}).includes(host))
      .map((e) => `${e.pid}:${e.tid}`),
  );
  const mains = new Set(
    events
      .filter((e) => e.name === "thread_name" && e.args?.name === "CrRendererMain")
      .map((e) => `${e.pid}:${e.tid}`)
      .filter((thread) => pages.has(thread)),
  );
  const onMain = (e: TraceEvent) => mains.has(`${e.pid}:${e.tid}`);
  const complete = events.filter((e) => e.ph === "X" && onMain(e));
  const tasks = complete
    .filter((e) => e.name === "RunTask" && (e.dur ?? 0) > LONG_MS * 1000)
    .sort((a, b) => a.ts - b.ts);
  const samples = jsSamples(events, onMain);
  const first = Math.min(...complete.map((e) => e.ts));
  // Tracing's own work: V8's profiler starting on the new page.
  const own = (task: TraceEvent) =>
    complete.some(
      (e) =>
        e.name === "CpuProfiler::StartProfiling" &&
        e.ts >= task.ts &&
        e.ts < task.ts + (task.dur ?? 0) &&
        (e.dur ?? 0) > (task.dur ?? 0) / 2,
    );
  const apps = tasks.filter((task) => !own(task));
  const longest = (of: (task: TraceEvent) => number) => Math.max(0, ...apps.map(of)) / 1000;
  console.log(
    `\n== ${phase}: ${tasks.length} tasks over ${LONG_MS} ms; longest ` +
      `${longest((t) => t.dur ?? 0).toFixed(0)} ms wall, ${longest((t) => t.tdur ?? 0).toFixed(0)} ms CPU`,
  );
  for (const task of tasks) {
    const end = task.ts + task.dur!;
    const inside = complete.filter((e) => e.ts >= task.ts && e.ts + (e.dur ?? 0) <= end);
    const selfByName = selfTimes(inside);
    const fns = new Map<string, number>();
    for (const s of samples) {
      if (s.thread === `${task.pid}:${task.tid}` && s.ts >= task.ts && s.ts < end)
        fns.set(s.fn, (fns.get(s.fn) ?? 0) + s.dur);
    }
    console.log(
      `-- at ${((task.ts - first) / 1000).toFixed(0)} ms: ${(task.dur! / 1000).toFixed(0)} ms wall, ` +
        `${((task.tdur ?? 0) / 1000).toFixed(0)} ms CPU${own(task) ? " (tracing's own, not counted)" : ""}`,
    );
    for (const [name, us] of top(selfByName, 8)) console.log(`   ${ms(us)}  ${name}`);
    console.log("   JS self time (sampled):");
    for (const [name, us] of top(fns, 12)) console.log(`     ${ms(us)}  ${name}`);
  }
}

const ms = (us: number) => `${(us / 1000).toFixed(1).padStart(7)} ms`;
const top = (m: Map<string, number>, n: number) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n);

/** Self time by event name: an event's duration minus that of the events directly inside it. */
function selfTimes(events: TraceEvent[]): Map<string, number> {
  const sorted = [...events].sort((a, b) => a.ts - b.ts || (b.dur ?? 0) - (a.dur ?? 0));
  const stack: TraceEvent[] = [];
  const self = new Map<TraceEvent, number>();
  for (const e of sorted) {
    while (stack.length && stack.at(-1)!.ts + (stack.at(-1)!.dur ?? 0) <= e.ts) stack.pop();
    const parent = stack.at(-1);
    if (parent) self.set(parent, (self.get(parent) ?? 0) - (e.dur ?? 0));
    self.set(e, (self.get(e) ?? 0) + (e.dur ?? 0));
    stack.push(e);
  }
  const byName = new Map<string, number>();
  for (const [e, t] of self) byName.set(e.name, (byName.get(e.name) ?? 0) + t);
  return byName;
}

/** V8's samples of the main threads, each as the function on top and the time until the next. */
function jsSamples(events: TraceEvent[], onMain: (e: TraceEvent) => boolean) {
  const out: { ts: number; dur: number; fn: string; thread: string }[] = [];
  const profiles = events.filter((e) => e.name === "Profile" && onMain(e));
  for (const profile of profiles) {
    const nodes = new Map<number, string>();
    let ts = profile.args?.data?.startTime ?? profile.ts;
    const raw: { ts: number; node: number }[] = [];
    for (const chunk of events) {
      if (chunk.name !== "ProfileChunk" || chunk.id !== profile.id || chunk.pid !== profile.pid) {
        continue;
      }
      const data = chunk.args?.data;
      for (const node of data?.cpuProfile?.nodes ?? []) {
        const { functionName, url, lineNumber } = node.callFrame;
        const file = (url ?? "").split("/").at(-1) ?? "";
        nodes.set(
          node.id,
          `${functionName || "(anonymous)"} ${file}${file ? `:${lineNumber ?? 0}` : ""}`,
        );
      }
      const deltas = data?.timeDeltas ?? [];
      (data?.cpuProfile?.samples ?? []).forEach((node, i) => {
        ts += deltas[i] ?? 0;
        raw.push({ ts, node });
      });
    }
    raw.sort((a, b) => a.ts - b.ts);
    raw.forEach((s, i) => {
      const next = raw[i + 1];
      const thread = `${profile.pid}:${profile.tid}`;
      if (next) out.push({ ts: s.ts, dur: next.ts - s.ts, fn: nodes.get(s.node) ?? "?", thread });
    });
  }
  return out;
}

// LONG_TASK_DIST: another build of the test app (say one built with `--minify false`, for names).
const root = fileURLToPath(
  new URL(`../../${process.env.LONG_TASK_DIST ?? "dist-test"}`, import.meta.url),
);
const site = await serveStatic(root, [fileURLToPath(new URL("../fixtures/site", import.meta.url))]);
const browser = await chromium.launch(chromiumLaunchOptions());
try {
  const page = await browser.newPage();
  console.log(`${link.name} (${which})`);
  await traced(browser, page, "open", async () => {
    await page.goto(`${site.url}/#${encodeShareFragment(conversation)}`);
    await page.getByTestId("shared-view").waitFor();
    await page.locator("article").first().waitFor();
  });
  await traced(browser, page, "continue", async () => {
    await continueButton(page).click();
    await page.getByTestId("message-list").waitFor();
    await page.locator("article").first().waitFor();
  });
  await traced(browser, page, "start", async () => {
    await page.goto(`${site.url}/`);
    await page.getByTestId("message-list").waitFor();
    await page.locator("article").first().waitFor();
  });
} finally {
  await browser.close();
  await site.close();
}
