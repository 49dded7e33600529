import type { LoadProgress, ModelSpec } from "../../app/protocol/worker-protocol";
import { EngineError } from "../engine";
import type { ArtifactStore } from "./artifact-store";
import {
  CONFIG_FILE,
  MANIFEST_FILE,
  fileUrl,
  libraryIsCached,
  modelFolderUrl,
  parseManifest,
  toMB,
  tokenizerFileOf,
  type ShardRecord,
} from "./layout";
import { matchesSri } from "./sri";
import { markUsed, markVerified, verifiedHash } from "./meta";
import { forEachConcurrently } from "./parallel";

export interface DownloadDeps {
  store: ArtifactStore;
  fetch: typeof fetch;
  signal: AbortSignal;
  onProgress(progress: LoadProgress): void;
  /** navigator.storage.estimate where available. */
  estimate?: () => Promise<{ usage?: number; quota?: number }>;
  now?: () => number;
  /** Shards downloaded at once (default DEFAULT_SHARD_CONCURRENCY). */
  concurrency?: number;
}

/**
 * Shards in flight. One connection rarely fills a link with a high round-trip time (and a
 * host may cap each connection); web-llm fetches four at once. Each shard in flight holds
 * its bytes in memory until it is verified and stored, hence not more.
 * Measured in test/bench/download.bench.ts.
 */
export const DEFAULT_SHARD_CONCURRENCY = 3;

/** How often byte progress is posted while a shard streams. */
const PROGRESS_EVERY_MS = 150;

/**
 * Makes every file of a model present and verified in web-llm's own caches, so the engine
 * then loads with no network. Files already cached are skipped (resume after a reload or a
 * crash); each shard is streamed with byte progress, checked against its sha256 from the
 * catalog before it is stored, and stored in one transaction, so the cache never holds half a
 * shard. A shard that fails the check is fetched once more (the user is told); a second
 * failure stops the load with code "integrity". A full disk stops it with "quota-exceeded"
 * and the space still needed; whatever was stored stays valid and the next load resumes.
 */
export async function ensureModelFiles(spec: ModelSpec, deps: DownloadDeps): Promise<void> {
  const { store } = deps;
  if (!spec.modelUrl) throw new EngineError("model-files-not-found", "No model folder URL.");
  const folder = modelFolderUrl(spec.modelUrl);
  const integrity = spec.integrity ?? {};
  const fetchBytes = (url: string) => fetchAll(deps, url);

  // Small files first, in web-llm's order, each verified before it is stored: web-llm keeps a
  // cached file that fails its own check, so a bad one must never get in.
  const configUrl = fileUrl(folder, CONFIG_FILE);
  let configData = (await store.get("webllm/config", configUrl)) as ArrayBuffer | undefined;
  if (!configData) {
    configData = await fetchVerified(fetchBytes, configUrl, integrity.config, CONFIG_FILE);
    await storeOrQuota(deps, "webllm/config", configUrl, configData, 0);
  }
  if (spec.modelLibUrl && libraryIsCached(spec.modelLibUrl)) {
    const lib = spec.modelLibUrl;
    if (!(await store.has("webllm/wasm", lib))) {
      const data = await fetchVerified(fetchBytes, lib, integrity.modelLib, "model library");
      await storeOrQuota(deps, "webllm/wasm", lib, data, 0);
    }
  }
  const tokenizer = tokenizerFileOf(parseJson(configData, CONFIG_FILE));
  if (tokenizer) {
    const url = fileUrl(folder, tokenizer);
    if (!(await store.has("webllm/model", url))) {
      const sri = tokenizer === "tokenizer.json" ? integrity.tokenizer : undefined;
      const data = await fetchVerified(fetchBytes, url, sri, tokenizer);
      await storeOrQuota(deps, "webllm/model", url, data, 0);
    }
  }
  const manifestUrl = fileUrl(folder, MANIFEST_FILE);
  let manifestJson = await store.get("webllm/model", manifestUrl);
  if (manifestJson === undefined) {
    manifestJson = parseJson(await fetchBytes(manifestUrl), MANIFEST_FILE);
    parseManifest(manifestJson);
    await storeOrQuota(deps, "webllm/model", manifestUrl, manifestJson, 0);
  }
  const shards = parseManifest(manifestJson).records;
  await fetchShards(spec, folder, shards, deps);
  await markUsed(store, folder, (deps.now ?? Date.now)()).catch(() => undefined);
}

