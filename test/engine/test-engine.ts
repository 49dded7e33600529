/// <reference lib="webworker" />
import type {
  ChatInput,
  ChatTokenCounts,
  ChatTurn,
  ChatOptions,
  ChatUsage,
  EngineErrorCode,
  LoadProgress,
  ModelSpec,
} from "../../app/protocol/worker-protocol";
import { isEngineErrorCode } from "../../app/protocol/worker-protocol";
import { EngineError, type Engine } from "../../workers/engine";
import { idbArtifactStore, managesFiles } from "../../workers/model-cache";
import { readCachedModel } from "../../workers/model-cache/read-cached";

/**
 * A deterministic stand-in for web-llm, used only by test builds. It goes through the same
 * phases as the real engine, streams scripted tokens at a set rate and fails on request.
 *
 * Directives in the last user message (or prompt) steer a reply:
 *   #long:N        reply with N tokens
 *   #rate:N        stream N tokens per second
 *   #fail:CODE     throw the engine error CODE after a few tokens
 *   #crash         close the worker after a few tokens (the client must notice by itself)
 *   #echo TEXT     reply with TEXT verbatim (#rate and #nomax before #echo still apply)
 *   #nomax         ignore the request's max_tokens (long benchmark replies)
 *   #prefill:MS    take MS milliseconds before the first token, as a long prompt's prefill
 *                  does; like web-llm, a stop during it still lets the prefill's token out
 * Every input it receives is broadcast on the `test-engine-log` channel so tests can check
 * exactly what reached the model.
 */
export const TEST_ENGINE_MARKER = "cutegpt-test-engine-7f3a";

const CACHE_DB = "cutegpt-test-engine-cache";
/** Tokens the test engine's stand-in chat template adds per message and for the reply header. */
const TEST_TURN_OVERHEAD = 4;
/** The stand-in template's own system prompt, used when a request sends none. */
const TEST_DEFAULT_SYSTEM_TOKENS = 16;
const log = new BroadcastChannel("test-engine-log");

export class TestEngine implements Engine {
  private spec: ModelSpec | undefined;
  private stopRequested = false;
  private turn = 0;

  async load(spec: ModelSpec, onProgress: (progress: LoadProgress) => void): Promise<void> {
    // Entries with real files (downloaded or imported by workers/model-cache) are read back
    // from web-llm's caches, and web-llm's own hasModelInCache is asked too, for the tests.
    if (managesFiles(spec)) {
      await readCachedModel(idbArtifactStore(), spec, onProgress);
      this.spec = spec;
      log.postMessage({ kind: "load", modelId: spec.id, marker: TEST_ENGINE_MARKER });
      // Needs web-llm's chunk, which an offline test cannot fetch; reported separately.
      void webLlmHasModel(spec).then(
        (hasModelInCache) =>
          log.postMessage({ kind: "webllm-cache", modelId: spec.id, hasModelInCache }),
        () => undefined,
      );
      return;
    }
    const options = spec.testEngine ?? {};
    const total = options.downloadBytes ?? spec.downloadBytes ?? 64 * 1024 * 1024;
    onProgress({ phase: "preparing", fraction: 0, text: "Fetching model configuration" });
    await sleep(20);
    const cached = await wasCached(spec.id);
    const phase = cached ? "loading-cache" : "fetching";
    const steps = 8;
    for (let i = 1; i <= steps; i++) {
      await sleep(40);
      if (options.loadFailure && i === 3) throw failure(options.loadFailure);
      const bytesDone = Math.round((total * i) / steps);
      onProgress({
        phase,
        fraction: i / steps,
        bytesDone,
        bytesTotal: total,
        text: `${cached ? "Loading model from cache" : "Fetching param cache"}[${i}/${steps}]`,
      });
    }
    await markCached(spec.id);
    for (let i = 1; i <= 4; i++) {
      await sleep(20);
      onProgress({
        phase: "compiling",
        fraction: i / 4,
        text: `Loading GPU shader modules[${i}/4]`,
      });
    }
    this.spec = spec;
    log.postMessage({ kind: "load", modelId: spec.id, marker: TEST_ENGINE_MARKER });
  }

