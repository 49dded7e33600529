import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  mergeCatalog,
  readCatalog,
  writeCatalog,
  type CuteGptEntry,
} from "../../../model-build/catalog";
import { folderIntegrity } from "../../../model-build/integrity";
import { FIXTURES, tempDir } from "./helpers";

const hash = (algo: string, data: Buffer | string) =>
  createHash(algo).update(data).digest("base64");

function entry(id: string, vramMB = 9000): CuteGptEntry {
  return {
    id,
    name: id,
    family: "cutegpt",
    variant: "ift",
    quantization: "q4f16_1",
    engine: "webllm",
    modelPath: `${id}/`,
    modelLibPath: `libs/${id}.wasm`,
    requiredFeatures: ["shader-f16"],
    vramMB,
    downloadBytes: 1,
    contextWindow: 2048,
    integrity: { config: "", modelLib: "", tokenizer: "", shards: {} },
  };
}

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir();
});
afterEach(() => tmp.cleanup());

describe("integrity of an output folder", () => {
  it("gives SRI for config, wasm and tokenizer, sha256 per shard, and the download size", async () => {
    const model = join(tmp.dir, "M-MLC", "resolve", "main");
    mkdirSync(model, { recursive: true });
    const files: Record<string, string> = {
      "mlc-chat-config.json": '{"model_type":"llama"}',
      "tokenizer.json": readFileSync(join(FIXTURES, "tokenizer.json"), "utf8"),
      "tensor-cache.json": '{"records":[]}',
      "params_shard_0.bin": "zero".repeat(100),
      "params_shard_1.bin": "one".repeat(100),
    };
    for (const [name, text] of Object.entries(files)) writeFileSync(join(model, name), text);
    // shipped for native use only; the browser never fetches it
    writeFileSync(join(model, "tokenizer.model"), "sentencepiece");
    const wasm = join(tmp.dir, "libs", "m.wasm");
    mkdirSync(join(tmp.dir, "libs"));
    writeFileSync(wasm, Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));

    const result = await folderIntegrity(model, wasm, "sha384");
    expect(result.config).toBe(`sha384-${hash("sha384", files["mlc-chat-config.json"] ?? "")}`);
    expect(result.tokenizer).toBe(`sha384-${hash("sha384", files["tokenizer.json"] ?? "")}`);
    expect(result.modelLib).toBe(`sha384-${hash("sha384", readFileSync(wasm))}`);
    expect(result.shards).toEqual({
      "params_shard_0.bin": `sha256-${hash("sha256", files["params_shard_0.bin"] ?? "")}`,
      "params_shard_1.bin": `sha256-${hash("sha256", files["params_shard_1.bin"] ?? "")}`,
    });
    const total = Object.values(files).reduce((s, t) => s + Buffer.byteLength(t), 0) + 8;
    expect(result.downloadBytes).toBe(total);
    const sha256 = await folderIntegrity(model, wasm, "sha256");
    expect(sha256.config).toMatch(/^sha256-[A-Za-z0-9+/]{43}=$/);
  });
});

describe("catalog merge", () => {
  it("keeps other families, replaces its own entries by id in place and appends new ones", () => {
    const file = join(tmp.dir, "catalog.json");
    copyFileSync(join(FIXTURES, "catalog-with-foreign.json"), file);
    const existing = readCatalog(file);
    const merged = mergeCatalog(existing, [
      entry("CuteGPT-13B-ift-q4f16_1-MLC", 9598),
      entry("CuteGPT-13B-ift-q4f32_1-MLC"),
    ]);
    expect(merged.models.map((m) => m.id)).toEqual([
      "Qwen2.5-1.5B-Instruct-q4f16_1-MLC",
      "CuteGPT-13B-ift-q4f16_1-MLC",
      "CuteGPT-13B-ift-q4f32_1-MLC",
    ]);
    expect(merged.models[0]).toEqual(existing.models[0]);
    expect(merged.models[1]).toMatchObject({
      vramMB: 9598,
      modelPath: "CuteGPT-13B-ift-q4f16_1-MLC/",
    });
  });

  it("keeps the catalog's other top-level fields", () => {
    const merged = mergeCatalog({ version: 1, modelBaseUrl: "./", models: [] }, [entry("A")]);
    expect(merged).toMatchObject({ version: 1, modelBaseUrl: "./", models: [{ id: "A" }] });
  });

  it("starts a new catalog when none exists and writes it whole", () => {
    const file = join(tmp.dir, "public", "models", "catalog.json");
    expect(readCatalog(file)).toEqual({ version: 1, models: [] });
    writeCatalog(file, mergeCatalog(readCatalog(file), [entry("A")]));
    expect(JSON.parse(readFileSync(file, "utf8"))).toMatchObject({
      version: 1,
      models: [{ id: "A" }],
    });
  });

  it("refuses a catalog it cannot understand and leaves it alone", () => {
    const file = join(tmp.dir, "catalog.json");
    writeFileSync(file, '{"version": 2, "models": []}');
    expect(() => readCatalog(file)).toThrow(/not a version-1 catalog/);
    writeFileSync(file, "{broken");
    expect(() => readCatalog(file)).toThrow(/not valid JSON/);
    expect(readFileSync(file, "utf8")).toBe("{broken");
    expect(existsSync(`${file}.tmp-${process.pid}`)).toBe(false);
  });
});