async function fetchShards(
  spec: ModelSpec,
  folder: string,
  shards: ShardRecord[],
  deps: DownloadDeps,
): Promise<void> {
  const { store } = deps;
  const hashes = spec.integrity?.shards ?? {};
  const now = deps.now ?? (() => performance.now());
  const total = shards.reduce((sum, s) => sum + s.nbytes, 0);
  const missing: ShardRecord[] = [];
  let done = 0;
  for (const shard of shards) {
    const url = fileUrl(folder, shard.dataPath);
    if (!(await store.has("webllm/model", url))) {
      missing.push(shard);
      continue;
    }
    // "Before first use": a shard that got into the cache some other way (web-llm itself, an
    // older app version) is checked once; a bad one is dropped and fetched like a missing one.
    const expected = hashes[shard.dataPath];
    if (expected && (await verifiedHash(store, url)) !== expected) {
      const data = (await store.get("webllm/model", url)) as ArrayBuffer | undefined;
      if (!data || !(await matchesSri(data, expected))) {
        await store.delete("webllm/model", url);
        missing.push(shard);
        continue;
      }
      await markVerified(store, url, expected).catch(() => undefined);
    }
    done += shard.nbytes;
  }
  if (missing.length === 0) return;

  const needed = missing.reduce((sum, s) => sum + s.nbytes, 0);
  const estimate = await deps.estimate?.().catch(() => undefined);
  if (estimate?.quota !== undefined && estimate.usage !== undefined) {
    const free = estimate.quota - estimate.usage;
    if (free < needed) throw quotaError(needed - free, needed);
  }

  const started = now();
  const window: { t: number; bytes: number }[] = [{ t: started, bytes: 0 }];
  let fetchedNew = 0;
  let lastPost = -Infinity;
  const report = (force: boolean, notice?: string) => {
    const t = now();
    if (!force && t - lastPost < PROGRESS_EVERY_MS) return;
    lastPost = t;
    window.push({ t, bytes: fetchedNew });
    while (window.length > 2 && t - window[0]!.t > 5000) window.shift();
    const first = window[0]!;
    const seconds = (t - first.t) / 1000;
    const progress: LoadProgress = {
      phase: "fetching",
      fraction: total > 0 ? done / total : 1,
      bytesDone: done,
      bytesTotal: total,
      text: `Fetching model files: ${toMB(done)}MB of ${toMB(total)}MB`,
    };
    if (seconds > 0.2 && fetchedNew > first.bytes) {
      const rate = (fetchedNew - first.bytes) / seconds;
      progress.bytesPerSecond = rate;
      progress.secondsLeft = (total - done) / rate;
    }
    if (notice) progress.notice = notice;
    deps.onProgress(progress);
  };
  report(true);

  // Bytes of missing shards not yet stored: what a full disk still stands between.
  let stillNeeded = needed;
  const concurrency = deps.concurrency ?? DEFAULT_SHARD_CONCURRENCY;
  const fetching = forEachConcurrently(missing, concurrency, deps.signal, async (shard, signal) => {
    const url = fileUrl(folder, shard.dataPath);
    const expected = hashes[shard.dataPath];
    const shardDeps = { ...deps, signal };
    let data: Uint8Array<ArrayBuffer> | undefined;
    for (let attempt = 1; attempt <= 2 && !data; attempt++) {
      // Other shards stream at the same time: take back only this shard's bytes.
      let counted = 0;
      const got = await streamShard(shardDeps, url, shard.nbytes, (n) => {
        counted += n;
        done += n;
        fetchedNew += n;
        report(false);
      });
      if (!expected || (await matchesSri(got, expected))) {
        data = got;
        break;
      }
      done -= counted;
      if (attempt === 1) {
        report(
          true,
          `The downloaded file ${shard.dataPath} did not match its checksum; it was discarded and is being downloaded again.`,
        );
      } else {
        throw new EngineError(
          "integrity",
          `The model file ${shard.dataPath} is damaged on the server: it failed its checksum twice and was not kept. Ask the site's owner to rebuild the model with model-build; other files are kept.`,
        );
      }
    }
    await storeOrQuota(deps, "webllm/model", url, data!.buffer, stillNeeded);
    stillNeeded -= shard.nbytes;
    // The notes are a shortcut, not a requirement: a full disk must not fail a stored shard.
    if (expected) await markVerified(store, url, expected).catch(() => undefined);
    report(true);
  });
  await fetching.catch((error: unknown) => {
    // Shards store in parallel: when one write meets a full disk another may still be
    // landing. Every write has settled by now, so the figure counts exactly what is stored.
    if (error instanceof EngineError && error.code === "quota-exceeded") {
      throw quotaError(stillNeeded, stillNeeded);
    }
    // A cancel between two shards surfaces as the signal's own reason.
    throw deps.signal.aborted ? translateFetchError(error, deps.signal, folder) : error;
  });
}

