import { expect, test } from "@playwright/test";
import { benchMarkdown } from "../bench/render.bench";
import { loadModel, openApp, sendMessage } from "./helpers";

/**
 * The render bench's reply: headings, lists, tables, code, math. With it, finished groups were
 * painted again on nearly every update (a reply of plain short paragraphs did not show it).
 */
const LONG_REPLY = benchMarkdown(8000);

interface PaintEvent {
  name: string;
  /** Microseconds. */
  ts: number;
  args?: { data?: { nodeId?: number } };
}

// What Chromium paints is read from its own trace ("Paint" events name the element whose
// layer was painted); the trace counts, it does not time.
test("while a reply streams, its finished groups in view are not painted again", async ({
  page,
  browser,
}) => {
  // A tall window: several finished groups in view below the question.
  await page.setViewportSize({ width: 1280, height: 1600 });
  await openApp(page);
  await loadModel(page, "test-engine-fast");
  await sendMessage(page, `#nomax #rate:200 #echo ${LONG_REPLY}`);
  const list = page.getByTestId("message-list");
  const settled = page.locator('article[data-status="streaming"] .md-group[data-settled="true"]');
  // Two finished groups and a list that follows the reply past the screen.
  await expect.poll(() => settled.count(), { timeout: 20_000 }).toBeGreaterThanOrEqual(2);
  await expect
    .poll(() => list.evaluate((el) => el.scrollHeight / el.clientHeight), { timeout: 20_000 })
    .toBeGreaterThan(1.5);

  const selector = 'article[data-status="streaming"] .md-group[data-settled="true"]';
  // The finished groups in view or less than half a screen from it (the browser renders
  // those), by their place among all finished groups.
  const nearView = () =>
    list.evaluate((el, selector) => {
      const view = el.getBoundingClientRect();
      const margin = view.height / 2;
      const groups = [...document.querySelectorAll(selector)];
      // Not the one finished last: the browser paints a group a few times as it settles.
      return groups.slice(0, -1).flatMap((group, i) => {
        const box = group.getBoundingClientRect();
        return box.bottom > view.top - margin && box.top < view.bottom ? [i] : [];
      });
    }, selector);
  await expect.poll(async () => (await nearView()).length, { timeout: 20_000 }).toBeGreaterThan(0);
  const inView = await nearView();
  const cdp = await page.context().newCDPSession(page);
  const { root } = await cdp.send("DOM.getDocument", { depth: 0 });
  const { nodeIds } = await cdp.send("DOM.querySelectorAll", { nodeId: root.nodeId, selector });
  // Those groups, by the ids the trace names them with. (The box a group sits in may be painted
  // again, but that is a box with nothing of its own to paint; the group's painting is reused.)
  const finished = new Set<number>();
  for (const i of inView) {
    const { node } = await cdp.send("DOM.describeNode", { nodeId: nodeIds[i]! });
    finished.add(node.backendNodeId);
  }

  await browser.startTracing(page, { categories: ["devtools.timeline"] });
  const before = await list.evaluate((el) => el.scrollHeight);
  // Long enough for several updates that each grow the list.
  await expect
    .poll(() => list.evaluate((el) => el.scrollHeight), { timeout: 10_000 })
    .toBeGreaterThan(before + 600);
  const { traceEvents } = JSON.parse((await browser.stopTracing()).toString()) as {
    traceEvents: PaintEvent[];
  };
  // Which elements each frame painted: a frame's paints come within a few milliseconds, and
  // frames of this stream tens of milliseconds apart.
  const paints = traceEvents
    .filter((e) => e.name === "Paint" && e.args?.data?.nodeId !== undefined)
    .sort((a, b) => a.ts - b.ts);
  const updates: Set<number>[] = [];
  let last = -Infinity;
  for (const e of paints) {
    if (e.ts - last > 8000) updates.push(new Set());
    updates.at(-1)!.add(e.args!.data!.nodeId!);
    last = e.ts;
  }
  const repainted = updates.filter((f) => [...f].some((id) => finished.has(id)));
  // The reply was painted on several updates while it grew...
  expect(updates.length).toBeGreaterThanOrEqual(4);
  // ...what was already finished on few of them (when a group is finished or the view moves
  // far, Chromium paints it anew), not on each one.
  expect(repainted.length).toBeLessThan(updates.length / 2);
  await expect(page.locator('article[data-status="streaming"]')).toHaveCount(1);
});
