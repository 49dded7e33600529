import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Page } from "@playwright/test";
import { build } from "vite";
import { chromiumLaunchOptions } from "../e2e/chromium";
import { serveStatic } from "../e2e/static-server";
import { startModelServer } from "../fixtures/model-files/server";
import { MODEL_ID, tinyModel } from "../e2e/real-engine-helpers";
import type { BenchResult } from "./types";

/**
 * The real engine on SwiftShader: the tiny TVM-compiled Llama (test/fixtures/tiny-model)
 * through the production worker and WebLlmEngine, in one run:
 * - prefill and decode tokens/s with the Hugging Face logit processor (workers/hf-decoding.ts,
 *   what CuteGPT models get: top-k and the prompt-wide penalty, logits read back to the CPU
 *   every token) against the same model files under a non-CuteGPT entry, which web-llm
 *   samples on the GPU (chat API, its own template);
 * - time from Load to Ready with everything in web-llm's cache (the "cached → ready" path:
 *   reading IndexedDB, uploading weights, compiling shaders), against the first load.
 * Speeds are web-llm's own usage figures for each reply, medians over ROUNDS replies (the
 * same questions for both; the reply lengths differ, since the sampling does).
 */
const ROUNDS = 3;
const PLAIN_ID = "tiny-llama-real-plain";
const QUESTIONS = ["Hello, how are you", "猫在做什么", "你好，今天过得怎么样"];

interface Usage {
  completionTokens: number;
  prefillTokensPerSecond: number;
  decodeTokensPerSecond: number;
}

async function clickLoad(page: Page, modelId: string): Promise<number> {
  const sheet = page.getByRole("dialog", { name: "Model and settings" });
  // With a model ready the picker lives in the "Model and settings" sheet.
  if (!(await page.getByRole("combobox", { name: "Model" }).isVisible())) {
    await page.getByTestId("model-status").click();
  }
  await page.getByRole("combobox", { name: "Model" }).selectOption(modelId);
  const started = Date.now();
  await page.getByRole("button", { name: "Load model" }).click();
  await page.getByRole("button", { name: "Ready" }).waitFor({ timeout: 300_000 });
  const seconds = (Date.now() - started) / 1000;
  if (await sheet.isVisible()) await page.keyboard.press("Escape");
  return seconds;
}

/** Sends `question` in a new chat and returns the usage the app stored for the reply. */
async function reply(page: Page, question: string): Promise<Usage> {
  await page.getByRole("button", { name: /new chat/i }).click();
  const composer = page.getByRole("textbox", { name: "Message" });
  await composer.fill(question);
  await composer.press("Enter");
  await page.locator('article[data-status="streaming"]').waitFor({ state: "attached" });
  await page.locator('article[data-status="streaming"]').waitFor({
    state: "detached",
    timeout: 300_000,
  });
  await page.locator('[data-saving="false"]').waitFor({ state: "attached" });
  const usage = await page.evaluate(
    (question) =>
      new Promise<Usage | undefined>((resolve, reject) => {
        const open = indexedDB.open("cutegpt-chats");
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const all = open.result
            .transaction("conversations")
            .objectStore("conversations")
            .getAll();
          all.onsuccess = () => {
            open.result.close();
            type Message = { role: string; content: string; usage?: Usage };
            const chat = (all.result as { createdAt: number; messages: Message[] }[])
              .filter((c) => c.messages.some((m) => m.role === "user" && m.content === question))
              .sort((a, b) => b.createdAt - a.createdAt)[0];
            resolve(chat?.messages.findLast((m) => m.role === "assistant")?.usage);
          };
        };
      }),
    question,
  );
  if (!usage) throw new Error(`no usage stored for the reply to ${question}`);
  return usage;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export default async function run(): Promise<BenchResult[]> {
  const outDir = mkdtempSync(join(tmpdir(), "cutegpt-real-engine-"));
  await build({ mode: "test", logLevel: "silent", build: { outDir, emptyOutDir: true } });
  const site = await serveStatic(outDir, [
    fileURLToPath(new URL("../fixtures/site", import.meta.url)),
  ]);
  const model = tinyModel();
  const files = await startModelServer([model]);
  const browser = await chromium.launch(chromiumLaunchOptions());
  try {
    const context = await browser.newContext({ serviceWorkers: "block" });
    const page = await context.newPage();
    await page.route("**/models/catalog.json", async (route) => {
      const response = await route.fetch();
      const catalog = (await response.json()) as { models: unknown[] };
      const entry = {
        ...model.entry,
        modelPath: `${files.url}/${String(model.entry.modelPath)}`,
        modelLibPath: `${files.url}/${String(model.entry.modelLibPath)}`,
      };
      // The same files under an entry that is not CuteGPT's: no logit processor.
      catalog.models.push(entry, { ...entry, id: PLAIN_ID, family: "other", name: "Tiny plain" });
      await route.fulfill({ response, json: catalog });
    });
    await page.goto(site.url + "/");
    const firstLoad = await clickLoad(page, MODEL_ID);
    await page.reload();
    const cachedLoad = await clickLoad(page, MODEL_ID);

    // One switch only: each load compiles the shaders again (about 25 s here).
    const speeds = { hf: [] as Usage[], plain: [] as Usage[] };
    for (let round = 0; round < ROUNDS; round++) {
      speeds.hf.push(await reply(page, QUESTIONS[round % QUESTIONS.length]!));
    }
    await clickLoad(page, PLAIN_ID);
    for (let round = 0; round < ROUNDS; round++) {
      speeds.plain.push(await reply(page, QUESTIONS[round % QUESTIONS.length]!));
    }
    const rate = (xs: Usage[], key: "prefillTokensPerSecond" | "decodeTokensPerSecond") =>
      median(xs.map((u) => u[key]));
    return [
      {
        name: "decode, with the HF logit processor",
        value: rate(speeds.hf, "decodeTokensPerSecond"),
        unit: "tokens/s",
        baseline: rate(speeds.plain, "decodeTokensPerSecond"),
        baselineName: "without (GPU sampling)",
      },
      {
        name: "prefill, with the HF logit processor",
        value: rate(speeds.hf, "prefillTokensPerSecond"),
        unit: "tokens/s",
        baseline: rate(speeds.plain, "prefillTokensPerSecond"),
        baselineName: "without (GPU sampling)",
      },
      {
        name: "reply lengths (median), with / without",
        value: median(speeds.hf.map((u) => u.completionTokens)),
        unit: "tokens",
        baseline: median(speeds.plain.map((u) => u.completionTokens)),
        baselineName: "without",
      },
      {
        name: "Load → Ready, all files in web-llm's cache",
        value: cachedLoad,
        unit: "s",
        baseline: firstLoad,
        baselineName: "first load (download + compile)",
      },
    ];
  } finally {
    await browser.close();
    await files.close();
    await site.close();
  }
}
