import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Catalog, CuteGptEntry } from "../../../model-build/catalog";
import {
  CHECKPOINTS,
  FIXTURES,
  buildCalls,
  cli,
  invocations,
  standInEnv,
  tempDir,
} from "./helpers";

let tmp: ReturnType<typeof tempDir>;
let rec: string;
beforeEach(() => {
  tmp = tempDir();
  rec = join(tmp.dir, "calls.jsonl");
});
afterEach(() => tmp.cleanup());

const IFT = ["--variants", "ift", "--quantizations", "q4f16_1", "--checkpoints", CHECKPOINTS];
const run = (argv: string[], extra: NodeJS.ProcessEnv = {}, system?: Parameters<typeof cli>[3]) =>
  cli(argv, tmp.dir, standInEnv(rec, extra), system);
const readJson = <T>(...parts: string[]) =>
  JSON.parse(readFileSync(join(tmp.dir, ...parts), "utf8")) as T;
const sri = (algo: string, file: string) =>
  `${algo}-${createHash(algo).update(readFileSync(file)).digest("base64")}`;
const resetCalls = () => rmSync(rec, { force: true });

describe("a full build against the stand-in mlc_llm", () => {
  it("builds every default variant, lays out the folder and merges the catalog", async () => {
    mkdirSync(join(tmp.dir, "public", "models"), { recursive: true });
    copyFileSync(
      join(FIXTURES, "catalog-with-foreign.json"),
      join(tmp.dir, "public/models/catalog.json"),
    );

    const r = await run(["--checkpoints", CHECKPOINTS]);
    expect(r.output).not.toMatch(/failed|crashed/);
    expect(r.code).toBe(0);

    const calls = buildCalls(rec);
    expect(calls[0]).toBe("python merge_lora.py");
    expect(calls.filter((c) => c.startsWith("convert_weight"))).toHaveLength(4);
    expect(calls.filter((c) => c.startsWith("gen_config"))).toHaveLength(4);
    expect(calls.filter((c) => c.startsWith("compile"))).toEqual([
      "compile CuteGPT-13B-ift-q4f16_1-ctx2k_cs1k-webgpu-v0_2_86.wasm",
      "compile CuteGPT-13B-ift-q4f32_1-ctx2k_cs1k-webgpu-v0_2_86.wasm",
      "compile CuteGPT-13B-lora-merged-q4f16_1-ctx2k_cs1k-webgpu-v0_2_86.wasm",
      "compile CuteGPT-13B-lora-merged-q4f32_1-ctx2k_cs1k-webgpu-v0_2_86.wasm",
    ]);

    const main = join(tmp.dir, ".model-build/out/CuteGPT-13B-lora-merged-q4f16_1-MLC/resolve/main");
    for (const f of [
      "mlc-chat-config.json",
      "tokenizer.json",
      "tensor-cache.json",
      "params_shard_0.bin",
    ]) {
      expect(existsSync(join(main, f)), f).toBe(true);
    }
    // mlc_llm's three small shards are re-cut into one of at most 96 MB (reshard.ts).
    expect(existsSync(join(main, "params_shard_1.bin"))).toBe(false);
    const manifest = JSON.parse(readFileSync(join(main, "tensor-cache.json"), "utf8")) as {
      records: { dataPath: string; nbytes: number }[];
    };
    expect(manifest.records.map((r) => r.dataPath)).toEqual(["params_shard_0.bin"]);
    expect(readFileSync(join(main, "params_shard_0.bin")).length).toBe(manifest.records[0]!.nbytes);
    const config = JSON.parse(readFileSync(join(main, "mlc-chat-config.json"), "utf8")) as Record<
      string,
      unknown
    >;
    expect(config).toMatchObject({
      context_window_size: 2048,
      prefill_chunk_size: 1024,
      sliding_window_size: -1,
      conv_template: {
        name: "cutegpt",
        stop_str: ["<end>", "<s>", "</s>"],
        stop_token_ids: [49953, 1, 2],
      },
    });
    expect(config.conv_template).not.toHaveProperty("system_prefix_token_ids");

    const catalog = readJson<Catalog>("public/models/catalog.json");
    expect(catalog.modelBaseUrl).toBe("./");
    expect(catalog.models.map((m) => m.id)).toEqual([
      "Qwen2.5-1.5B-Instruct-q4f16_1-MLC",
      "CuteGPT-13B-ift-q4f16_1-MLC",
      "CuteGPT-13B-ift-q4f32_1-MLC",
      "CuteGPT-13B-lora-merged-q4f16_1-MLC",
      "CuteGPT-13B-lora-merged-q4f32_1-MLC",
    ]);
    const entry = catalog.models[3] as CuteGptEntry;
    const wasm = join(tmp.dir, ".model-build/out", entry.modelLibPath);
    expect(entry).toMatchObject({
      family: "cutegpt",
      variant: "lora-merged",
      quantization: "q4f16_1",
      engine: "webllm",
      modelPath: "CuteGPT-13B-lora-merged-q4f16_1-MLC/",
      modelLibPath: "libs/CuteGPT-13B-lora-merged-q4f16_1-ctx2k_cs1k-webgpu-v0_2_86.wasm",
      requiredFeatures: ["shader-f16"],
      contextWindow: 2048,
    });
    expect((catalog.models[2] as CuteGptEntry).requiredFeatures).toEqual([]);
    expect(entry.vramMB).toBeGreaterThan(9000);
    expect(entry.vramMB).toBeLessThan(10500);
    expect(entry.integrity.config).toBe(sri("sha384", join(main, "mlc-chat-config.json")));
    expect(entry.integrity.tokenizer).toBe(sri("sha384", join(main, "tokenizer.json")));
    expect(entry.integrity.modelLib).toBe(sri("sha384", wasm));
    // Hashes are of the re-cut shards, the files the app downloads.
    expect(entry.integrity.shards["params_shard_0.bin"]).toBe(
      sri("sha256", join(main, "params_shard_0.bin")),
    );
    expect(Object.keys(entry.integrity.shards)).toHaveLength(1);
    expect(readJson<Catalog>(".model-build/out/catalog.json").models).toHaveLength(4);
    expect(readFileSync(join(tmp.dir, ".model-build/model-build.log"), "utf8")).toContain(
      "convert_weight",
    );
  });

  it("skips every finished step on a second run", async () => {
    expect((await run(IFT)).code).toBe(0);
    resetCalls();
    const again = await run(IFT);
    expect(again.code).toBe(0);
    expect(buildCalls(rec)).toEqual([]);
    expect(again.output).toMatch(
      /convert and quantize weights: already done \(verified\), skipped/,
    );
  });

  it("redoes a step whose output changed, and everything after it", async () => {
    expect((await run(IFT)).code).toBe(0);
    rmSync(join(tmp.dir, ".model-build/gen/CuteGPT-13B-ift-q4f16_1-MLC/tokenizer.json"));
    resetCalls();
    expect((await run(IFT)).code).toBe(0);
    expect(buildCalls(rec)).toEqual([
      "gen_config CuteGPT-13B-ift-q4f16_1-MLC",
      "compile CuteGPT-13B-ift-q4f16_1-ctx2k_cs1k-webgpu-v0_2_86.wasm",
    ]);
  });
});

