import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  CHECKPOINTS,
  CONTEXT_WINDOW,
  PREFILL_CHUNK,
  type CheckpointRole,
  type Options,
  type Quantization,
  type Variant,
} from "./options";
import { displayPath, formatCommand, which, type ExternalCommand, type System } from "./runner";
import { META } from "./template";

export type StepKind =
  | "checkpoint"
  | "merge"
  | "convert"
  | "gen_config"
  | "template"
  | "compile"
  | "native"
  | "layout"
  | "integrity"
  | "catalog"
  | "bench";

/** One model the run produces: a variant at one quantization, and where each stage puts it. */
export interface Build {
  variant: Variant;
  quantization: Quantization;
  modelId: string;
  name: string;
  sourceDir: string;
  convertDir: string;
  genDir: string;
  webDir: string;
  wasmName: string;
  wasmPath: string;
  nativeLibPath: string | undefined;
  outModelDir: string;
  outWasmPath: string;
  entryFile: string;
}

export interface Step {
  id: string;
  kind: StepKind;
  title: string;
  /** A step reruns whenever one of these ran in the same invocation. */
  deps: string[];
  commands: ExternalCommand[];
  /** Commands run only when a condition found at run time asks for them. */
  conditionalCommands: { when: string; command: ExternalCommand }[];
  /** What the step does itself, for the dry-run. */
  actions: string[];
  outputs: string[];
  build?: Build;
  role?: CheckpointRole;
}

export interface CheckpointInfo {
  role: CheckpointRole;
  repo: string;
  dir: string;
  provided: boolean;
  present: boolean;
}

export interface Plan {
  options: Options;
  workDir: string;
  outDir: string;
  catalogFile: string;
  logFile: string;
  stateDir: string;
  python: string;
  mlcLlm: string;
  checkpoints: CheckpointInfo[];
  builds: Build[];
  steps: Step[];
}

const HERE = fileURLToPath(new URL(".", import.meta.url));
export const SCRIPTS = {
  probe: join(HERE, "probe_env.py"),
  merge: join(HERE, "merge_lora.py"),
  tokenizer: join(HERE, "make_tokenizer_json.py"),
  bench: join(HERE, "bench_native.py"),
};

/** The prompt the native benchmark decodes from: a real CuteGPT turn, not a toy string. */
export const BENCH_PROMPT = META + "问：请推荐五本名著，并简要说明推荐理由。\n答：\n";

const WEIGHT_FILE = /\.(safetensors|bin)$/;

export function looksLikeCheckpoint(dir: string, role: CheckpointRole | "merged"): boolean {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return false;
  const files = readdirSync(dir);
  if (role === "lora") {
    return (
      files.includes("adapter_config.json") &&
      files.some((f) => f.startsWith("adapter_model") && WEIGHT_FILE.test(f))
    );
  }
  return (
    files.includes("config.json") &&
    files.some((f) => WEIGHT_FILE.test(f) && !f.startsWith("training_args")) &&
    (files.includes("tokenizer.model") || files.includes("tokenizer.json"))
  );
}

/**
 * The interpreter that runs mlc_llm is the one that has its packages; a pip-installed
 * `mlc_llm` script names it on its first line.
 */
export function resolvePython(options: Options, system: System): string {
  if (options.python !== undefined) return options.python;
  const mlc = which("mlc_llm", system.env);
  if (mlc !== undefined) {
    try {
      const first = readFileSync(mlc, "utf8").slice(0, 300).split("\n")[0] ?? "";
      const match = /^#!\s*(\S*python[\w.]*)\s*$/.exec(first);
      if (match?.[1] !== undefined && existsSync(match[1])) return match[1];
    } catch {
      // a binary launcher; fall back to python3
    }
  }
  return "python3";
}

function variantLabel(variant: Variant): string {
  return variant === "ift" ? "instruction-tuned" : "LoRA merged";
}

function contextTag(): string {
  return `ctx${CONTEXT_WINDOW / 1024}k_cs${PREFILL_CHUNK / 1024}k`;
}

