import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseOptions } from "../../../model-build/options";
import { buildPlan, type Plan } from "../../../model-build/plan";
import { realSystem } from "../../../model-build/runner";
import { CHECKPOINTS, cli, standInEnv, tempDir } from "./helpers";

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir();
});
afterEach(() => tmp.cleanup());

function plan(argv: string[]): Plan {
  return buildPlan(parseOptions(argv), realSystem(tmp.dir, standInEnv(join(tmp.dir, "rec"))));
}

const argvOf = (p: Plan, id: string) => {
  const step = p.steps.find((s) => s.id === id);
  if (step === undefined) throw new Error(`no step ${id}`);
  return step.commands.map((c) => [c.program, ...c.args]);
};

describe("build plan", () => {
  it("covers both variants at both quantizations by default, in dependency order", () => {
    const p = plan([]);
    expect(p.builds.map((b) => b.modelId)).toEqual([
      "CuteGPT-13B-ift-q4f16_1-MLC",
      "CuteGPT-13B-ift-q4f32_1-MLC",
      "CuteGPT-13B-lora-merged-q4f16_1-MLC",
      "CuteGPT-13B-lora-merged-q4f32_1-MLC",
    ]);
    const ids = p.steps.map((s) => s.id);
    expect(ids.slice(0, 4)).toEqual([
      "checkpoint:ift",
      "checkpoint:base",
      "checkpoint:lora",
      "merge:lora",
    ]);
    expect(ids.at(-1)).toBe("catalog");
    for (const s of p.steps)
      for (const d of s.deps) expect(ids.indexOf(d)).toBeLessThan(ids.indexOf(s.id));
  });

  it("uses MLC LLM's documented command lines", () => {
    const p = plan([]);
    const b = p.builds[0];
    if (b === undefined) throw new Error("no build");
    expect(argvOf(p, "convert:ift:q4f16_1")).toEqual([
      ["mlc_llm", "convert_weight", b.sourceDir, "--quantization", "q4f16_1", "-o", b.convertDir],
    ]);
    expect(argvOf(p, "gen_config:ift:q4f16_1")).toEqual([
      [
        "mlc_llm",
        "gen_config",
        b.sourceDir,
        "--quantization",
        "q4f16_1",
        "--conv-template",
        "LM",
        "--context-window-size",
        "2048",
        "--prefill-chunk-size",
        "1024",
        "-o",
        b.genDir,
      ],
    ]);
    expect(argvOf(p, "compile:ift:q4f16_1")).toEqual([
      [
        "mlc_llm",
        "compile",
        join(b.webDir, "mlc-chat-config.json"),
        "--device",
        "webgpu",
        "-o",
        b.wasmPath,
      ],
    ]);
    expect(b.wasmName).toBe("CuteGPT-13B-ift-q4f16_1-ctx2k_cs1k-webgpu-v0_2_86.wasm");
    expect(
      b.outModelDir.endsWith(join("out", "CuteGPT-13B-ift-q4f16_1-MLC", "resolve", "main")),
    ).toBe(true);
    expect(b.outWasmPath.endsWith(join("out", "libs", b.wasmName))).toBe(true);
  });

  it("builds the LoRA variant from the merged checkpoint", () => {
    const p = plan([
      "--variants",
      "lora-merged",
      "--quantizations",
      "q4f32_1",
      "--checkpoints",
      CHECKPOINTS,
    ]);
    expect(p.checkpoints.map((c) => [c.role, c.present])).toEqual([
      ["base", true],
      ["lora", true],
    ]);
    const merge = argvOf(p, "merge:lora")[0] ?? [];
    expect(merge[1]?.endsWith("merge_lora.py")).toBe(true);
    expect(merge.slice(2)).toEqual([
      "--base",
      join(CHECKPOINTS, "XuYipei/kw-cutegpt-13b-base"),
      "--lora",
      join(CHECKPOINTS, "Abbey4799/kw-cutegpt-13b-ift-lora"),
      "--out",
      join(tmp.dir, ".model-build/merged/kw-cutegpt-13b-lora-merged"),
    ]);
    const convert = p.steps.find((s) => s.id === "convert:lora-merged:q4f32_1");
    expect(convert?.deps).toEqual(["merge:lora"]);
    expect(convert?.commands[0]?.args[1]).toBe(
      join(tmp.dir, ".model-build/merged/kw-cutegpt-13b-lora-merged"),
    );
    expect(p.steps.some((s) => s.id.includes("ift:"))).toBe(false);
  });

  it("plans only the ift checkpoint and no merge for the ift variant", () => {
    const p = plan(["--variants", "ift", "--checkpoints", CHECKPOINTS]);
    expect(p.checkpoints.map((c) => c.role)).toEqual(["ift"]);
    expect(p.steps.find((s) => s.kind === "merge")).toBeUndefined();
    expect(argvOf(p, "checkpoint:ift")).toEqual([]);
  });

  it("downloads missing checkpoints with the Hugging Face CLI", () => {
    const p = plan(["--variants", "ift"]);
    expect(argvOf(p, "checkpoint:ift")).toEqual([
      [
        "hf",
        "download",
        "XuYipei/kw-cutegpt-13b-ift",
        "--local-dir",
        join(tmp.dir, ".model-build/checkpoints/XuYipei/kw-cutegpt-13b-ift"),
      ],
    ]);
  });

  it("adds native compiles with --native and benchmarks with bench", () => {
    const p = plan([
      "bench",
      "--native",
      "cuda",
      "--variants",
      "ift",
      "--quantizations",
      "q4f16_1",
    ]);
    const native = argvOf(p, "native:ift:q4f16_1")[0] ?? [];
    expect(native.slice(0, 5)).toEqual([
      "mlc_llm",
      "compile",
      expect.stringContaining("mlc-chat-config.json"),
      "--device",
      "cuda",
    ]);
    expect(native.at(-1)?.endsWith("-cuda.so")).toBe(true);
    const bench = argvOf(p, "bench:ift:q4f16_1")[0] ?? [];
    expect(bench[1]?.endsWith("bench_native.py")).toBe(true);
    expect(bench).toContain("--model-lib");
  });

  it("rejects unknown variants, quantizations and commands with usage errors", async () => {
    expect(() => parseOptions(["--quantizations", "q8f16_1"])).toThrow(/q4f16_1, q4f32_1/);
    expect(() => parseOptions(["--variants", "base"])).toThrow(/ift, lora-merged/);
    const r = await cli(["frobnicate"], tmp.dir, standInEnv(join(tmp.dir, "rec")));
    expect(r.code).toBe(2);
    expect(r.output).toMatch(/Unknown command "frobnicate"/);
  });
});

