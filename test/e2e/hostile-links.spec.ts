import { expect, test, type Page } from "@playwright/test";
import { encodeShareFragment } from "../../app/features/share/codec";
import { HOSTILE_LINKS } from "../fixtures/hostile/links";
import { openApp } from "./helpers";

/**
 * Links that froze the tab (issue 19). No absolute time budget: each hostile link's longest
 * main-thread task is compared with a benign link of the same size opened in the same run, so
 * a slow machine slows both. Frozen for seconds, the hostile one was 20–100 times the benign.
 */
/**
 * Links whose cost is bounded by structure rather than compared in time: the large-tables link
 * is cut while parsing (5.4 s → about 0.4 s), but its longest task on a loaded two-core machine
 * still swung between passing and failing a same-run bound (629 ms against 392 ms). Its test
 * checks the cut and that the page answers; `npm run reliability` reports its longest task.
 */
const BOUNDED_BY_STRUCTURE = new Set(["tables of many cells"]);

const LONG_TASKS = `
  window.__longest = 0;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) window.__longest = Math.max(window.__longest, entry.duration);
  }).observe({ type: "longtask", buffered: true });
  window.__errors = [];
  window.addEventListener("unhandledrejection", (event) => window.__errors.push(String(event.reason)));
  window.addEventListener("error", (event) => window.__errors.push(String(event.message)));
`;

async function longestTaskOpening(page: Page, fragment: string): Promise<number> {
  await page.goto("about:blank");
  await page.goto(`/#${fragment}`);
  await expect(page.getByTestId("shared-view")).toBeVisible();
  await expect(page.locator("article").first()).toBeVisible();
  // Let lazily mounted slices, math and highlighting finish.
  await page.waitForTimeout(2_500);
  const errors = (await page.evaluate("window.__errors")) as string[];
  expect(errors, "uncaught errors").toEqual([]);
  return (await page.evaluate("window.__longest")) as number;
}

