import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { expect, test, type Page } from "@playwright/test";
import type { FixtureModel } from "../fixtures/model-files/make-model";
import { startModelServer, type ModelServer } from "../fixtures/model-files/server";
import { openApp, sendMessage, useReferenceLayout, waitForSaved } from "./helpers";

/**
 * The real engine: the production worker, WebLlmEngine and web-llm 0.2.86 running a real
 * model (test/fixtures/tiny-model: a 2-layer float32 Llama compiled by TVM for WebGPU, see
 * model-build/tiny/) on SwiftShader. Replies are checked against a NumPy forward pass of the
 * same weights (reference.json), token for token through their text.
 */

const FIXTURE = "test/fixtures/tiny-model";
const MODEL_ID = "tiny-llama-real";

interface Greedy {
  greedy_ids: number[];
  text: string;
  /** What web-llm's stream adds up to (it never rewrites text it already sent). */
  streamed_text: string;
  finish_reason: string;
}
interface AppCase {
  question: string;
  prompt_tokens: number;
  prompt_penalty_matters: boolean;
  hf: Greedy;
  reply_only: Greedy;
}
const reference = JSON.parse(readFileSync(join(FIXTURE, "reference.json"), "utf8")) as {
  app: { max_tokens: number; cases: AppCase[] };
};

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

function tinyModel(): FixtureModel {
  const files = new Map<string, Buffer>();
  for (const dir of ["tiny-llama", "libs"]) {
    for (const path of filesUnder(join(FIXTURE, dir))) {
      files.set(relative(FIXTURE, path), readFileSync(path));
    }
  }
  let downloadBytes = 0;
  for (const data of files.values()) downloadBytes += data.length;
  const shardPaths = [...files.keys()].filter((p) => p.includes("params_shard_"));
  return {
    id: MODEL_ID,
    files,
    shardPaths,
    shardBytes: 0,
    entry: {
      id: MODEL_ID,
      name: "Tiny Llama (real engine)",
      family: "cutegpt",
      engine: "webllm",
      modelPath: "tiny-llama/",
      modelLibPath: "libs/tiny-llama-webgpu.wasm",
      requiredFeatures: [],
      downloadBytes,
      contextWindow: 1024,
    },
  } as unknown as FixtureModel;
}

test.use({ serviceWorkers: "block" });
// Shader compilation alone takes about a minute on SwiftShader.
test.setTimeout(600_000);

const servers: ModelServer[] = [];
test.afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serveTiny(page: Page): Promise<ModelServer> {
  const model = tinyModel();
  const server = await startModelServer([model]);
  servers.push(server);
  await page.route("**/models/catalog.json", async (route) => {
    const response = await route.fetch();
    const catalog = (await response.json()) as { models: unknown[] };
    catalog.models.push({
      ...model.entry,
      modelPath: `${server.url}/${String(model.entry.modelPath)}`,
      modelLibPath: `${server.url}/${String(model.entry.modelLibPath)}`,
    });
    await route.fulfill({ response, json: catalog });
  });
  return server;
}

interface StoredMessage {
  role: string;
  content: string;
  status?: string;
  usage?: { completionTokens: number; finishReason: string; promptTokens: number };
}

/** The reply to `question` as the app stored it (raw text, before markdown). */
async function storedReplyTo(page: Page, question: string): Promise<StoredMessage | undefined> {
  return page.evaluate(
    (question) =>
      new Promise<StoredMessage | undefined>((resolve, reject) => {
        const open = indexedDB.open("cutegpt-chats");
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const all = db.transaction("conversations").objectStore("conversations").getAll();
          all.onsuccess = () => {
            db.close();
            const records = all.result as { messages?: StoredMessage[] }[];
            const chat = records.find((r) =>
              r.messages?.some((m) => m.role === "user" && m.content === question),
            );
            resolve(chat?.messages?.findLast((m) => m.role === "assistant"));
          };
        };
      }),
    question,
  );
}

/** Figures for the note: kept as annotations and printed in the test log. */
function measured(description: string): void {
  test.info().annotations.push({ type: "measured", description });
  console.log(`[measured] ${description}`);
}

async function loadTiny(page: Page): Promise<{ server: ModelServer; seconds: number }> {
  const server = await serveTiny(page);
  await openApp(page);
  await page.getByRole("combobox", { name: /model|模型/i }).selectOption(MODEL_ID);
  const started = Date.now();
  await page.getByRole("button", { name: /load model/i }).click();
  await expect(page.getByRole("button", { name: "Ready" })).toBeVisible({ timeout: 300_000 });
  return { server, seconds: (Date.now() - started) / 1000 };
}