export function buildPlan(options: Options, system: System): Plan {
  const abs = (p: string) => resolve(system.cwd, p);
  const workDir = abs(options.workDir);
  const outDir = abs(options.outDir);
  const python = resolvePython(options, system);
  const mlcLlm = "mlc_llm";

  const roles = new Set<CheckpointRole>();
  if (options.variants.includes("ift")) roles.add("ift");
  if (options.variants.includes("lora-merged")) {
    roles.add("base");
    roles.add("lora");
  }
  const checkpoints: CheckpointInfo[] = (["ift", "base", "lora"] as const)
    .filter((role) => roles.has(role))
    .map((role) => {
      const given = options.checkpointPaths[role];
      const dir =
        given !== undefined ? abs(given) : join(abs(options.checkpointsDir), CHECKPOINTS[role]);
      return {
        role,
        repo: CHECKPOINTS[role],
        dir,
        provided: given !== undefined,
        present: looksLikeCheckpoint(dir, role),
      };
    });
  const checkpointDir = (role: CheckpointRole) =>
    checkpoints.find((c) => c.role === role)?.dir ?? "";

  const steps: Step[] = [];
  const step = (s: Partial<Step> & Pick<Step, "id" | "kind" | "title">): Step => {
    const full: Step = {
      deps: [],
      commands: [],
      conditionalCommands: [],
      actions: [],
      outputs: [],
      ...s,
    };
    steps.push(full);
    return full;
  };

  for (const c of checkpoints) {
    step({
      id: `checkpoint:${c.role}`,
      kind: "checkpoint",
      title: `checkpoint ${c.repo}`,
      role: c.role,
      commands: c.present
        ? []
        : [{ program: "hf", args: ["download", c.repo, "--local-dir", c.dir] }],
      actions: [`${c.present ? "use" : "download into"} ${displayPath(c.dir, system.cwd)}`],
      outputs: [c.dir],
    });
  }

  const mergedDir = join(workDir, "merged", "kw-cutegpt-13b-lora-merged");
  if (options.variants.includes("lora-merged")) {
    step({
      id: "merge:lora",
      kind: "merge",
      title: `merge ${CHECKPOINTS.lora} into ${CHECKPOINTS.base}`,
      deps: ["checkpoint:base", "checkpoint:lora"],
      commands: [
        {
          program: python,
          args: [
            SCRIPTS.merge,
            "--base",
            checkpointDir("base"),
            "--lora",
            checkpointDir("lora"),
            "--out",
            mergedDir,
          ],
        },
      ],
      actions: ["peft merge_and_unload in fp16 on the CPU; tokenizer taken from the adapter"],
      outputs: [mergedDir],
    });
  }

  const builds: Build[] = [];
  for (const variant of options.variants) {
    for (const quantization of options.quantizations) {
      const modelId = `CuteGPT-13B-${variant}-${quantization}-MLC`;
      const stem = `CuteGPT-13B-${variant}-${quantization}-${contextTag()}`;
      const wasmName = `${stem}-webgpu-${options.libVersion}.wasm`;
      const build: Build = {
        variant,
        quantization,
        modelId,
        name: `CuteGPT 13B · ${variantLabel(variant)} · ${quantization}`,
        sourceDir: variant === "ift" ? checkpointDir("ift") : mergedDir,
        convertDir: join(workDir, "convert", modelId),
        genDir: join(workDir, "gen", modelId),
        webDir: join(workDir, "web", modelId),
        wasmName,
        wasmPath: join(workDir, "libs", wasmName),
        nativeLibPath:
          options.native === undefined
            ? undefined
            : join(workDir, "libs", `${stem}-${options.native}.so`),
        outModelDir: join(outDir, modelId, "resolve", "main"),
        outWasmPath: join(outDir, "libs", wasmName),
        entryFile: join(workDir, "entries", `${modelId}.json`),
      };
      builds.push(build);
      const source = variant === "ift" ? "checkpoint:ift" : "merge:lora";
      const key = `${variant}:${quantization}`;
      const label = `${variant} ${quantization}`;
      step({
        id: `convert:${key}`,
        kind: "convert",
        title: `${label}: convert and quantize weights`,
        build,
        deps: [source],
        commands: [
          {
            program: mlcLlm,
            args: [
              "convert_weight",
              build.sourceDir,
              "--quantization",
              quantization,
              "-o",
              build.convertDir,
            ],
          },
        ],
        outputs: [build.convertDir],
      });
      step({
        id: `gen_config:${key}`,
        kind: "gen_config",
        title: `${label}: generate mlc-chat-config.json`,
        build,
        deps: [source],
        commands: [
          {
            program: mlcLlm,
            args: [
              "gen_config",
              build.sourceDir,
              "--quantization",
              quantization,
              // A placeholder accepted by every mlc_llm; the next step replaces it.
              "--conv-template",
              "LM",
              "--context-window-size",
              String(CONTEXT_WINDOW),
              "--prefill-chunk-size",
              String(PREFILL_CHUNK),
              "-o",
              build.genDir,
            ],
          },
        ],
        outputs: [build.genDir],
      });
      step({
        id: `template:${key}`,
        kind: "template",
        title: `${label}: write the CuteGPT conversation template and stop ids`,
        build,
        deps: [`gen_config:${key}`],
        conditionalCommands: [
          {
            when: "gen_config left no tokenizer.json",
            command: {
              program: python,
              args: [
                SCRIPTS.tokenizer,
                "--model",
                build.sourceDir,
                "--out",
                join(build.webDir, "tokenizer.json"),
              ],
            },
          },
        ],
        actions: [
          'conv_template: system "{system_message}" = META without its final newline, roles ' +
            'user "\\n问：" / assistant "\\n答：\\n", seps [""], no system_prefix_token_ids',
          "stop_str and stop_token_ids for <end>, <s>, </s> read from tokenizer.json; <end> made atomic",
          `check context_window_size=${CONTEXT_WINDOW}, prefill_chunk_size=${PREFILL_CHUNK}; sliding_window_size=-1`,
        ],
        outputs: [build.webDir],
      });
      step({
        id: `compile:${key}`,
        kind: "compile",
        title: `${label}: compile the WebGPU library`,
        build,
        deps: [`template:${key}`],
        commands: [
          {
            program: mlcLlm,
            args: [
              "compile",
              join(build.webDir, "mlc-chat-config.json"),
              "--device",
              "webgpu",
              "-o",
              build.wasmPath,
            ],
          },
        ],
        outputs: [build.wasmPath],
      });
      if (build.nativeLibPath !== undefined && options.native !== undefined) {
        step({
          id: `native:${key}`,
          kind: "native",
          title: `${label}: compile the native ${options.native} library`,
          build,
          deps: [`template:${key}`],
          commands: [
            {
              program: mlcLlm,
              args: [
                "compile",
                join(build.webDir, "mlc-chat-config.json"),
                "--device",
                options.native,
                "-o",
                build.nativeLibPath,
              ],
            },
          ],
          outputs: [build.nativeLibPath],
        });
      }
      step({
        id: `layout:${key}`,
        kind: "layout",
        title: `${label}: lay out ${modelId}/resolve/main and libs/${wasmName}`,
        build,
        deps: [`convert:${key}`, `template:${key}`, `compile:${key}`],
        actions: [
          options.shardMB > 0
            ? `re-cut weight shards to at most ${options.shardMB} MB (tensors unchanged, tensor-cache.json rewritten)`
            : "hard-link (or copy) shards and tensor-cache.json",
          "hard-link (or copy) config and tokenizer files",
        ],
        outputs: [build.outModelDir, build.outWasmPath],
      });
      step({
        id: `integrity:${key}`,
        kind: "integrity",
        title: `${label}: integrity, download size, VRAM estimate`,
        build,
        deps: [`layout:${key}`],
        actions: [
          `SRI (${options.sri}) of config, wasm, tokenizer.json; sha256 of every shard`,
          `VRAM = weights + KV cache at ${CONTEXT_WINDOW} tokens, from the source config.json`,
        ],
        outputs: [build.entryFile],
      });
    }
  }
  const catalogFile = abs(options.catalogFile);
  step({
    id: "catalog",
    kind: "catalog",
    title: "merge entries into the catalog",
    deps: builds.map((b) => `integrity:${b.variant}:${b.quantization}`),
    actions: [
      `replace CuteGPT entries by id in ${displayPath(catalogFile, system.cwd)}, keep every other entry`,
      `same for ${displayPath(join(outDir, "catalog.json"), system.cwd)}`,
    ],
    outputs: [],
  });
  if (options.command === "bench") {
    for (const build of builds) {
      if (build.nativeLibPath === undefined || options.native === undefined) continue;
      step({
        id: `bench:${build.variant}:${build.quantization}`,
        kind: "bench",
        title: `${build.variant} ${build.quantization}: native benchmark on ${options.native}`,
        build,
        deps: [
          `native:${build.variant}:${build.quantization}`,
          `layout:${build.variant}:${build.quantization}`,
        ],
        commands: [
          {
            program: python,
            args: [
              SCRIPTS.bench,
              "--model",
              build.outModelDir,
              "--model-lib",
              build.nativeLibPath,
              "--device",
              options.native,
              "--generate-length",
              "256",
              "--prompt",
              BENCH_PROMPT,
            ],
          },
        ],
        outputs: [],
      });
    }
  }
  return {
    options,
    workDir,
    outDir,
    catalogFile,
    logFile: join(workDir, "model-build.log"),
    stateDir: join(workDir, "state"),
    python,
    mlcLlm,
    checkpoints,
    builds,
    steps,
  };
}

