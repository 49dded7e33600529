import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { LoadProgress, ModelSpec } from "../../app/protocol/worker-protocol";
import { memoryArtifactStore } from "../../workers/model-cache/artifact-store";
import { DEFAULT_SHARD_CONCURRENCY, ensureModelFiles } from "../../workers/model-cache/download";
import { makeModel, type FixtureModel } from "../fixtures/model-files/make-model";
import type { BenchResult } from "./types";

/**
 * The app's model downloader (workers/model-cache/download.ts, real fetch, sha256 checks,
 * in-memory store) against a local server that behaves like a distant host: 80 ms before
 * each response starts and at most 8 MB/s per connection (a TCP window over a long round
 * trip, or a CDN's per-connection cap). One shard at a time is the baseline, in the same run.
 * Also checked: the speed the progress reports shows against the measured one.
 */
const SHARDS = 12;
const SHARD_BYTES = 2 * 1024 * 1024;
const LATENCY_MS = 80;
const BYTES_PER_SECOND = 8 * 1024 * 1024;
const PIECE = 64 * 1024;

function serve(model: FixtureModel): Promise<{ server: Server; base: string }> {
  const server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? "/").slice(1));
    const data = model.files.get(path);
    setTimeout(() => {
      if (!data) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { "content-length": String(data.length) });
      let at = 0;
      const started = Date.now();
      const pump = () => {
        while (at < data.length) {
          // Ahead of the per-connection rate: wait until the link would have carried it.
          const due = started + (at / BYTES_PER_SECOND) * 1000;
          if (Date.now() < due) {
            setTimeout(pump, due - Date.now());
            return;
          }
          res.write(data.subarray(at, at + PIECE));
          at += PIECE;
        }
        res.end();
      };
      pump();
    }, LATENCY_MS);
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({ server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` }),
    ),
  );
}

async function download(model: FixtureModel, base: string, concurrency: number) {
  const spec: ModelSpec = {
    id: model.id,
    engine: "test",
    requiredFeatures: [],
    modelUrl: base + model.entry.modelPath,
    modelLibUrl: base + model.entry.modelLibPath,
    integrity: model.entry.integrity,
  };
  const progress: LoadProgress[] = [];
  const started = performance.now();
  await ensureModelFiles(spec, {
    store: memoryArtifactStore(),
    fetch: globalThis.fetch,
    signal: new AbortController().signal,
    onProgress: (p) => progress.push(p),
    concurrency,
  });
  const ms = performance.now() - started;
  const last = progress.at(-1);
  if (last?.bytesDone !== SHARDS * SHARD_BYTES || last.bytesTotal !== SHARDS * SHARD_BYTES) {
    throw new Error(`progress ended at ${last?.bytesDone} of ${last?.bytesTotal}`);
  }
  // The speed shown in the second half of the download, against what the run measured.
  const speeds = progress
    .filter(
      (p) => p.bytesPerSecond !== undefined && (p.bytesDone ?? 0) > (SHARDS * SHARD_BYTES) / 2,
    )
    .map((p) => p.bytesPerSecond!);
  const shown = speeds.reduce((a, b) => a + b, 0) / Math.max(1, speeds.length);
  return { ms, shown, measured: (SHARDS * SHARD_BYTES) / (ms / 1000) };
}

export default async function run(): Promise<BenchResult[]> {
  const model = makeModel({ id: "download-bench", shards: SHARDS, shardBytes: SHARD_BYTES });
  const { server, base } = await serve(model);
  try {
    const one = await download(model, base, 1);
    const out: BenchResult[] = [];
    for (const concurrency of [2, 3, 4]) {
      const many = await download(model, base, concurrency);
      out.push({
        name: `${SHARDS} × 2 MB shards, ${concurrency} in flight${concurrency === DEFAULT_SHARD_CONCURRENCY ? " (default)" : ""}`,
        value: Math.round(many.ms),
        unit: "ms",
        baseline: Math.round(one.ms),
        baselineName: "one at a time",
      });
      if (concurrency === DEFAULT_SHARD_CONCURRENCY) {
        out.push({
          name: `speed shown / measured, ${concurrency} in flight`,
          value: many.shown / many.measured,
          unit: "×",
          baseline: one.shown / one.measured,
          baselineName: "one at a time",
          target: "≈ 1",
        });
      }
    }
    return out;
  } finally {
    server.close();
  }
}
