import { parseArgs } from "node:util";
import { BuildError } from "./errors";

export const VARIANTS = ["ift", "lora-merged"] as const;
export type Variant = (typeof VARIANTS)[number];

export const QUANTIZATIONS = ["q4f16_1", "q4f32_1"] as const;
export type Quantization = (typeof QUANTIZATIONS)[number];

export const NATIVE_DEVICES = ["cuda", "vulkan"] as const;
export type NativeDevice = (typeof NATIVE_DEVICES)[number];

export type SriAlgorithm = "sha256" | "sha384";

/** CuteGPT was trained on 2048-token sequences; longer windows only cost VRAM. */
export const CONTEXT_WINDOW = 2048;
export const PREFILL_CHUNK = 1024;

/**
 * Size the layout step re-cuts weight shards to (mlc_llm writes ~32 MB). web-llm stores each
 * shard as one IndexedDB value and reads a cached model back faster with larger values;
 * Chromium refuses a value near 127 MB. Chosen from test/bench/shard-size.bench.ts: 96 MB
 * read fastest of 32/64/96/120 MB (0.63 × the 32 MB time per GB) and was never slower than
 * 32 MB in any run; 120 MB, next to Chromium's limit, was slower than 96 MB in every run.
 * 0 keeps mlc_llm's shards.
 */
export const DEFAULT_SHARD_MB = 96;
export const MAX_SHARD_MB = 120;

/** The web-llm release whose runtime the wasm is built for; it names the library files. */
export const WEBLLM_VERSION = "0.2.86";

export const CHECKPOINTS = {
  base: "XuYipei/kw-cutegpt-13b-base",
  ift: "XuYipei/kw-cutegpt-13b-ift",
  lora: "Abbey4799/kw-cutegpt-13b-ift-lora",
} as const;
export type CheckpointRole = keyof typeof CHECKPOINTS;

export type Command = "build" | "bench" | "serve" | "publish";

export interface Options {
  command: Command;
  variants: Variant[];
  quantizations: Quantization[];
  workDir: string;
  outDir: string;
  catalogFile: string;
  checkpointsDir: string;
  checkpointPaths: Partial<Record<CheckpointRole, string>>;
  native: NativeDevice | undefined;
  libVersion: string;
  /** Target shard size in MB for the layout step; 0 keeps mlc_llm's shards. */
  shardMB: number;
  python: string | undefined;
  sri: SriAlgorithm;
  dryRun: boolean;
  serve: boolean;
  port: number;
  force: boolean;
  help: boolean;
  /** publish: `hf:<owner>` or a folder. */
  to: string | undefined;
  /** publish: the URL the files are served from (a folder's address, or another hub). */
  baseUrl: string | undefined;
  /** publish: create new hub repositories as private. */
  private: boolean;
}

export const USAGE = `Usage: npm run model-build -- [build|bench|serve|publish] [options]

Turns the CuteGPT 13B checkpoints into web-llm artifacts (see model-build/README.md).

Commands
  build (default)          checkpoints -> merge -> convert_weight -> gen_config -> template
                           -> compile (webgpu) -> layout -> integrity -> catalog
  bench                    native prefill/decode tokens/s with mlc_llm (needs --native)
  serve                    serve --out on 127.0.0.1 with CORS headers
  publish                  upload --out to Hugging Face (--to hf:<owner>) or a folder
                           (--to <dir> --base-url <url>), skipping files already there with
                           the same sha256, and point the catalog's entries at them

Options
  --variants <list>        ift,lora-merged (default: both)
  --quantizations <list>   q4f16_1,q4f32_1 (default: both)
  --work <dir>             work folder (default: .model-build)
  --out <dir>              output folder to host (default: <work>/out)
  --catalog <file>         app catalog to merge into (default: public/models/catalog.json)
  --checkpoints <dir>      folder holding <owner>/<name> checkpoints (default: <work>/checkpoints)
  --base|--ift|--lora <dir> use this folder for that checkpoint instead
  --native <cuda|vulkan>   also compile a native library (for bench)
  --lib-version <v>        suffix of the wasm file names (default: v${WEBLLM_VERSION.replaceAll(".", "_")})
  --shard-mb <n>           re-cut weight shards to at most n MB, 1-${MAX_SHARD_MB}; 0 keeps mlc_llm's (default: ${DEFAULT_SHARD_MB})
  --python <exe>           Python with mlc_llm, torch, peft (default: the one behind mlc_llm)
  --sri <sha256|sha384>    SRI algorithm for config, wasm and tokenizer (default: sha384)
  --dry-run                print every step and command; touch nothing
  --serve                  serve the output folder when the build is done
  --port <n>               port for serving (default: 8090)
  --force                  redo finished steps
  --to <hf:owner|dir>      publish: where to (one hub repository per model id)
  --base-url <url>         publish: address the files are served from (default for the hub:
                           https://huggingface.co)
  --private                publish: new hub repositories are private
  -h, --help               this text`;

