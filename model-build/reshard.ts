import { createHash } from "node:crypto";
import { closeSync, openSync, readFileSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { BuildError } from "./errors";

/**
 * Re-cuts mlc_llm's weight shards (its tensor-cache layout, ~32 MB shards) into fewer, larger
 * ones, without touching a byte of any tensor: consecutive shards are concatenated, each
 * tensor record keeps its name, shape, dtype and format and moves by its shard's new offset.
 *
 * Why: web-llm stores every shard as one IndexedDB value, and reading a cached model back is
 * much faster with larger values (test/bench/shard-size.bench.ts); Chromium refuses a value
 * near 127 MB, so the target must stay under that.
 *
 * Invariants: shards are never split (a tensor record stays inside one file); each appended
 * shard starts on a 4-byte boundary (web-llm copies a tensor straight to WebGPU only when its
 * bytes are 4-byte aligned); a shard already larger than the target is kept as it is;
 * `metadata` is copied unchanged. A per-shard `md5sum`, if mlc_llm wrote one, is recomputed.
 */
export interface ShardRecordJson {
  dataPath: string;
  format?: string;
  nbytes: number;
  md5sum?: string;
  records: Array<{ byteOffset: number; nbytes: number } & Record<string, unknown>>;
}

const ALIGN = 4;

/** Groups of consecutive shard indexes, each group's aligned total at most `targetBytes`. */
export function planShards(sizes: readonly number[], targetBytes: number): number[][] {
  const groups: number[][] = [];
  let current: number[] = [];
  let bytes = 0;
  sizes.forEach((size, i) => {
    let start = Math.ceil(bytes / ALIGN) * ALIGN;
    if (current.length > 0 && start + size > targetBytes) {
      groups.push(current);
      current = [];
      start = 0;
    }
    current.push(i);
    bytes = start + size;
  });
  if (current.length > 0) groups.push(current);
  return groups;
}

/** Writes the re-cut shards and tensor-cache.json into `toDir`; returns the shard names. */
export function reshardWeights(fromDir: string, toDir: string, targetBytes: number): string[] {
  const manifest = JSON.parse(readFileSync(join(fromDir, "tensor-cache.json"), "utf8")) as {
    metadata?: unknown;
    records: ShardRecordJson[];
  } & Record<string, unknown>;
  const shards = manifest.records;
  for (const shard of shards) {
    if (!Array.isArray(shard.records)) {
      throw new BuildError(
        "incomplete-output",
        `tensor-cache.json: ${shard.dataPath} lists no tensor records; cannot re-shard it.`,
      );
    }
  }
  const groups = planShards(
    shards.map((s) => s.nbytes),
    targetBytes,
  );
  const withMd5 = shards.some((s) => s.md5sum !== undefined);
  const records: ShardRecordJson[] = groups.map((group, index) => {
    const dataPath = `params_shard_${index}.bin`;
    const fd = openSync(join(toDir, dataPath), "w");
    const md5 = createHash("md5");
    let offset = 0;
    const tensors: ShardRecordJson["records"] = [];
    try {
      for (const i of group) {
        const shard = shards[i]!;
        const pad = (ALIGN - (offset % ALIGN)) % ALIGN;
        if (pad > 0) {
          const zeros = Buffer.alloc(pad);
          writeSync(fd, zeros);
          md5.update(zeros);
          offset += pad;
        }
        const data = readFileSync(join(fromDir, shard.dataPath));
        if (data.length !== shard.nbytes) {
          throw new BuildError(
            "incomplete-output",
            `${shard.dataPath} has ${data.length} bytes, tensor-cache.json says ${shard.nbytes}.`,
          );
        }
        writeSync(fd, data);
        md5.update(data);
        for (const tensor of shard.records) {
          tensors.push({ ...tensor, byteOffset: tensor.byteOffset + offset });
        }
        offset += data.length;
      }
    } finally {
      closeSync(fd);
    }
    return {
      dataPath,
      format: shards[group[0]!]!.format ?? "raw-shard",
      nbytes: offset,
      ...(withMd5 && { md5sum: md5.digest("hex") }),
      records: tensors,
    };
  });
  writeFileSync(join(toDir, "tensor-cache.json"), JSON.stringify({ ...manifest, records }));
  return records.map((r) => r.dataPath);
}