describe("--dry-run", () => {
  it("prints every step and command line and touches nothing", async () => {
    const rec = join(tmp.dir, "rec");
    const r = await cli(["--dry-run"], tmp.dir, standInEnv(rec));
    expect(r.code).toBe(0);
    expect(r.output).toMatch(/\[1\/29\] checkpoint XuYipei\/kw-cutegpt-13b-ift/);
    expect(r.output).toContain(
      "$ hf download XuYipei/kw-cutegpt-13b-base --local-dir .model-build/checkpoints/XuYipei/kw-cutegpt-13b-base",
    );
    expect(r.output).toContain(
      "$ mlc_llm convert_weight .model-build/merged/kw-cutegpt-13b-lora-merged --quantization q4f32_1 -o .model-build/convert/CuteGPT-13B-lora-merged-q4f32_1-MLC",
    );
    expect(r.output).toContain(
      "$ mlc_llm compile .model-build/web/CuteGPT-13B-ift-q4f16_1-MLC/mlc-chat-config.json --device webgpu -o .model-build/libs/CuteGPT-13B-ift-q4f16_1-ctx2k_cs1k-webgpu-v0_2_86.wasm",
    );
    expect(
      r.output.match(
        /\$ mlc_llm gen_config .* --context-window-size 2048 --prefill-chunk-size 1024/g,
      ),
    ).toHaveLength(4);
    expect(r.output).toContain("[29/29] merge entries into the catalog");
    expect(r.output).toContain("Dry run: nothing was run or written.");
    // Only the preflight probe may run; no file appears in the sandbox.
    expect(readdirSync(tmp.dir).filter((f) => f !== "rec")).toEqual([]);
    expect(existsSync(join(tmp.dir, "public"))).toBe(false);
  });
});