test.describe("hostile share links", () => {
  test.beforeEach(async ({ page }) => {
    await page.addInitScript(LONG_TASKS);
    await openApp(page);
  });

  for (const link of HOSTILE_LINKS.filter((l) => !BOUNDED_BY_STRUCTURE.has(l.name))) {
    test(`${link.name}: no longer task than a benign link of its size`, async ({ page }) => {
      test.setTimeout(120_000);
      const benign = await longestTaskOpening(page, encodeShareFragment(link.benign));
      const hostile = await longestTaskOpening(page, encodeShareFragment(link.hostile));
      test.info().annotations.push({
        type: "longest task",
        description: `${hostile.toFixed(0)} ms (benign twin ${benign.toFixed(0)} ms)`,
      });
      expect(hostile).toBeLessThan(Math.max(benign * 4, benign + 250));
    });
  }

  test("tables of many cells: each is cut, the whole is there as text, and the page answers", async ({
    page,
  }) => {
    test.setTimeout(120_000);
    const link = HOSTILE_LINKS.find((l) => l.name === "tables of many cells")!;
    const longest = await longestTaskOpening(page, encodeShareFragment(link.hostile));
    test.info().annotations.push({ type: "longest task", description: `${longest.toFixed(0)} ms` });
    // Five replies, one table each, every one cut at the budget (300 columns: the header and
    // five rows) instead of the 13.5 million cells markdown-it would have made.
    const cuts = page.getByTestId("table-cut");
    await expect(cuts).toHaveCount(5);
    await expect(cuts.first()).toContainText("Table cut at 1800 of");
    expect(await page.locator("article td, article th").count()).toBeLessThanOrEqual(5 * 1_800);
    // The rows of "|" after each cut table are one paragraph of about 90,000 characters: it is
    // mounted in pieces (blocks.ts), a few per group, each group in a task of its own.
    const reply = page.locator('article[data-role="assistant"]').first();
    expect(await reply.locator(".md-group").count()).toBeGreaterThan(10);
    expect(await reply.locator(".md-group > p").count()).toBeGreaterThan(20);
    // Clicks are answered: the whole table as text, then continuing the chat.
    await cuts.last().getByRole("button", { name: "Show the whole table as text" }).click();
    await expect(cuts.last().locator("pre")).toContainText("| h | h |");
    await page.getByRole("button", { name: /Continue this chat/ }).click();
    await expect(page.getByTestId("conversation-list")).toContainText("tables");
    await expect(page.getByTestId("table-cut")).toHaveCount(5);
  });

  test("a formula too long to render at once is its source until asked, then rendered or kept as source", async ({
    page,
  }) => {
    test.setTimeout(120_000);
    const link = HOSTILE_LINKS.find((l) => l.name === "deeply nested math and odd fence names")!;
    // 40,000 letters: KaTeX took 6.7 s of one task for them.
    await page.goto(`/#${encodeShareFragment(link.benign)}`);
    const article = page.locator("article").last();
    const render = article.getByRole("button", { name: "Render this long formula" });
    await expect(render).toBeVisible();
    await page.waitForTimeout(500);
    await expect(article.getByTestId("math")).toHaveCount(0);
    await render.click();
    await expect(article.getByTestId("math")).toHaveCount(1, { timeout: 60_000 });
    await expect(render).toHaveCount(0);
    // Rendered by KaTeX in the math worker: the page loads only KaTeX's stylesheet, never KaTeX.
    expect(page.workers().some((worker) => worker.url().includes("/math.worker"))).toBe(true);
    const loaded = (await page.evaluate(() =>
      performance.getEntriesByType("resource").map((entry) => entry.name),
    )) as string[];
    expect(loaded.filter((url) => /\/assets\/katex-[^/]*\.js$/.test(url))).toEqual([]);
    // 20,000 levels of braces overflow KaTeX's stack when asked for: the source stays.
    await page.goto("about:blank");
    await page.goto(`/#${encodeShareFragment(link.hostile)}`);
    await article.getByRole("button", { name: "Render this long formula" }).click();
    await expect(article.locator(".md-math-source")).toContainText("{{{{x}}}}");
    await page.waitForTimeout(500);
    await expect(article.getByTestId("math")).toHaveCount(0);
    expect((await page.evaluate("window.__errors")) as string[], "uncaught errors").toEqual([]);
  });

  test("a table over the cell budget is cut, and the whole is there as text", async ({ page }) => {
    const table = `| a | b |\n|---|---|\n${"| 1 | 2 |\n".repeat(3_000)}`;
    await page.goto(
      `/#${encodeShareFragment({ v: 1, title: "t", modelId: "test-engine-fast", settings: {}, messages: [{ role: "assistant", content: table }] })}`,
    );
    const cut = page.getByTestId("table-cut");
    await expect(cut).toContainText("of 6002 cells");
    expect(await page.locator("article td").count()).toBeLessThanOrEqual(2_002);
    await cut.getByRole("button", { name: "Show the whole table as text" }).click();
    await expect(cut.locator("pre")).toContainText("| 1 | 2 |");
    expect((await cut.locator("pre").textContent())?.split("\n").length).toBe(3_002);
  });

  test("titles and link text cannot reorder or hide where they point", async ({ page }) => {
    await page.goto(
      `/#${encodeShareFragment({
        v: 1,
        title: "invoice \u202Efdp.exe\u202C",
        modelId: "test-engine-fast",
        settings: {},
        messages: [
          {
            role: "assistant",
            content:
              "[https://bank.example/login](https://evil.example/x) and https://\u0430pple.com/ and [\u202Egnp.exe](https://ok.example/)",
          },
        ],
      })}`,
    );
    await expect(page.locator("#shared-title")).toHaveText("invoice ⟨RLO⟩fdp.exe⟨PDF⟩");
    const links = page.locator("article a[href]");
    await expect(links.nth(0)).toContainText("evil.example");
    await expect(links.nth(0)).toHaveAttribute("title", "https://evil.example/x");
    await expect(links.nth(1)).toContainText("xn--pple-43d.com");
    await expect(links.nth(2)).toHaveText("⟨RLO⟩gnp.exe");
    await page.getByRole("button", { name: /Continue this chat/ }).click();
    await expect(page.getByTestId("conversation-list")).toContainText("invoice ⟨RLO⟩fdp.exe");
  });
});