describe("failures and resume", () => {
  it("reports a failing command clearly and resumes where it stopped", async () => {
    const failed = await run(IFT, { FAKE_MLC_FAIL: "compile:exit" });
    expect(failed.code).toBe(1);
    expect(failed.output).toMatch(
      /\[command-failed\]: ift q4f16_1: compile the WebGPU library failed: mlc_llm exited with code 1/,
    );
    expect(failed.output).toContain("emcc exited with 1");
    expect(failed.output).toMatch(/run the same command again: finished steps are kept/);
    expect(existsSync(join(tmp.dir, "public/models/catalog.json"))).toBe(false);

    resetCalls();
    const resumed = await run(IFT);
    expect(resumed.code).toBe(0);
    expect(buildCalls(rec)).toEqual([
      "compile CuteGPT-13B-ift-q4f16_1-ctx2k_cs1k-webgpu-v0_2_86.wasm",
    ]);
    expect(readJson<Catalog>("public/models/catalog.json").models).toHaveLength(1);
  });

  it("cleans a half-written conversion before redoing it", async () => {
    const failed = await run(IFT, { FAKE_MLC_FAIL: "convert_weight:exit" });
    expect(failed.code).toBe(1);
    expect(failed.output).toContain("out of memory while quantizing");
    resetCalls();
    expect((await run(IFT)).code).toBe(0);
    expect(buildCalls(rec)[0]).toBe("convert_weight CuteGPT-13B-ift-q4f16_1-MLC");
    const shard = join(
      tmp.dir,
      ".model-build/out/CuteGPT-13B-ift-q4f16_1-MLC/resolve/main/params_shard_0.bin",
    );
    // All three shards, whole, in the one re-cut shard (the broken one had 10 bytes).
    expect(readFileSync(shard).length).toBeGreaterThan(3 * 50 * 10);
  });

  it("does not trust a command that exits 0 with missing shards", async () => {
    const failed = await run(IFT, { FAKE_MLC_FAIL: "convert_weight:partial" });
    expect(failed.code).toBe(1);
    expect(failed.output).toMatch(/\[incomplete-output\].*params_shard_1\.bin is missing/);
    resetCalls();
    const resumed = await run(IFT);
    expect(resumed.code).toBe(0);
    expect(buildCalls(rec)).toContain("convert_weight CuteGPT-13B-ift-q4f16_1-MLC");
  });

  it("does not trust a compile that wrote something other than wasm", async () => {
    const failed = await run(IFT, { FAKE_MLC_FAIL: "compile:partial" });
    expect(failed.code).toBe(1);
    expect(failed.output).toMatch(/not a WebAssembly module/);
  });

  it("reports a failed LoRA merge", async () => {
    const r = await run(
      ["--variants", "lora-merged", "--quantizations", "q4f16_1", "--checkpoints", CHECKPOINTS],
      {
        FAKE_PY_FAIL: "merge",
      },
    );
    expect(r.code).toBe(1);
    expect(r.output).toMatch(/merge .* failed: .*python3 exited with code 1/s);
    expect(r.output).toContain("not enough memory");
  });
});