/** Sends each question in a new chat; checks the stored reply against the HF reference. */
/**
 * Known gap (see model-build/tiny/EXPERIMENT.md and issue #13's note): where a byte-fallback
 * sequence is cut across streamed pieces, reference.py's model of web-llm's incremental
 * decoding and what the app stores can differ in the stray characters around U+FFFD. This
 * keeps ASCII and CJK text, which is all the tiny model's vocabulary was trained on.
 */
function visibleText(text: string): string {
  return text.replace(/[^\x20-\x7e\n\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]|\uFFFD/gu, "");
}

async function expectReferenceReplies(
  page: Page,
  cases: AppCase[],
  options: { lenientByteFallback?: boolean } = {},
): Promise<void> {
  for (const [index, c] of cases.entries()) {
    if (index > 0) await page.getByRole("button", { name: /new chat/i }).click();
    // reference.py computes the reference scripts' prompt (one string, completions API);
    // the training layout's chat-API path is not in the NumPy reference yet.
    await useReferenceLayout(page);
    await sendMessage(page, c.question);
    // A few tokens per second on SwiftShader: a reply of 100+ tokens takes a minute.
    await expect(page.locator('article[data-status="streaming"]')).toHaveCount(0, {
      timeout: 300_000,
    });
    await waitForSaved(page);
    const reply = await storedReplyTo(page, c.question);
    // The app's CuteGPT path: greedy, Hugging Face's repetition penalty 1.1 over prompt and
    // reply (the reference scripts' decoding), top-k 50, stop on <end>/<s>/</s>.
    const shown = (text: string | undefined) =>
      options.lenientByteFallback ? visibleText(text ?? "") : text;
    expect.soft(shown(reply?.content), `reply to ${c.question}`).toBe(shown(c.hf.streamed_text));
    // web-llm counts the stop token it sampled among the completion tokens.
    expect
      .soft(reply?.usage?.completionTokens, `tokens of the reply to ${c.question}`)
      .toBe(c.hf.greedy_ids.length + (c.hf.finish_reason === "stop" ? 1 : 0));
    expect.soft(reply?.usage?.finishReason).toBe(c.hf.finish_reason);
    expect.soft(reply?.usage?.promptTokens).toBe(c.prompt_tokens);
    measured(`${c.question}: ${JSON.stringify(reply?.usage)}`);
  }
}

test("the tiny model loads from its server through the real engine; greedy replies in English and Chinese equal the NumPy reference", async ({
  page,
}) => {
  const { server, seconds } = await loadTiny(page);
  measured(`first load (download + shader compilation): ${seconds.toFixed(1)} s`);
  // Every file came from the fixture server once: the library and the weight shard too.
  expect(server.count("libs/tiny-llama-webgpu.wasm")).toBe(1);
  expect(server.count("tiny-llama/resolve/main/params_shard_0.bin")).toBe(1);
  const cases = reference.app.cases.filter((c) => !c.prompt_penalty_matters);
  expect(cases.map((c) => c.question)).toEqual(["Hello, how are you", "猫在做什么"]);
  await expectReferenceReplies(page, cases);
});

test("a second load comes from web-llm's IndexedDB cache, with the model server gone", async ({
  page,
}) => {
  const { server } = await loadTiny(page);
  const fetched = server.requests.length;
  await server.close();
  await page.reload();
  await page.getByRole("combobox", { name: /model|模型/i }).selectOption(MODEL_ID);
  const started = Date.now();
  await page.getByRole("button", { name: /load model/i }).click();
  await expect(page.getByRole("button", { name: "Ready" })).toBeVisible({ timeout: 300_000 });
  measured(`load from cache: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  expect(server.requests).toHaveLength(fetched);
  // And the cached model still answers as the reference does.
  const english = reference.app.cases.find((c) => c.question === "Hello, how are you");
  expect(english).toBeDefined();
  await expectReferenceReplies(page, [english!]);
});

test("the repetition penalty covers the prompt, where that changes the greedy reply", async ({
  page,
}) => {
  // Before issue #14's fix, web-llm 0.2.86's completions.create reset the processor after
  // HfDecodingProcessor.begin() loaded the prompt, so the penalty covered only the reply and
  // this reply equalled the reference's "reply_only" variant (68 tokens, not 126).
  await loadTiny(page);
  const cases = reference.app.cases.filter((c) => c.prompt_penalty_matters);
  expect(cases).toHaveLength(1);
  // The whole reply's token count is checked exactly; its text up to stray byte-fallback
  // characters (visibleText).
  await expectReferenceReplies(page, cases, { lenientByteFallback: true });
});