  async chat(
    input: ChatInput,
    options: ChatOptions,
    onDelta: (text: string) => void,
  ): Promise<ChatUsage> {
    if (!this.spec) throw new EngineError("not-loaded", "Load a model before sending a message.");
    log.postMessage({ kind: "chat", input, options });
    this.stopRequested = false;
    this.turn += 1;
    const text =
      input.kind === "messages"
        ? lastUserText(input)
        : lastPromptQuery(input.kind === "prompt" ? input.prompt : lastUserText(input));
    const script = scriptFor(text, this.turn);
    const rate = script.rate ?? this.spec.testEngine?.tokensPerSecond ?? 40;
    if (script.prefillMs !== undefined) {
      await sleep(script.prefillMs);
      // web-llm streams the token sampled at prefill before it looks at its interrupt flag
      // (test/unit/webllm-contract.test.ts), so a Stop pressed during prefill lets it out.
      const first = script.tokens.shift();
      if (first !== undefined) onDelta(first);
    }
    const started = performance.now();
    let emitted = script.prefillMs !== undefined ? 1 : 0;
    let finishReason: ChatUsage["finishReason"] = "stop";
    for (const token of script.tokens) {
      if (this.stopRequested) {
        finishReason = "abort";
        break;
      }
      if (!script.noMax && options.maxTokens !== undefined && emitted >= options.maxTokens) {
        finishReason = "length";
        break;
      }
      if (script.failAt !== undefined && emitted === script.failAt) {
        const fail = script.fail ?? "unknown";
        if (fail !== "crash") throw failure(fail);
        // Dies the way a crashed worker does: silently, with no reply to the client, while
        // the next token is being computed. The host sends streamed text at most 16 ms late
        // (workers/delta-batcher.ts), so what was generated before has reached the page; a
        // real crash can lose those last milliseconds.
        await sleep(50);
        self.close();
        return new Promise<never>(() => undefined);
      }
      // Timers cannot fire faster than every few milliseconds, so at high rates the tokens
      // that are due by now go out together, each still as its own delta.
      const dueAt = started + ((emitted + 1) * 1000) / rate;
      const wait = dueAt - performance.now();
      if (wait > 0) await sleep(wait);
      else if (emitted % 64 === 63) await sleep(0);
      onDelta(token);
      emitted += 1;
    }
    const seconds = Math.max((performance.now() - started) / 1000, 1e-3);
    return {
      promptTokens: Math.ceil(text.length / 2),
      completionTokens: emitted,
      prefillTokensPerSecond: 1000,
      decodeTokensPerSecond: emitted / seconds,
      finishReason,
    };
  }

  /** One token per character: easy to reason about in budget tests. */
  async countTokens(texts: string[]): Promise<number[]> {
    return texts.map((text) => Array.from(text).length);
  }

  /**
   * A stand-in chat template, one token per character like countTokens: each message costs
   * its text and TEST_TURN_OVERHEAD; the reply header and a default system prompt are fixed.
   */
  async countChatTokens(messages: ChatTurn[]): Promise<ChatTokenCounts> {
    const system = messages.some((m) => m.role === "system") ? 0 : TEST_DEFAULT_SYSTEM_TOKENS;
    return {
      fixed: TEST_TURN_OVERHEAD + system,
      messages: messages.map((m) => Array.from(m.content).length + TEST_TURN_OVERHEAD),
    };
  }

  stop(): void {
    this.stopRequested = true;
  }

  async reset(): Promise<void> {
    this.turn = 0;
  }

  async unload(): Promise<void> {
    this.spec = undefined;
  }
}

interface Script {
  tokens: string[];
  rate?: number;
  fail?: EngineErrorCode | "crash";
  failAt?: number;
  noMax?: boolean;
  prefillMs?: number;
}

