import { expect, test, type BrowserContext, type Page, type Worker } from "@playwright/test";
import type { ModelServer } from "../fixtures/model-files/server";
import {
  assistantMessages,
  modelReady,
  openApp,
  openModelSettings,
  sendMessage,
  waitForSaved,
} from "./helpers";
import {
  MODEL_ID,
  TINY_CONTEXT_WINDOW,
  chatSettings,
  clickLoadUntilReady,
  decodeIds,
  measured,
  referenceCase,
  selectTiny,
  serveTiny,
  storedMessagesOf,
  storedReplyTo,
  visibleText,
  waitForRealReplyEnd,
} from "./real-engine-helpers";

/**
 * The chat controls and faults on the real engine: the production worker, WebLlmEngine and
 * web-llm 0.2.86 running the tiny TVM-compiled Llama (test/fixtures/tiny-model) on
 * SwiftShader, checked against its NumPy reference (reference.json).
 *
 * Shader compilation costs about 20 s a load, so the tests share one page and run in order;
 * each starts a new chat, so the prompts are the reference's own. The later ones reload the
 * page, lose the GPU and kill the worker, which is why they come last.
 */

test.describe.configure({ mode: "serial" });
test.setTimeout(300_000);

const english = referenceCase("Hello, how are you");
/** The case whose 126-token reply is long enough to stop or reload in the middle of. */
const long = referenceCase("你好，今天过得怎么样");

let context: BrowserContext;
let page: Page;
let server: ModelServer;

test.beforeAll(async ({ browser }, testInfo) => {
  testInfo.setTimeout(300_000);
  const { baseURL } = testInfo.project.use;
  context = await browser.newContext({ ...(baseURL && { baseURL }), serviceWorkers: "block" });
  page = await context.newPage();
  server = await serveTiny(page);
  await openApp(page);
  await selectTiny(page);
  measured(`first load: ${(await clickLoadUntilReady(page)).toFixed(1)} s`);
});

test.afterAll(async () => {
  await context?.close();
  await server?.close();
});

async function newChat(): Promise<void> {
  await page.getByRole("button", { name: /new chat/i }).click();
  await expect(assistantMessages(page)).toHaveCount(0);
}

const lastReply = () => assistantMessages(page).last();

/** The production worker (the one that runs web-llm), as Playwright sees it. */
async function llmWorker(): Promise<Worker> {
  await expect.poll(() => page.workers().some((w) => w.url().includes("llm.worker"))).toBe(true);
  return page.workers().findLast((w) => w.url().includes("llm.worker"))!;
}

/** Waits until the stored reply to `question` is streaming with at least `chars` characters. */
async function storedWhileStreaming(question: string, chars: number): Promise<void> {
  await expect
    .poll(
      async () => {
        const stored = await storedReplyTo(page, question);
        return stored?.status === "streaming" ? stored.content.length : 0;
      },
      { timeout: 120_000 },
    )
    .toBeGreaterThanOrEqual(chars);
}

test("Stop mid-reply: the reply ends stopped at a prefix of the greedy reply, nothing is added after Stop, and that is what is saved", async () => {
  await chatSettings(page);
  await sendMessage(page, english.question);
  const reply = lastReply();
  // The first token is whole (the content shows a cursor besides while it streams).
  await expect(reply.getByTestId("message-content")).toContainText(
    decodeIds(english.hf.greedy_ids.slice(0, 1)),
    { timeout: 60_000 },
  );
  await page.getByRole("button", { name: "Stop", exact: true }).click();
  await expect(reply).toHaveAttribute("data-status", "stopped");
  await waitForSaved(page);
  const stopped = await storedReplyTo(page, english.question);
  const shown = await reply.getByTestId("message-content").textContent();
  // At 5 tokens a second the rest of the reply would arrive within 8 s; none of it may.
  await page.waitForTimeout(3000);
  await expect(reply.getByTestId("message-content")).toHaveText(shown ?? "");
  const later = await storedReplyTo(page, english.question);
  expect(later).toEqual(stopped);
  expect(stopped?.status).toBe("stopped");
  expect(stopped?.content.length).toBeGreaterThan(0);
  expect(stopped?.content.length).toBeLessThan(english.hf.streamed_text.length);
  expect(english.hf.streamed_text.startsWith(stopped?.content ?? "∅")).toBe(true);
  expect(stopped?.usage?.finishReason).toBe("abort");
  await expect(reply.getByTestId("message-meta")).not.toContainText("NaN");
  measured(`stopped mid-reply: ${JSON.stringify(stopped?.usage)}`);
});