function list<T extends string>(
  value: string | undefined,
  allowed: readonly T[],
  flag: string,
): T[] {
  if (value === undefined) return [...allowed];
  const items = value
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  const bad = items.filter((s) => !(allowed as readonly string[]).includes(s));
  if (bad.length > 0 || items.length === 0) {
    throw new BuildError(
      "usage",
      `${flag} takes a comma-separated list of ${allowed.join(", ")}; got "${value}".`,
    );
  }
  return [...new Set(items)] as T[];
}

export function parseOptions(argv: string[]): Options {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        variants: { type: "string" },
        quantizations: { type: "string" },
        work: { type: "string" },
        out: { type: "string" },
        catalog: { type: "string" },
        checkpoints: { type: "string" },
        base: { type: "string" },
        ift: { type: "string" },
        lora: { type: "string" },
        native: { type: "string" },
        "lib-version": { type: "string" },
        "shard-mb": { type: "string" },
        python: { type: "string" },
        sri: { type: "string" },
        "dry-run": { type: "boolean", default: false },
        serve: { type: "boolean", default: false },
        port: { type: "string" },
        force: { type: "boolean", default: false },
        to: { type: "string" },
        "base-url": { type: "string" },
        private: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (error) {
    throw new BuildError("usage", `${(error as Error).message}\n\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  if (positionals.length > 1) {
    throw new BuildError("usage", `Only one command is allowed; got ${positionals.join(" ")}.`);
  }
  const command = (positionals[0] ?? "build") as Command;
  if (!["build", "bench", "serve", "publish"].includes(command)) {
    throw new BuildError("usage", `Unknown command "${command}".\n\n${USAGE}`);
  }
  const native = values.native;
  if (native !== undefined && !(NATIVE_DEVICES as readonly string[]).includes(native)) {
    throw new BuildError("usage", `--native takes cuda or vulkan; got "${native}".`);
  }
  const sri = values.sri ?? "sha384";
  if (sri !== "sha256" && sri !== "sha384") {
    throw new BuildError("usage", `--sri takes sha256 or sha384; got "${sri}".`);
  }
  const port = Number(values.port ?? "8090");
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new BuildError("usage", `--port takes a port number; got "${values.port ?? ""}".`);
  }
  const shardMB = Number(values["shard-mb"] ?? String(DEFAULT_SHARD_MB));
  if (!Number.isInteger(shardMB) || shardMB < 0 || shardMB > MAX_SHARD_MB) {
    throw new BuildError(
      "usage",
      `--shard-mb takes a whole number from 0 to ${MAX_SHARD_MB} (Chromium refuses IndexedDB values near 127 MB); got "${values["shard-mb"] ?? ""}".`,
    );
  }
  const workDir = values.work ?? ".model-build";
  const checkpointPaths: Partial<Record<CheckpointRole, string>> = {};
  if (values.base !== undefined) checkpointPaths.base = values.base;
  if (values.ift !== undefined) checkpointPaths.ift = values.ift;
  if (values.lora !== undefined) checkpointPaths.lora = values.lora;
  return {
    command,
    variants: list(values.variants, VARIANTS, "--variants"),
    quantizations: list(values.quantizations, QUANTIZATIONS, "--quantizations"),
    workDir,
    outDir: values.out ?? `${workDir}/out`,
    catalogFile: values.catalog ?? "public/models/catalog.json",
    checkpointsDir: values.checkpoints ?? `${workDir}/checkpoints`,
    checkpointPaths,
    native: native as NativeDevice | undefined,
    libVersion: values["lib-version"] ?? `v${WEBLLM_VERSION.replaceAll(".", "_")}`,
    shardMB,
    python: values.python,
    sri,
    dryRun: values["dry-run"],
    serve: values.serve,
    port,
    force: values.force,
    help: values.help,
    to: values.to,
    baseUrl: values["base-url"],
    private: values.private,
  };
}