function scriptFor(text: string, turn: number): Script {
  const echo = /#echo ([\s\S]*)$/.exec(text);
  // "\n" and "\uXXXX" in an echo are unescaped, so one-line test input can script multi-line
  // output or text (like "问：") that must not appear literally in the question.
  if (echo?.[1] !== undefined) {
    const before = text.slice(0, echo.index);
    const echoRate = /#rate:(\d+)/.exec(before)?.[1];
    return {
      tokens: chunk(unescapeEcho(echo[1]), 4),
      ...(echoRate !== undefined && { rate: Number(echoRate) }),
      ...(/#nomax\b/.test(before) && { noMax: true }),
    };
  }
  const script: Script = { tokens: [] };
  const long = /#long:(\d+)/.exec(text);
  const rate = /#rate:(\d+)/.exec(text);
  const fail = /#fail:([a-z-]+)/.exec(text);
  if (rate?.[1]) script.rate = Number(rate[1]);
  const prefill = /#prefill:(\d+)/.exec(text)?.[1];
  if (prefill !== undefined) script.prefillMs = Number(prefill);
  if (/#crash\b/.test(text)) {
    script.fail = "crash";
    script.failAt = 3;
  } else if (fail?.[1] && isEngineErrorCode(fail[1])) {
    script.fail = fail[1];
    script.failAt = 3;
  }
  const count = long?.[1] ? Number(long[1]) : 12;
  const subject = text.replace(/#\S+/g, "").trim().slice(0, 40);
  const words = `Reply ${turn} to "${subject}": the quick brown fox jumps over the lazy dog`.split(
    " ",
  );
  for (let i = 0; i < count; i++)
    script.tokens.push((i === 0 ? "" : " ") + words[i % words.length]);
  return script;
}

/** The question of a CuteGPT-layout prompt ("…问：{query}\n答：\n"), so directives work there too. */
function lastPromptQuery(prompt: string): string {
  const start = prompt.lastIndexOf("问：");
  const end = prompt.lastIndexOf("\n答：");
  return start >= 0 && end > start ? prompt.slice(start + 2, end) : prompt;
}

function unescapeEcho(text: string): string {
  return text
    .replaceAll("\\n", "\n")
    .replace(/\\u([0-9a-fA-F]{4})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

function lastUserText(input: { messages: ChatTurn[] }): string {
  for (let i = input.messages.length - 1; i >= 0; i--) {
    const message = input.messages[i];
    if (message?.role === "user") return message.content;
  }
  return "";
}

function chunk(text: string, size: number): string[] {
  const chars = Array.from(text);
  const out: string[] = [];
  for (let i = 0; i < chars.length; i += size) out.push(chars.slice(i, i + size).join(""));
  return out;
}

function failure(code: EngineErrorCode): EngineError {
  const messages: Partial<Record<EngineErrorCode, string>> = {
    "device-lost": "The GPU stopped responding (test engine: device lost).",
    "context-window-exceeded": "The conversation is longer than the model's context window.",
    "model-files-not-found": "The model files were not found (test engine).",
    "model-library-invalid": "The model library is not valid WebAssembly (test engine).",
    "quota-exceeded": "The browser ran out of storage space for the model (test engine).",
  };
  return new EngineError(code, messages[code] ?? `Test engine failure: ${code}`);
}

async function webLlmHasModel(spec: ModelSpec): Promise<boolean> {
  const { hasModelInCache } = await import("@mlc-ai/web-llm");
  return hasModelInCache(spec.id, {
    model_list: [
      { model: spec.modelUrl ?? "", model_id: spec.id, model_lib: spec.modelLibUrl ?? "" },
    ],
    cacheBackend: "indexeddb",
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// The test engine's "cache" is a real IndexedDB record, so a second load after a reload
// (or offline) reports the loading-cache phase just as web-llm does.
function openCacheDb(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(CACHE_DB, 1);
    request.onupgradeneeded = () => request.result.createObjectStore("models");
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function wasCached(id: string): Promise<boolean> {
  const db = await openCacheDb();
  return new Promise((resolve) => {
    const get = db.transaction("models").objectStore("models").get(id);
    get.onsuccess = () => resolve(get.result !== undefined);
    get.onerror = () => resolve(false);
  });
}

async function markCached(id: string): Promise<void> {
  const db = await openCacheDb();
  await new Promise<void>((resolve, reject) => {
    const tx = db.transaction("models", "readwrite");
    tx.objectStore("models").put(Date.now(), id);
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    // A full disk aborts the transaction at commit, with no request error: without this the
    // load would wait for ever at 100 %.
    tx.onabort = () => reject(tx.error ?? new DOMException("aborted", "AbortError"));
  });
}
