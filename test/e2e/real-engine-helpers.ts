import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { expect, test, type Page } from "@playwright/test";
import type { FixtureModel } from "../fixtures/model-files/make-model";
import { startModelServer, type ModelServer } from "../fixtures/model-files/server";
import { modelReady, openApp, openModelSettings } from "./helpers";

/**
 * What the real-engine specs share: the tiny model (test/fixtures/tiny-model: a 2-layer float32
 * Llama compiled by TVM for WebGPU, see model-build/tiny/) served on its own port, its NumPy
 * reference (reference.json) and the reads of what the app stored.
 */

export const FIXTURE = "test/fixtures/tiny-model";
export const MODEL_ID = "tiny-llama-real";
/** The catalog entry's context window (the compiled model's config says 256). */
export const TINY_CONTEXT_WINDOW = 1024;

export interface Greedy {
  greedy_ids: number[];
  text: string;
  /** What web-llm's stream adds up to (it never rewrites text it already sent). */
  streamed_text: string;
  finish_reason: string;
}
export interface AppCase {
  question: string;
  prompt_tokens: number;
  prompt_penalty_matters: boolean;
  hf: Greedy;
  reply_only: Greedy;
}
/** One turn of reference.py's two-turn chat in the training layout (app/prompt/training-layout.ts). */
export interface TrainingTurn extends Greedy {
  question: string;
  /** The tokens this turn adds to the KV cache before the reply: `[<end>]` + its question. */
  prefill_ids: number[];
  /** Everything the model attends to when the reply starts. */
  context_tokens: number;
}
export const reference = JSON.parse(readFileSync(join(FIXTURE, "reference.json"), "utf8")) as {
  app: { max_tokens: number; cases: AppCase[] };
  training_layout: { turns: TrainingTurn[] };
};

export function referenceCase(question: string): AppCase {
  const found = reference.app.cases.find((c) => c.question === question);
  if (!found) throw new Error(`reference.json has no case for ${question}`);
  return found;
}

const tokenizer = JSON.parse(
  readFileSync(join(FIXTURE, "tiny-llama/resolve/main/tokenizer.json"), "utf8"),
) as { model: { vocab: Record<string, number> } };
const pieces = new Map(Object.entries(tokenizer.model.vocab).map(([piece, id]) => [id, piece]));

/**
 * The text of reference token ids, decoded from tokenizer.json's vocabulary the way its
 * decoder does (▁ is a space, <0xNN> a byte). Throws where the bytes are not valid UTF-8:
 * the callers pick spans of clean text, where the app's stream and this agree exactly.
 */
export function decodeIds(ids: readonly number[]): string {
  const bytes: number[] = [];
  for (const id of ids) {
    const piece = pieces.get(id);
    if (piece === undefined) throw new Error(`token ${id} is not in the vocabulary`);
    const byte = /^<0x([0-9A-F]{2})>$/.exec(piece);
    if (byte) bytes.push(parseInt(byte[1]!, 16));
    else bytes.push(...new TextEncoder().encode(piece.replaceAll("▁", " ")));
  }
  return new TextDecoder("utf-8", { fatal: true }).decode(new Uint8Array(bytes));
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

export function tinyModel(): FixtureModel {
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
      contextWindow: TINY_CONTEXT_WINDOW,
    },
  } as unknown as FixtureModel;
}

/** Serves the tiny model on its own port and adds it to the catalog the page fetches. */
export async function serveTiny(page: Page): Promise<ModelServer> {
  const model = tinyModel();
  const server = await startModelServer([model]);
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

export interface StoredMessage {
  role: string;
  content: string;
  status?: string;
  error?: { code: string; message: string };
  usage?: { completionTokens: number; finishReason: string; promptTokens: number };
}

/**
 * The messages of the newest chat that has `question`, as the app stored them (raw text,
 * before markdown). The newest, because the shared-page specs ask the same question in
 * several chats.
 */
export async function storedMessagesOf(page: Page, question: string): Promise<StoredMessage[]> {
  return page.evaluate(
    (question) =>
      new Promise<StoredMessage[]>((resolve, reject) => {
        const open = indexedDB.open("cutegpt-chats");
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const all = db.transaction("conversations").objectStore("conversations").getAll();
          all.onsuccess = () => {
            db.close();
            const records = all.result as { createdAt: number; messages?: StoredMessage[] }[];
            const chat = records
              .filter((r) => r.messages?.some((m) => m.role === "user" && m.content === question))
              .sort((x, y) => y.createdAt - x.createdAt)[0];
            resolve(chat?.messages ?? []);
          };
        };
      }),
    question,
  );
}

/** The last reply in the newest chat that has `question`, as the app stored it. */
export async function storedReplyTo(
  page: Page,
  question: string,
): Promise<StoredMessage | undefined> {
  return (await storedMessagesOf(page, question)).findLast((m) => m.role === "assistant");
}

/** Figures for the note: kept as annotations and printed in the test log. */
export function measured(description: string): void {
  test.info().annotations.push({ type: "measured", description });
  console.log(`[measured] ${description}`);
}

export async function selectTiny(page: Page): Promise<void> {
  await page.getByRole("combobox", { name: /model|模型/i }).selectOption(MODEL_ID);
}

/** Clicks Load and waits for Ready; returns the seconds it took. */
export async function clickLoadUntilReady(page: Page): Promise<number> {
  const started = Date.now();
  await page.getByRole("button", { name: /load model/i }).click();
  await expect(modelReady(page)).toBeVisible({ timeout: 300_000 });
  return (Date.now() - started) / 1000;
}

export async function loadTiny(page: Page): Promise<{ server: ModelServer; seconds: number }> {
  const server = await serveTiny(page);
  await openApp(page);
  await selectTiny(page);
  return { server, seconds: await clickLoadUntilReady(page) };
}

/**
 * Known gap (see model-build/tiny/EXPERIMENT.md and issue #13's note): where a byte-fallback
 * sequence is cut across streamed pieces, reference.py's model of web-llm's incremental
 * decoding and what the app stores can differ in the stray characters around U+FFFD. This
 * keeps ASCII and CJK text, which is all the tiny model's vocabulary was trained on.
 */
export function visibleText(text: string): string {
  return text.replace(/[^\x20-\x7e\n\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]|\uFFFD/gu, "");
}

/**
 * Before the first message: the reference scripts' prompt layout (the one reference.py
 * computes: one string through the completions API) and max new tokens (the reference's
 * unless given).
 */
export async function chatSettings(
  page: Page,
  options: { maxTokens?: number } = {},
): Promise<void> {
  await openModelSettings(page);
  await page.getByText("Generation settings for this chat").click();
  await page.getByLabel("Prompt layout (CuteGPT)").selectOption("reference");
  // Always set: a new chat starts with the settings of the chat before it.
  await page
    .getByLabel("Max new tokens")
    .fill(String(options.maxTokens ?? reference.app.max_tokens));
  await page.keyboard.press("Escape");
  await expect(page.getByRole("dialog", { name: /Model and settings|模型与设置/ })).toBeHidden();
}

/** Waits until no reply streams (a few tokens a second on SwiftShader: allow minutes). */
export async function waitForRealReplyEnd(page: Page): Promise<void> {
  await expect(page.locator('article[data-status="streaming"]')).toHaveCount(0, {
    timeout: 300_000,
  });
}