test("Stop during the prefill leaves an empty stopped reply; Regenerate then gives the greedy reply", async () => {
  await newChat();
  await chatSettings(page);
  // Stop is pressed the moment the chat request leaves for the worker, so it reaches the
  // worker during the prefill (about 0.6 s for 104 tokens here), before the first token.
  await page.evaluate(() => {
    const post = Worker.prototype.postMessage;
    const w = window as unknown as { __stopAtChat?: boolean };
    w.__stopAtChat = true;
    Worker.prototype.postMessage = function (this: Worker, message: unknown, ...rest: never[]) {
      post.call(this, message, ...rest);
      if (w.__stopAtChat && (message as { type?: string } | null)?.type === "chat") {
        w.__stopAtChat = false;
        setTimeout(() => {
          const buttons = [...document.querySelectorAll("button")];
          buttons.find((b) => b.textContent?.trim() === "Stop")?.click();
        }, 0);
      }
    } as typeof Worker.prototype.postMessage;
  });
  await sendMessage(page, english.question);
  const reply = lastReply();
  await expect(reply).toHaveAttribute("data-status", "stopped", { timeout: 60_000 });
  // The prefill's token, which web-llm still streams after the interrupt, never shows.
  await page.waitForTimeout(3000);
  await expect(reply.getByTestId("message-content")).toHaveText("");
  await waitForSaved(page);
  const stopped = await storedReplyTo(page, english.question);
  expect(stopped).toMatchObject({ status: "stopped", content: "" });
  // web-llm reports the decode speed of a reply with no decoded token as 0/0.
  await expect(reply.getByTestId("message-meta")).toContainText("Stopped");
  await expect(reply.getByTestId("message-meta")).not.toContainText("NaN");
  measured(`stopped during the prefill: ${JSON.stringify(stopped?.usage)}`);

  // The interrupt is not left behind for the next generation: Regenerate gives the whole
  // greedy reply, the same as the first reply in a fresh chat.
  await reply.getByRole("button", { name: "Regenerate" }).click();
  await waitForRealReplyEnd(page);
  await waitForSaved(page);
  const regenerated = await storedReplyTo(page, english.question);
  expect(regenerated?.status).toBe("done");
  expect(regenerated?.content).toBe(english.hf.streamed_text);
  expect(regenerated?.usage?.completionTokens).toBe(english.hf.greedy_ids.length + 1);
  expect(await assistantMessages(page).count()).toBe(1);
});

test("Continue after a max-token cut carries on exactly as one longer greedy reply would, the penalty covering the part already written", async () => {
  // The first six tokens of this reply are whole tokens or ASCII bytes, so the text
  // re-encodes to the same ids (beyond them comes a lone byte, U+FFFD in text).
  const cut = 3;
  const first = decodeIds(long.hf.greedy_ids.slice(0, cut));
  const both = decodeIds(long.hf.greedy_ids.slice(0, 2 * cut));
  expect(long.hf.streamed_text.startsWith(both)).toBe(true);

  await newChat();
  await chatSettings(page, { maxTokens: cut });
  await sendMessage(page, long.question);
  await waitForRealReplyEnd(page);
  await waitForSaved(page);
  const reply = lastReply();
  await expect(reply.getByTestId("message-meta")).toContainText("max-token limit");
  expect(await storedReplyTo(page, long.question)).toMatchObject({
    status: "done",
    content: first,
    usage: { finishReason: "length", completionTokens: cut },
  });

  await reply.getByRole("button", { name: "Continue" }).click();
  await expect(reply).toHaveAttribute("data-status", "streaming");
  await waitForRealReplyEnd(page);
  await waitForSaved(page);
  const continued = await storedReplyTo(page, long.question);
  measured(`continued: ${JSON.stringify(continued?.usage)}`);
  expect(continued).toMatchObject({
    status: "done",
    content: both,
    usage: { finishReason: "length", completionTokens: 2 * cut },
  });
});

test("the token budget counts with the real tokenizer: a message that leaves no room for the reply gets the clear message, and nothing is sent", async () => {
  const maxTokens = 1000;
  await newChat();
  await chatSettings(page, { maxTokens });
  await sendMessage(page, english.question);
  const reply = lastReply();
  await expect(reply).toHaveAttribute("data-status", "error");
  // reference.json's count of the same prompt (the NumPy side's tokenizer).
  const message =
    `Your message is ${english.prompt_tokens} tokens; this model can take at most ` +
    `${TINY_CONTEXT_WINDOW - maxTokens} with the current reply length.`;
  await expect(reply.locator('[data-error-code="context-window-exceeded"]')).toContainText(message);
  await waitForSaved(page);
  expect(await storedReplyTo(page, english.question)).toMatchObject({
    content: "",
    error: { code: "context-window-exceeded" },
  });
  // The model is still loaded and answers the next chat.
  await expect(modelReady(page)).toBeVisible();
});

