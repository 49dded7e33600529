import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { planShards, reshardWeights, type ShardRecordJson } from "../../../model-build/reshard";

let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

/** A tensor-cache folder like mlc_llm's: shards of odd sizes, each holding named tensors. */
function convertedFolder(tensorSizes: number[][]) {
  const from = mkdtempSync(join(tmpdir(), "reshard-from-"));
  const to = mkdtempSync(join(tmpdir(), "reshard-to-"));
  dirs.push(from, to);
  const tensors = new Map<string, Buffer>();
  let n = 0;
  const records: ShardRecordJson[] = tensorSizes.map((sizes, s) => {
    let offset = 0;
    const parts: Buffer[] = [];
    const recs = sizes.map((size) => {
      const name = `layer.${n++}.weight`;
      const bytes = Buffer.alloc(size, (n * 37) % 251);
      tensors.set(name, bytes);
      parts.push(bytes);
      const rec = {
        name,
        shape: [size],
        dtype: "uint8",
        format: "raw",
        nbytes: size,
        byteOffset: offset,
      };
      offset += size;
      return rec;
    });
    writeFileSync(join(from, `params_shard_${s}.bin`), Buffer.concat(parts));
    return {
      dataPath: `params_shard_${s}.bin`,
      format: "raw-shard",
      nbytes: offset,
      records: recs,
    };
  });
  const metadata = { ParamSize: n, ParamBytes: 123, BitsPerParam: 4.5 };
  writeFileSync(join(from, "tensor-cache.json"), JSON.stringify({ metadata, records }));
  mkdirSync(to, { recursive: true });
  return { from, to, tensors, metadata };
}

describe("reshardWeights", () => {
  it("concatenates whole shards up to the target, every tensor's bytes unchanged and 4-byte aligned", () => {
    const { from, to, tensors, metadata } = convertedFolder([[10, 7], [9], [20, 1], [30]]);
    // Shard sizes 17, 9, 21, 30, target 56: 17 + pad 3 + 9 + pad 3 + 21 = 53; then 30 alone.
    const names = reshardWeights(from, to, 56);
    expect(names).toEqual(["params_shard_0.bin", "params_shard_1.bin"]);
    const manifest = JSON.parse(readFileSync(join(to, "tensor-cache.json"), "utf8")) as {
      metadata: unknown;
      records: ShardRecordJson[];
    };
    expect(manifest.metadata).toEqual(metadata);
    expect(manifest.records.map((r) => r.nbytes)).toEqual([53, 30]);
    const seen: string[] = [];
    for (const shard of manifest.records) {
      const data = readFileSync(join(to, shard.dataPath));
      expect(data.length).toBe(shard.nbytes);
      for (const rec of shard.records) {
        const name = rec.name as string;
        seen.push(name);
        expect(data.subarray(rec.byteOffset, rec.byteOffset + rec.nbytes)).toEqual(
          tensors.get(name),
        );
      }
    }
    expect(seen).toEqual([...tensors.keys()]);
    // Each appended shard starts aligned (20, 32); tensors inside a shard keep their places.
    expect(manifest.records[0]!.records.map((r) => r.byteOffset)).toEqual([0, 10, 20, 32, 52]);
    expect(manifest.records[1]!.records.map((r) => r.byteOffset)).toEqual([0]);
  });

  it("keeps a shard larger than the target on its own, and never splits one", () => {
    expect(planShards([100, 10, 10, 200, 5], 64)).toEqual([[0], [1, 2], [3], [4]]);
    expect(planShards([32, 32, 32, 32], 120)).toEqual([[0, 1, 2], [3]]);
  });
});

describe("--shard-mb", () => {
  it("defaults to the size chosen from the shard-size bench and refuses what IndexedDB refuses", async () => {
    const { parseOptions, DEFAULT_SHARD_MB } = await import("../../../model-build/options");
    expect(parseOptions([]).shardMB).toBe(DEFAULT_SHARD_MB);
    expect(parseOptions(["--shard-mb", "0"]).shardMB).toBe(0);
    expect(() => parseOptions(["--shard-mb", "200"])).toThrow(/127 MB/);
    expect(() => parseOptions(["--shard-mb", "1.5"])).toThrow(/whole number/);
  });
});