export function describePlan(plan: Plan, cwd: string): string {
  const rel = (p: string) => displayPath(p, cwd);
  const o = plan.options;
  const lines = [
    `model-build plan${o.dryRun ? " (dry run: nothing is run or written)" : ""}`,
    `  variants:       ${o.variants.join(", ")}`,
    `  quantizations:  ${o.quantizations.join(", ")}`,
    `  context window: ${CONTEXT_WINDOW}, prefill chunk: ${PREFILL_CHUNK}`,
    `  work folder:    ${rel(plan.workDir)}`,
    `  output folder:  ${rel(plan.outDir)}`,
    `  catalog:        ${rel(plan.catalogFile)}`,
    `  log:            ${rel(plan.logFile)}`,
    `  python:         ${plan.python}`,
    "",
  ];
  plan.steps.forEach((s, i) => {
    lines.push(`[${i + 1}/${plan.steps.length}] ${s.title}`);
    for (const a of s.actions) lines.push(`      ${a}`);
    for (const c of s.commands) lines.push(`  $ ${formatCommand(c, cwd)}`);
    for (const c of s.conditionalCommands) {
      lines.push(`  $ ${formatCommand(c.command, cwd)}    # only if ${c.when}`);
    }
    for (const out of s.outputs) lines.push(`  -> ${rel(out)}`);
  });
  return lines.join("\n");
}
