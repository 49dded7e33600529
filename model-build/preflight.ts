import { execFile } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { isAbsolute, join, relative } from "node:path";
import { BuildError } from "./errors";
import type { Quantization } from "./options";
import { SCRIPTS, type Plan, type Step } from "./plan";
import { which, type System } from "./runner";

/** What probe_env.py reports about the Python side. */
export interface ProbeResult {
  mlc_llm: string | null;
  mlc_llm_error?: string;
  tvm: string | null;
  tvm_ffi: boolean;
  peft: boolean;
  torch: boolean;
  transformers: boolean;
  cuda: boolean;
  vulkan: boolean;
}

export function probePython(python: string, system: System): Promise<ProbeResult> {
  return new Promise((resolve, reject) => {
    execFile(
      python,
      [SCRIPTS.probe],
      { cwd: system.cwd, env: system.env },
      (error, stdout, stderr) => {
        if (error) {
          reject(new Error(`${python} ${SCRIPTS.probe} failed: ${stderr.trim() || error.message}`));
          return;
        }
        try {
          resolve(JSON.parse(stdout.trim().split("\n").pop() ?? "") as ProbeResult);
        } catch {
          reject(new Error(`probe_env.py printed no JSON: ${stdout.slice(0, 200)}`));
        }
      },
    );
  });
}

const GB = 1e9;
/** fp16 13B weights, used until a checkpoint is on disk to be measured. */
const NOMINAL_FP16_BYTES = 26 * GB;
const NOMINAL_LORA_BYTES = 0.1 * GB;
/** Bytes per fp16 byte after q4 group quantization (4.5 or 5 bits of 16). */
const QUANT_RATIO: Record<Quantization, number> = { q4f16_1: 0.5625 / 2, q4f32_1: 0.625 / 2 };

export function weightBytes(dir: string): number | undefined {
  if (!existsSync(dir)) return undefined;
  let total = 0;
  for (const f of readdirSync(dir)) {
    if (/\.(safetensors|bin)$/.test(f)) total += statSync(join(dir, f)).size;
  }
  return total > 0 ? total : undefined;
}

/** Bytes the pending steps will add to the disk; hard links may make layout free in practice. */
export function estimateDiskBytes(plan: Plan, pending: (step: Step) => boolean): number {
  const ckpt = (role: "base" | "ift" | "lora") => plan.checkpoints.find((c) => c.role === role);
  const source = (variant: "ift" | "lora-merged") =>
    weightBytes(ckpt(variant === "ift" ? "ift" : "base")?.dir ?? "") ?? NOMINAL_FP16_BYTES;
  let total = 0;
  for (const step of plan.steps) {
    if (!pending(step)) continue;
    const b = step.build;
    if (step.kind === "checkpoint") {
      total += step.role === "lora" ? NOMINAL_LORA_BYTES : NOMINAL_FP16_BYTES;
    } else if (step.kind === "merge") {
      total += source("lora-merged");
    } else if ((step.kind === "convert" || step.kind === "layout") && b !== undefined) {
      total += source(b.variant) * QUANT_RATIO[b.quantization];
    }
  }
  return total;
}

const fmtGB = (bytes: number) => `${(bytes / GB).toFixed(1)} GB`;

export interface PreflightReport {
  problems: string[];
  notes: string[];
  probe: ProbeResult | undefined;
  /** `hf` when present, else the older `huggingface-cli`. */
  downloader: string | undefined;
}

/**
 * Checks only what the pending steps need, so a resumed run on a smaller machine is not
 * blocked by a merge that already finished.
 */