/** Reads a shard into one buffer with byte progress; rejects on abort with "cancelled". */
async function streamShard(
  deps: DownloadDeps,
  url: string,
  expectedBytes: number,
  onBytes: (n: number) => void,
): Promise<Uint8Array<ArrayBuffer>> {
  const response = await request(deps, url);
  const length = Number(response.headers.get("content-length")) || expectedBytes;
  let buffer = new Uint8Array(length);
  let size = 0;
  const reader = response.body?.getReader();
  if (!reader) {
    const all = new Uint8Array(await response.arrayBuffer());
    onBytes(all.byteLength);
    return all;
  }
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (size + value.byteLength > buffer.byteLength) {
        const grown = new Uint8Array(Math.max(buffer.byteLength * 2, size + value.byteLength));
        grown.set(buffer.subarray(0, size));
        buffer = grown;
      }
      buffer.set(value, size);
      size += value.byteLength;
      onBytes(value.byteLength);
    }
  } catch (error) {
    throw translateFetchError(error, deps.signal, url);
  }
  return size === buffer.byteLength ? buffer : buffer.slice(0, size);
}

async function fetchAll(deps: DownloadDeps, url: string): Promise<ArrayBuffer> {
  const response = await request(deps, url);
  try {
    return await response.arrayBuffer();
  } catch (error) {
    throw translateFetchError(error, deps.signal, url);
  }
}

async function request(deps: DownloadDeps, url: string): Promise<Response> {
  let response: Response;
  try {
    response = await deps.fetch(url, { signal: deps.signal });
  } catch (error) {
    throw translateFetchError(error, deps.signal, url);
  }
  if (!response.ok) {
    throw new EngineError(
      "model-files-not-found",
      `The model files were not found where the catalog says they are (HTTP ${response.status} for ${url}). Check the model's base URL or build the files with model-build.`,
    );
  }
  return response;
}

async function fetchVerified(
  fetchBytes: (url: string) => Promise<ArrayBuffer>,
  url: string,
  sri: string | undefined,
  what: string,
): Promise<ArrayBuffer> {
  for (let attempt = 1; ; attempt++) {
    const data = await fetchBytes(url);
    if (!sri || (await matchesSri(data, sri))) return data;
    if (attempt === 2) {
      throw new EngineError(
        "integrity",
        `The ${what} on the server does not match the checksum in the catalog, so it was not used. Rebuild the model with model-build.`,
      );
    }
  }
}

async function storeOrQuota(
  deps: DownloadDeps,
  scope: "webllm/config" | "webllm/wasm" | "webllm/model",
  url: string,
  data: unknown,
  stillNeeded: number,
): Promise<void> {
  try {
    await deps.store.put(scope, url, data);
  } catch (error) {
    if (isQuotaError(error)) {
      // The write was one transaction, so it left nothing behind; delete anyway in case a
      // browser committed part of it. The finished files stay valid for a later resume.
      await deps.store.delete(scope, url).catch(() => undefined);
      throw quotaError(stillNeeded || byteSize(data), stillNeeded);
    }
    throw error;
  }
}

export function isQuotaError(error: unknown): boolean {
  // Not `instanceof`: a DOMException from another realm (or Node) is not an Error there.
  const { name, message } = (error ?? {}) as { name?: unknown; message?: unknown };
  return name === "QuotaExceededError" || (typeof message === "string" && /quota/i.test(message));
}

function quotaError(shortBy: number, needed: number): EngineError {
  return new EngineError(
    "quota-exceeded",
    `Not enough storage for the model: about ${toMB(shortBy)} MB more space is needed (${toMB(needed)} MB still to download). Free disk space or delete cached models under Storage, then load again; the files already downloaded are kept and the download resumes. Your chats are not affected.`,
  );
}

function translateFetchError(error: unknown, signal: AbortSignal, url: string): Error {
  if (signal.aborted) {
    return new EngineError(
      "cancelled",
      "The download was cancelled. Finished files are kept; loading again resumes it.",
    );
  }
  if (error instanceof EngineError) return error;
  return new EngineError(
    "network",
    `The model files could not be downloaded (${url}): the network is unreachable. Check the connection; finished files are kept and the download resumes.`,
  );
}

function parseJson(data: ArrayBuffer, what: string): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(data));
  } catch {
    throw new EngineError("model-files-not-found", `${what} is not valid JSON.`);
  }
}

function byteSize(data: unknown): number {
  return data instanceof ArrayBuffer ? data.byteLength : 0;
}