describe("preflight", () => {
  const problems = async (
    argv: string[],
    extra: NodeJS.ProcessEnv,
    system?: Parameters<typeof cli>[3],
  ) => {
    const r = await run(argv, extra, system);
    expect(r.code).toBe(1);
    expect(r.output).toContain("[preflight]");
    expect(buildCalls(rec)).toEqual([]);
    return r.output;
  };

  it("stops when mlc_llm is missing", async () => {
    const env = {
      PATH: standInEnv(rec).PATH?.replace(join(FIXTURES, "bin"), join(tmp.dir, "empty")),
    };
    expect(await problems(IFT, env)).toMatch(/mlc_llm is not on PATH/);
  });

  it("stops when mlc_llm cannot be imported or is too old for web-llm 0.2.86", async () => {
    expect(await problems(IFT, { FAKE_MLC_VERSION: "none" })).toMatch(/cannot import mlc_llm/);
    expect(await problems(IFT, { FAKE_MLC_VERSION: "0.18.1", FAKE_TVM_FFI: "0" })).toMatch(
      /mlc_llm 0\.18\.1 .* predates the TVM FFI runtime.*web-llm 0\.2\.86/s,
    );
  });

  it("stops when emscripten or the TVM web runtime is absent", async () => {
    const out = await problems(IFT, {
      TVM_SOURCE_DIR: join(tmp.dir, "no-tvm"),
      MLC_LLM_SOURCE_DIR: undefined,
    });
    expect(out).toMatch(/wasm_runtime\.bc, tvmjs_support\.bc, webgpu_runtime\.bc missing/);
    expect(out).toMatch(/MLC_LLM_SOURCE_DIR is not set/);
  });

  it("stops when the disk is too small", async () => {
    const out = await problems(IFT, {}, { freeDiskBytes: () => 0 });
    expect(out).toMatch(/Disk: the remaining steps need about .* GB but .* has 0\.0 GB free/);
  });

  it("stops the LoRA merge on too little RAM or missing peft", async () => {
    const argv = ["--variants", "lora-merged", "--checkpoints", CHECKPOINTS];
    expect(await problems(argv, {}, { totalMemBytes: () => 2e9 })).toMatch(
      /merge needs about .* RAM; this machine has 2\.0 GB/,
    );
    expect(await problems(argv, { FAKE_NO_PEFT: "1" })).toMatch(/LoRA merge needs peft/);
  });

  it("stops the native step without a GPU", async () => {
    expect(await problems(["bench", "--native", "cuda", ...IFT], {})).toMatch(
      /No cuda GPU is visible/,
    );
  });

  it("stops when a checkpoint is missing and cannot be downloaded", async () => {
    const out = await problems(["--variants", "ift", "--checkpoints", join(tmp.dir, "none")], {});
    expect(out).toMatch(/XuYipei\/kw-cutegpt-13b-ift is not in .* neither hf nor huggingface-cli/);
  });
});

describe("bench", () => {
  it("compiles the native library and reports prefill and decode speed", async () => {
    const r = await run(["bench", "--native", "cuda", ...IFT], { FAKE_GPU: "cuda" });
    expect(r.code).toBe(0);
    expect(buildCalls(rec)).toContain("compile CuteGPT-13B-ift-q4f16_1-ctx2k_cs1k-cuda.so");
    expect(r.output).toMatch(/prefill 812\.5 tok\/s, decode 31\.2 tok\/s/);
    expect(readJson<unknown[]>(".model-build/out/bench-native.json")).toEqual([
      {
        modelId: "CuteGPT-13B-ift-q4f16_1-MLC",
        device: "cuda",
        prefillTokensPerSecond: 812.5,
        decodeTokensPerSecond: 31.2,
      },
    ]);
    expect(
      invocations(rec).some((i) => i.argv.includes("--device") && i.argv.includes("webgpu")),
    ).toBe(true);
  });
});
