import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { expect, test, type Page } from "@playwright/test";
import sirv from "sirv";
import { modelConnectSources } from "../../app/protocol/download-sources";
import { contentSecurityPolicy } from "../../vite.config";
import {
  assistantMessages,
  loadModel,
  sendMessage,
  waitForReplyEnd,
  openModelSettings,
} from "./helpers";

/**
 * The Content-Security-Policy the build ships (a <meta> tag injected by vite.config.ts) lets
 * the app, its worker and both engines work, and reports no violation. The same policy sent
 * as a header (README, "Content-Security-Policy") also governs the worker, which a meta tag
 * cannot reach: there WebAssembly compiles only thanks to 'wasm-unsafe-eval'.
 */

const builtHtml = readFileSync("dist-test/index.html", "utf8");
const policy = (/http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(builtHtml)?.[1] ?? "")
  .replaceAll("&#39;", "'")
  .replaceAll("&quot;", '"');

/** Collects CSP violations the page reports and CSP errors in the console. */
async function watchCsp(page: Page): Promise<string[]> {
  const problems: string[] = [];
  await page.exposeFunction("__reportCsp", (text: string) => problems.push(text));
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) => {
      void (window as unknown as { __reportCsp(text: string): void }).__reportCsp(
        `${event.effectiveDirective} blocked ${event.blockedURI} (${event.sourceFile}:${event.lineNumber})`,
      );
    });
  });
  page.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) problems.push(message.text());
  });
  return problems;
}

/** Chat, model load, a markdown reply with code and math: everything the UI renders. */
async function useTheApp(page: Page, origin: string): Promise<void> {
  await page.goto(origin + "/");
  await expect(page.getByRole("combobox", { name: "Model" })).toBeEnabled();
  await loadModel(page, "test-engine-fast");
  await sendMessage(
    page,
    "#echo **Bold**, `code`, a [link](https://example.com) and math $x^2+\\sqrt{y}$\n\n```js\nconst a = 1;\n```\n\n$$\\frac{a}{b}$$",
  );
  await waitForReplyEnd(page);
  await expect(assistantMessages(page).last()).toHaveAttribute("data-status", "done");
  await expect(assistantMessages(page).last()).toContainText("Bold");
  // The real web-llm engine runs under the policy far enough to report missing files. With a
  // model loaded, the picker is in the header's sheet.
  await openModelSettings(page);
  await page.getByRole("combobox", { name: "Model" }).selectOption("real-webllm-missing-files");
  await page.getByRole("button", { name: "Load model" }).click();
  await expect(page.locator('[data-error-code="model-files-not-found"]')).toBeVisible({
    timeout: 30_000,
  });
}

test("the built page carries the policy as a meta tag, before any script", () => {
  expect(policy).toContain("default-src 'self'");
  expect(policy).toContain("script-src 'self' 'wasm-unsafe-eval'");
  expect(policy).toMatch(/connect-src 'self' [^;]*https:\/\/huggingface\.co/);
  expect(policy).toContain("https://raw.githubusercontent.com");
  // connect-src comes from the download sources the Settings offer, nowhere else.
  expect(policy).toBe(contentSecurityPolicy(modelConnectSources()));
  expect(policy).toMatch(
    /connect-src [^;]*https:\/\/hf-mirror\.com [^;]*https:\/\/cdn\.jsdelivr\.net/,
  );
  expect(policy).toContain("img-src 'self' data: blob:");
  expect(policy).toContain("worker-src 'self' blob:");
  expect(policy).not.toMatch(/script-src[^;]*'unsafe-inline'/);
  expect(builtHtml.indexOf("Content-Security-Policy")).toBeLessThan(builtHtml.indexOf("<script"));
  // No inline script at all: every <script> has a src.
  expect(builtHtml.match(/<script(?![^>]*\bsrc=)[^>]*>/g) ?? []).toEqual([]);
});

test("the app, its worker and both engines work under the meta-tag policy with no violation", async ({
  page,
}) => {
  const problems = await watchCsp(page);
  await useTheApp(page, "");
  expect(problems).toEqual([]);
  // The policy really is in force: an injected inline script does not run, and says so.
  const ran = await page.evaluate(() => {
    const script = document.createElement("script");
    script.textContent = "window.__inlineRan = true";
    document.head.append(script);
    return (window as unknown as { __inlineRan?: boolean }).__inlineRan === true;
  });
  expect(ran).toBe(false);
  await expect.poll(() => problems.some((p) => /script-src/.test(p))).toBe(true);
});

test.describe("the same policy sent as a header", () => {
  let server: Server;
  let origin = "";

  test.beforeAll(async () => {
    const layers = ["test/fixtures/site", "dist-test"].map((dir) =>
      sirv(dir, { dev: true, etag: true, dotfiles: false }),
    );
    const spa = sirv("dist-test", { dev: true, single: true });
    server = createServer((req, res) => {
      // On every response, so the worker script (and the service worker) get it too.
      res.setHeader("Content-Security-Policy", policy);
      const path = (req.url ?? "/").split("?")[0] ?? "/";
      let i = 0;
      const next = () => {
        const layer = layers[i++];
        if (layer) return layer(req, res, next);
        if (!/\.[a-z0-9]+$/i.test(path)) return spa(req, res, () => undefined);
        res.statusCode = 404;
        res.end("Not found");
      };
      next();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    origin = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  });

  test.afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  test("governs the worker too, and WebAssembly still compiles there", async ({ page }) => {
    const problems = await watchCsp(page);
    await useTheApp(page, origin);
    const worker = page.workers().find((w) => w.url().includes("llm.worker"));
    expect(worker, "the LLM worker is running").toBeDefined();
    const inWorker = await worker!.evaluate(async () => {
      // The smallest valid module: magic number and version.
      const bytes = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]);
      const wasm = await WebAssembly.compile(bytes).then(
        () => "compiled",
        (e: Error) => e.message,
      );
      let evalResult = "allowed";
      try {
        (0, eval)("1");
      } catch {
        evalResult = "refused";
      }
      return { wasm, evalResult };
    });
    expect(inWorker).toEqual({ wasm: "compiled", evalResult: "refused" });
    expect(problems).toEqual([]);
  });
});
