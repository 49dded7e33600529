import { mkdirSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { chromium } from "@playwright/test";
import { chromiumLaunchOptions } from "../e2e/chromium";
import { serveStatic } from "../e2e/static-server";
import { benchMarkdown, INSTRUMENT } from "./render.bench";
import { summarize, type TraceEvent } from "./trace-summary";

/**
 * Not a benchmark: records a Chromium trace of one second of the render bench's stream
 * (dist-test/ must be built: `npx vite build --mode test --outDir dist-test`) and prints where
 * the main thread's CPU went: by kind of task (frames, the app's timers, worker messages), by
 * event name (self time), and JavaScript by function (sampled). The trace is written to
 * test-results/render-trace.json for chrome://tracing or Perfetto.
 *
 * Run: `npx tsx test/bench/render-trace.ts [--after 8000] [--pointer list|away|none] [--naive] [--js]
 * [--frames] [--windows] [--seconds 1] [--invalidations] [--css "<rules>"] [--init "<script>"]`;
 * --frames lists each frame's phases and the layers it repainted, --windows the CPU of each
 * 250 ms window (the bench's unit) by kind of task. The pointer: over the list being read (`list`),
 * over the sidebar (`away`), or where the bench's clicks left it (`none`). Wherever it is in
 * the page, Chromium hit-tests under it after each scroll (EventHandler::handleMouseMoveEvent
 * at the start of the next frame), as it would for a user's pointer.
 *
 * What it showed (about 8-10 updates a second, 20 tokens each): one update costs 12-17 ms of
 * CPU, nearly all of it Chromium's rendering, not the app's JavaScript (2-3 ms):
 * - the update's task (frame-throttle's timer): React 1-2 ms, then the style (1.3-2.2 ms) and
 *   layout (2.5-3.7 ms) that reading scrollHeight forces; the frame then needs no layout of
 *   its own, so this is not extra work;
 * - the frame after it: the hit test under the pointer after the scroll (1.4-2.6 ms, most of
 *   it the pre-paint the hit test needs), paint 3-4.5 ms, layerization 0.7-1 ms, commit
 *   0.4-1.4 ms. Paint re-walked every finished group near the view (0.5-0.9 ms each, though
 *   their display items were not invalidated) besides the group being written: each update
 *   changes the list's height, the area Chromium paints reaches the list's end, and a layer
 *   directly in the list took the changed area as a reason to paint again. A paint-clipping
 *   frame around each group (.md-group-frame in markdown.css) ended that: about 2 ms less
 *   per frame (test/e2e/render-paint.spec.ts);
 * - about once a second a frame of 10-14 ms (layout, pre-paint and paint of a whole group)
 *   when a group is finished and the next begins: the windows behind the p95;
 * - KaTeX and highlight.js results landing in tasks of their own, with a frame each: they now
 *   show with the next update (app/ui/late-results.ts), and KaTeX runs in a worker;
 * - the reply cursor's pulse: frames of its own a few times a second (style recalc, commit), now
 *   only until the first text arrives.
 * Those two and the keys of streamed lists (render.tsx) took the bench's p95 from 1.20 to 1.00
 * ms/token in alternating runs of one session (0.84-0.90 against 1.01-1.06 in `npm run bench --
 * render`). What is left: about 13 ms an update (forced style and layout 3-4 ms, React 2 ms, the
 * frame 5-6 ms), more when KaTeX output (about 200 layout objects for a display formula, its
 * MathML included) is inserted.
 * Tried and measured without a difference beyond the noise: will-change: scroll-position or an
 * opaque background on the list (composited scrolling), content-visibility on the group being
 * written too, contain: layout paint on it, pointer-events: none on the list, a definite width
 * for the reply, groups of 4 chunks instead of 8, isolation: isolate on each block (a paint
 * layer each), align-items: stretch on the reply and overflow-wrap: break-word instead of
 * anywhere (each halved the layout of appending a word in a probe, but not the bench's cost).
 */
const { values } = parseArgs({
  options: {
    after: { type: "string", default: "8000" },
    pointer: { type: "string", default: "none" },
    naive: { type: "boolean", default: false },
    // The sampling profiler costs the page time of its own (its start alone is a long task),
    // so JavaScript by function is a run of its own.
    js: { type: "boolean", default: false },
    top: { type: "string", default: "25" },
    // A style sheet added to the page, to try a CSS change without rebuilding.
    css: { type: "string" },
    // A script run before the app's, likewise.
    init: { type: "string" },
    frames: { type: "boolean", default: false },
    // How long to trace, in seconds (a p95 over 250 ms windows needs a few seconds of them).
    seconds: { type: "string", default: "1" },
    // CPU per 250 ms window, by kind of task.
    windows: { type: "boolean", default: false },
    // Chromium's own invalidation records (which objects lost their painted display items
    // and why) go into the trace file; read them there.
    invalidations: { type: "boolean", default: false },
  },
});
const top = Number(values.top);
const root = fileURLToPath(new URL("../../dist-test", import.meta.url));
const site = await serveStatic(root, [fileURLToPath(new URL("../fixtures/site", import.meta.url))]);
const browser = await chromium.launch(chromiumLaunchOptions());
try {
  // The app's CSP allows no inline style; --css needs it lifted.
  const page = await browser.newPage({ bypassCSP: values.css !== undefined });
  await page.addInitScript(INSTRUMENT);
  if (values.init) await page.addInitScript(values.init);
  await page.goto(site.url + (values.naive ? "/?naive-markdown" : "/"));
  if (values.css) await page.addStyleTag({ content: values.css });
  await page.getByRole("combobox", { name: "Model" }).selectOption("test-engine-fast");
  await page.getByRole("button", { name: "Load model" }).click();
  await page.getByRole("button", { name: "Ready" }).waitFor();
  const composer = page.getByRole("textbox", { name: "Message" });
  await composer.fill(`#nomax #rate:200 #echo ${benchMarkdown(16000)}`);
  await composer.press("Enter");
  await page.locator('article[data-status="streaming"]').waitFor();
  if (values.pointer !== "none") {
    const target =
      values.pointer === "list" ? page.getByTestId("message-list") : page.locator("nav").first();
    const box = await target.boundingBox();
    if (!box) throw new Error(`nothing to put the pointer over for --pointer ${values.pointer}`);
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  }
  await page.waitForTimeout(Number(values.after));
  await browser.startTracing(page, {
    categories: [
      "devtools.timeline",
      "blink",
      "v8.execute",
      "disabled-by-default-devtools.timeline",
      ...(values.js ? ["disabled-by-default-v8.cpu_profiler"] : []),
      ...(values.invalidations
        ? [
            "disabled-by-default-devtools.timeline.invalidationTracking",
            "disabled-by-default-blink.invalidation",
            "disabled-by-default-blink.debug.layout",
          ]
        : []),
    ],
  });
  const tokensBefore = (await page.evaluate("window.__tokens")) as number;
  const messagesBefore = (await page.evaluate("window.__messages")) as number;
  await page.waitForTimeout(Number(values.seconds) * 1000);
  const tokens = ((await page.evaluate("window.__tokens")) as number) - tokensBefore;
  const messages = ((await page.evaluate("window.__messages")) as number) - messagesBefore;
  const buffer = await browser.stopTracing();
  mkdirSync("test-results", { recursive: true });
  writeFileSync("test-results/render-trace.json", buffer);
  const { traceEvents } = JSON.parse(buffer.toString()) as { traceEvents: TraceEvent[] };
  const summary = summarize(traceEvents);
  const ms = (n: number) => n.toFixed(1).padStart(8);
  console.log(
    `${tokens} tokens in ${messages} worker messages; main-thread CPU ${summary.cpuMs.toFixed(1)} ms` +
      ` (${(summary.cpuMs / Math.max(1, tokens)).toFixed(2)} ms/token, counting the tracer's own cost)`,
  );
  console.log("\nTop-level tasks by kind (count, CPU ms, per task)");
  for (const t of summary.tasks) {
    console.log(
      `${ms(t.cpuMs)} ms ${String(t.count).padStart(4)}×  ${(t.cpuMs / t.count).toFixed(2)} ms  ${t.kind}`,
    );
  }
  console.log("\nSelf CPU by event name");
  for (const [name, t] of summary.selfByName.slice(0, top)) console.log(`${ms(t)} ms  ${name}`);
  if (values.frames) {
    console.log(
      "\nFrames: CPU ms of the lifecycle, layout, pre-paint, paint; layers painted (CPU ms)",
    );
    for (const f of summary.frames) {
      const layers = f.painted.map(([name, t]) => `${name}=${t.toFixed(2)}`).join(" ");
      console.log(
        `${f.atMs.toFixed(0).padStart(5)}  ${[f.cpuMs, f.layoutMs, f.prePaintMs, f.paintMs].map((n) => n.toFixed(2).padStart(6)).join("")}  ${layers}`,
      );
    }
  }
  if (values.windows) {
    console.log("\nCPU ms per 250 ms window, by kind of task");
    for (const w of summary.windows) {
      const kinds = w.kinds.map(([kind, t]) => `${kind}=${t.toFixed(1)}`).join(" ");
      console.log(`${w.atMs.toFixed(0).padStart(5)} ${w.cpuMs.toFixed(1).padStart(6)}  ${kinds}`);
    }
  }
  if (values.js) console.log("\nJavaScript self time by function (sampled)");
  for (const [name, t] of summary.jsSelf.slice(0, top)) console.log(`${ms(t)} ms  ${name}`);
} finally {
  await browser.close();
  await site.close();
}