test("a reload mid-reply leaves an interrupted reply with the text it had", async () => {
  await newChat();
  await chatSettings(page);
  await sendMessage(page, long.question);
  await storedWhileStreaming(long.question, 8);
  await page.reload();
  const kept = lastReply();
  await expect(kept).toHaveAttribute("data-status", "interrupted");
  const stored = await storedReplyTo(page, long.question);
  expect(stored?.status).toBe("interrupted");
  expect(stored?.content.length).toBeGreaterThanOrEqual(8);
  expect(visibleText(long.hf.streamed_text).startsWith(visibleText(stored?.content ?? "∅"))).toBe(
    true,
  );
  // The reload took the model with it.
  await expect(modelReady(page)).toHaveCount(0);
});

test("Stop while the model loads from the cache ends the reply empty; the load goes on and the model answers", async () => {
  await newChat();
  // The client starts its worker with the first request: the message below. Every device
  // that worker gets is kept, for the device-lost test that follows; web-llm asks for one
  // only after importing itself and reading its cache, long after the worker starts.
  void page
    .waitForEvent("worker", (w) => w.url().includes("llm.worker"))
    .then((worker) =>
      worker.evaluate(() => {
        const scope = self as unknown as { __devices: GPUDevice[] };
        scope.__devices = [];
        const request = GPUAdapter.prototype.requestDevice;
        GPUAdapter.prototype.requestDevice = async function (
          this: GPUAdapter,
          ...args: Parameters<GPUAdapter["requestDevice"]>
        ) {
          const device = await request.apply(this, args);
          scope.__devices.push(device);
          return device;
        };
      }),
    );
  await selectTiny(page);
  const started = Date.now();
  // The message loads the model (from web-llm's cache); Stop comes during the load.
  await sendMessage(page, "Stop me while you load");
  await expect(page.getByRole("progressbar").first()).toBeVisible({ timeout: 30_000 });
  await page.getByRole("button", { name: "Stop", exact: true }).click();
  const reply = lastReply();
  await expect(reply).toHaveAttribute("data-status", "stopped");
  await expect(reply.getByTestId("message-content")).toHaveText("");
  await expect(modelReady(page)).toBeVisible({ timeout: 120_000 });
  measured(`load from cache, after a Stop: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  expect(await storedMessagesOf(page, "Stop me while you load")).toMatchObject([
    { role: "user" },
    { role: "assistant", status: "stopped", content: "" },
  ]);

  await newChat();
  await chatSettings(page);
  await sendMessage(page, english.question);
  await waitForRealReplyEnd(page);
  await waitForSaved(page);
  expect((await storedReplyTo(page, english.question))?.content).toBe(english.hf.streamed_text);
});

test("a lost GPU device mid-reply (GPUDevice.destroy()): the reply is kept, marked, and the next message reloads the model and answers as before", async () => {
  await newChat();
  await chatSettings(page);
  await sendMessage(page, long.question);
  await storedWhileStreaming(long.question, 4);
  const worker = await llmWorker();
  expect(
    await worker.evaluate(() => (self as unknown as { __devices: GPUDevice[] }).__devices.length),
  ).toBeGreaterThan(0);
  await worker.evaluate(() =>
    (self as unknown as { __devices: GPUDevice[] }).__devices.at(-1)!.destroy(),
  );
  const reply = lastReply();
  await expect(reply).not.toHaveAttribute("data-status", "streaming", { timeout: 60_000 });
  await waitForSaved(page);
  const lost = await storedReplyTo(page, long.question);
  measured(`device lost: ${JSON.stringify(lost?.error)}`);
  await expect(reply).toHaveAttribute("data-status", "interrupted");
  await expect(reply.locator('[data-error-code="device-lost"]')).toContainText("GPU");
  expect(lost?.content.length).toBeGreaterThanOrEqual(4);
  expect(visibleText(long.hf.streamed_text).startsWith(visibleText(lost?.content ?? "∅"))).toBe(
    true,
  );
  await expect(modelReady(page)).toHaveCount(0);

  // An interrupted reply stays out of the prompt with its question, so asking the English
  // question now gives the reference's first-turn prompt.
  const started = Date.now();
  await sendMessage(page, english.question);
  await waitForRealReplyEnd(page);
  await waitForSaved(page);
  measured(`reload after device loss + reply: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const answer = await storedReplyTo(page, english.question);
  expect(answer).toMatchObject({ status: "done", content: english.hf.streamed_text });
});

test("a worker killed mid-reply: the reply is kept, marked, and the next message starts a new worker that answers as before", async () => {
  await newChat();
  await chatSettings(page);
  await sendMessage(page, long.question);
  await storedWhileStreaming(long.question, 4);
  const worker = await llmWorker();
  // close() ends the worker at once; its evaluate never answers.
  void worker.evaluate(() => self.close()).catch(() => undefined);
  const reply = lastReply();
  // The client declares a silent worker dead after 8 s of missed heartbeats.
  await expect(reply).toHaveAttribute("data-status", "interrupted", { timeout: 60_000 });
  await expect(reply.locator('[data-error-code="worker-crashed"]')).toBeVisible();
  await waitForSaved(page);
  const killed = await storedReplyTo(page, long.question);
  expect(killed?.content.length).toBeGreaterThanOrEqual(4);
  expect(visibleText(long.hf.streamed_text).startsWith(visibleText(killed?.content ?? "∅"))).toBe(
    true,
  );

  await sendMessage(page, english.question);
  await waitForRealReplyEnd(page);
  await waitForSaved(page);
  expect(await storedReplyTo(page, english.question)).toMatchObject({
    status: "done",
    content: english.hf.streamed_text,
  });
});

/** With a model ready, the model picker lives in the "Model and settings" sheet. */
async function switchTo(modelId: string): Promise<number> {
  await openModelSettings(page);
  await page.getByRole("combobox", { name: "Model" }).selectOption(modelId);
  const seconds = await clickLoadUntilReady(page);
  const sheet = page.getByRole("dialog", { name: /Model and settings|模型与设置/ });
  if (await sheet.isVisible()) await page.keyboard.press("Escape");
  await expect(sheet).toBeHidden();
  return seconds;
}

test("switching to the test engine unloads the real model; switching back loads it again in the same worker and it answers as before", async () => {
  await switchTo("test-engine-fast");
  await newChat();
  await sendMessage(page, "Which engine is this?");
  await waitForRealReplyEnd(page);
  await expect(lastReply()).toContainText('to "Which engine is this?"');

  measured(`switch back to the real model: ${(await switchTo(MODEL_ID)).toFixed(1)} s`);
  await newChat();
  await chatSettings(page);
  await sendMessage(page, english.question);
  await waitForRealReplyEnd(page);
  await waitForSaved(page);
  expect((await storedReplyTo(page, english.question))?.content).toBe(english.hf.streamed_text);
});

// The UI has no Unload button: deleting the loaded model's files is the one unload besides
// switching models (app/features/model-files/slice.ts).
test("deleting the loaded model's files unloads it: its GPU device is destroyed, the status says not loaded, and the next message downloads and loads it again and answers as before", async () => {
  const worker = await llmWorker();
  await worker.evaluate(() => {
    const scope = globalThis as unknown as { devicesDestroyed: number };
    scope.devicesDestroyed = 0;
    const destroy = GPUDevice.prototype.destroy;
    GPUDevice.prototype.destroy = function () {
      scope.devicesDestroyed += 1;
      destroy.call(this);
    };
  });
  const shard = "tiny-llama/resolve/main/params_shard_0.bin";
  const fetched = server.count(shard);

  await openModelSettings(page);
  await page.getByText("Storage and model files").click();
  const row = page.locator(`[data-testid="cached-model"][data-model-id="${MODEL_ID}"]`);
  await row.getByRole("button", { name: /^Delete / }).click();
  await row.getByRole("button", { name: /^Delete \d/ }).click();
  await expect(page.getByTestId("storage-message")).toHaveText(/space is free/);
  await expect(row).toHaveCount(0);
  await page.keyboard.press("Escape");
  await expect(page.getByTestId("model-status")).toHaveAttribute("data-state", "idle");
  expect(
    await worker.evaluate(
      () => (globalThis as unknown as { devicesDestroyed: number }).devicesDestroyed,
    ),
  ).toBe(1);

  await newChat();
  await chatSettings(page);
  await sendMessage(page, english.question);
  await waitForRealReplyEnd(page);
  await waitForSaved(page);
  expect((await storedReplyTo(page, english.question))?.content).toBe(english.hf.streamed_text);
  await expect(page.getByTestId("model-status")).toHaveAttribute("data-state", "ready");
  // The files were gone, so they were fetched again.
  expect(server.count(shard)).toBe(fetched + 1);
});