export async function preflight(
  plan: Plan,
  system: System,
  pending: (step: Step) => boolean,
): Promise<PreflightReport> {
  const problems: string[] = [];
  const notes: string[] = [];
  const todo = plan.steps.filter(pending);
  const needs = (kind: Step["kind"]) => todo.some((s) => s.kind === kind);
  const needsMlc = todo.some((s) => s.commands.some((c) => c.program === plan.mlcLlm));
  const needsPython = needs("merge") || needs("bench");

  let probe: ProbeResult | undefined;
  const mlcPath = which(plan.mlcLlm, system.env);
  if (needsMlc && mlcPath === undefined) {
    problems.push(
      "mlc_llm is not on PATH. Install MLC LLM (README: Requirements) and activate its Python environment.",
    );
  }
  if ((needsMlc || needsPython) && which(plan.python, system.env) === undefined) {
    problems.push(`${plan.python} is not on PATH; pass --python <interpreter that has mlc_llm>.`);
  } else if (needsMlc || needsPython) {
    try {
      probe = await probePython(plan.python, system);
    } catch (error) {
      problems.push(`Could not inspect the Python environment: ${(error as Error).message}`);
    }
  }
  if (probe !== undefined && needsMlc) {
    if (probe.mlc_llm === null) {
      problems.push(
        `${plan.python} cannot import mlc_llm (${probe.mlc_llm_error ?? "not installed"}). ` +
          "Use --python with the interpreter mlc_llm was installed into.",
      );
    } else if (!probe.tvm_ffi) {
      problems.push(
        `mlc_llm ${probe.mlc_llm} (TVM ${probe.tvm ?? "?"}) predates the TVM FFI runtime. ` +
          "The pinned @mlc-ai/web-llm 0.2.86 only loads wasm built against tvm_ffi; install a " +
          "current mlc-llm nightly (README: Requirements).",
      );
    } else {
      notes.push(`mlc_llm ${probe.mlc_llm}, TVM ${probe.tvm ?? "?"} with tvm_ffi`);
    }
  }

  if (needs("compile")) {
    if (which("emcc", system.env) === undefined) {
      problems.push(
        "emcc (Emscripten) is not on PATH; the WebGPU compile links the model into wasm with it. " +
          "Install emsdk and `source emsdk_env.sh` (README: Requirements).",
      );
    }
    const tvmDir = system.env.TVM_SOURCE_DIR ?? system.env.TVM_HOME;
    const mlcDir = system.env.MLC_LLM_SOURCE_DIR ?? system.env.MLC_LLM_HOME;
    const tvmBc = ["wasm_runtime.bc", "tvmjs_support.bc", "webgpu_runtime.bc"];
    if (tvmDir === undefined) {
      problems.push(
        "TVM_SOURCE_DIR is not set; it must point at the TVM source whose web runtime was built " +
          "(mlc-llm/3rdparty/tvm after ./web/prep_emcc_deps.sh).",
      );
    } else {
      const missing = tvmBc.filter((f) => !existsSync(join(tvmDir, "web", "dist", "wasm", f)));
      if (missing.length > 0) {
        problems.push(
          `The TVM web runtime is not built: ${missing.join(", ")} missing in $TVM_SOURCE_DIR/web/dist/wasm. ` +
            "Run ./web/prep_emcc_deps.sh in the mlc-llm checkout.",
        );
      }
    }
    if (mlcDir === undefined) {
      problems.push("MLC_LLM_SOURCE_DIR is not set; it must point at the mlc-llm checkout.");
    } else if (!existsSync(join(mlcDir, "web", "dist", "wasm", "mlc_wasm_runtime.bc"))) {
      problems.push(
        "mlc_wasm_runtime.bc is missing in $MLC_LLM_SOURCE_DIR/web/dist/wasm; run ./web/prep_emcc_deps.sh.",
      );
    }
  }

  let downloader: string | undefined;
  for (const c of plan.checkpoints) {
    const step = plan.steps.find((s) => s.id === `checkpoint:${c.role}`);
    if (step === undefined || c.present) continue;
    if (c.provided) {
      problems.push(
        `--${c.role} points at ${c.dir}, which holds no ${c.role === "lora" ? "adapter_config.json and adapter weights" : "config.json, weights and tokenizer"}.`,
      );
      continue;
    }
    downloader ??= which("hf", system.env)
      ? "hf"
      : which("huggingface-cli", system.env)
        ? "huggingface-cli"
        : undefined;
    if (downloader === undefined) {
      problems.push(
        `${c.repo} is not in ${c.dir} and neither hf nor huggingface-cli is installed to download it ` +
          "(pip install -U huggingface_hub), or pass --checkpoints / --" +
          c.role +
          ".",
      );
    }
  }

  if (needs("merge") && probe !== undefined) {
    const missing = (["torch", "transformers", "peft"] as const).filter((m) => !probe[m]);
    if (missing.length > 0) {
      problems.push(
        `The LoRA merge needs ${missing.join(", ")} in ${plan.python} (pip install ${missing.join(" ")}).`,
      );
    }
  }
  if (needs("merge")) {
    const base =
      weightBytes(plan.checkpoints.find((c) => c.role === "base")?.dir ?? "") ?? NOMINAL_FP16_BYTES;
    // The fp16 model sits in RAM once, plus transient copies while layers are merged and saved.
    const needRam = base * 1.25 + 4 * GB;
    const haveRam = system.totalMemBytes();
    if (haveRam < needRam) {
      problems.push(
        `The LoRA merge needs about ${fmtGB(needRam)} of RAM; this machine has ${fmtGB(haveRam)}. ` +
          "Build --variants ift here, or merge elsewhere and pass the merged folder with --ift.",
      );
    }
  }

  const native = plan.options.native;
  if (
    (needs("native") || needs("bench")) &&
    native !== undefined &&
    probe !== undefined &&
    !probe[native]
  ) {
    problems.push(
      `No ${native} GPU is visible to TVM; the native step needs one. Drop --native or run on the GPU machine.`,
    );
  }

  const needDisk = estimateDiskBytes(plan, pending) * 1.1;
  // The output folder usually lives inside the work folder; then one check covers both.
  const inside = relative(plan.workDir, plan.outDir);
  const dirs =
    inside.startsWith("..") || isAbsolute(inside) ? [plan.workDir, plan.outDir] : [plan.workDir];
  for (const dir of dirs) {
    const free = system.freeDiskBytes(dir);
    if (free < needDisk) {
      problems.push(
        `Disk: the remaining steps need about ${fmtGB(needDisk)} but ${dir} has ${fmtGB(free)} free. ` +
          "Free space or point --work/--out at a bigger disk.",
      );
    } else {
      notes.push(`disk: ${fmtGB(needDisk)} needed, ${fmtGB(free)} free at ${dir}`);
    }
  }
  return { problems, notes, probe, downloader };
}

export function assertPreflight(report: PreflightReport): void {
  if (report.problems.length === 0) return;
  throw new BuildError(
    "preflight",
    `Preflight found ${report.problems.length} problem(s); no step was run:\n` +
      report.problems.map((p) => `  - ${p}`).join("\n"),
  );
}
