import {
  copyFileSync,
  existsSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  closeSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { mergeCatalog, readCatalog, writeCatalog, type CuteGptEntry } from "./catalog";
import { BuildError } from "./errors";
import { folderIntegrity } from "./integrity";
import type { Logger } from "./log";
import { CONTEXT_WINDOW, PREFILL_CHUNK } from "./options";
import { looksLikeCheckpoint, type Build, type Plan, type Step } from "./plan";
import { runCommand, type ExternalCommand, type System } from "./runner";
import { reshardWeights } from "./reshard";
import { ensureAtomicStopTokens, patchChatConfig } from "./template";
import { estimateVram, readLlamaShape } from "./vram";

interface FileStamp {
  path: string;
  size: number;
  mtimeMs: number;
}

interface Marker {
  id: string;
  finishedAt: string;
  files: FileStamp[];
}

function stamps(paths: string[]): FileStamp[] {
  const out: FileStamp[] = [];
  const visit = (p: string) => {
    const s = statSync(p);
    if (s.isDirectory()) for (const name of readdirSync(p).sort()) visit(join(p, name));
    else out.push({ path: p, size: s.size, mtimeMs: s.mtimeMs });
  };
  for (const p of paths) if (existsSync(p)) visit(p);
  return out;
}

function markerFile(plan: Plan, step: Step): string {
  return join(plan.stateDir, `${step.id.replaceAll(":", "__")}.json`);
}

function readJson(file: string, what: string): Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  } catch (error) {
    throw new BuildError(
      "incomplete-output",
      `${what}: ${file} is missing or not JSON (${(error as Error).message}).`,
    );
  }
}

const WASM_MAGIC = Buffer.from([0x00, 0x61, 0x73, 0x6d]);

function startsWithWasmMagic(file: string): boolean {
  if (!existsSync(file)) return false;
  const fd = openSync(file, "r");
  try {
    const head = Buffer.alloc(4);
    return readSync(fd, head, 0, 4, 0) === 4 && head.equals(WASM_MAGIC);
  } finally {
    closeSync(fd);
  }
}

/** A converted weight folder is whole only when every shard tensor-cache.json lists is there. */
export function validateWeights(dir: string, what: string): string[] {
  const manifest = join(dir, "tensor-cache.json");
  if (!existsSync(manifest)) {
    if (existsSync(join(dir, "ndarray-cache.json"))) {
      throw new BuildError(
        "incomplete-output",
        `${what}: mlc_llm wrote ndarray-cache.json, the format before tensor-cache.json; ` +
          "web-llm 0.2.86 loads only tensor-cache.json. Install a current mlc-llm nightly.",
      );
    }
    throw new BuildError(
      "incomplete-output",
      `${what}: no tensor-cache.json in ${dir}; the conversion did not finish.`,
    );
  }
  const data = readJson(manifest, what);
  const records = data.records;
  if (!Array.isArray(records) || records.length === 0) {
    throw new BuildError("incomplete-output", `${what}: tensor-cache.json lists no shards.`);
  }
  const problems: string[] = [];
  const shards: string[] = [];
  for (const r of records as { dataPath?: unknown; nbytes?: unknown }[]) {
    const name = String(r.dataPath);
    shards.push(name);
    const file = join(dir, name);
    if (!existsSync(file)) problems.push(`${name} is missing`);
    else if (typeof r.nbytes === "number" && statSync(file).size !== r.nbytes) {
      problems.push(`${name} has ${statSync(file).size} bytes, tensor-cache.json says ${r.nbytes}`);
    }
  }
  if (problems.length > 0) {
    throw new BuildError(
      "incomplete-output",
      `${what}: the output is incomplete (${problems.slice(0, 3).join("; ")}${problems.length > 3 ? `; and ${problems.length - 3} more` : ""}). ` +
        "Run again to redo this step from scratch.",
    );
  }
  return shards;
}

function validate(step: Step): void {
  const b = step.build;
  const what = step.title;
  switch (step.kind) {
    case "merge": {
      const dir = step.outputs[0] ?? "";
      if (!looksLikeCheckpoint(dir, "merged")) {
        throw new BuildError(
          "incomplete-output",
          `${what}: ${dir} lacks config.json, weights or tokenizer; the merge did not finish.`,
        );
      }
      return;
    }
    case "convert":
      if (b) validateWeights(b.convertDir, what);
      return;
    case "gen_config": {
      if (!b) return;
      readJson(join(b.genDir, "mlc-chat-config.json"), what);
      if (!["tokenizer.json", "tokenizer.model"].some((f) => existsSync(join(b.genDir, f)))) {
        throw new BuildError(
          "incomplete-output",
          `${what}: gen_config copied no tokenizer into ${b.genDir}.`,
        );
      }
      return;
    }
    case "template": {
      if (!b) return;
      const config = readJson(join(b.webDir, "mlc-chat-config.json"), what);
      const template = config.conv_template as { name?: string } | undefined;
      if (template?.name !== "cutegpt" || !existsSync(join(b.webDir, "tokenizer.json"))) {
        throw new BuildError(
          "incomplete-output",
          `${what}: ${b.webDir} has no CuteGPT config and tokenizer.json.`,
        );
      }
      return;
    }
    case "compile":
      if (b && !startsWithWasmMagic(b.wasmPath)) {
        throw new BuildError(
          "incomplete-output",
          `${what}: ${b.wasmPath} is missing or not a WebAssembly module; the compile did not finish.`,
        );
      }
      return;
    case "native":
      if (
        b?.nativeLibPath &&
        (!existsSync(b.nativeLibPath) || statSync(b.nativeLibPath).size === 0)
      ) {
        throw new BuildError("incomplete-output", `${what}: ${b.nativeLibPath} was not written.`);
      }
      return;
    case "layout": {
      if (!b) return;
      validateWeights(b.outModelDir, what);
      for (const f of ["mlc-chat-config.json", "tokenizer.json"]) {
        if (!existsSync(join(b.outModelDir, f))) {
          throw new BuildError("incomplete-output", `${what}: ${f} missing in ${b.outModelDir}.`);
        }
      }
      if (!startsWithWasmMagic(b.outWasmPath)) {
        throw new BuildError("incomplete-output", `${what}: ${b.outWasmPath} is missing.`);
      }
      return;
    }
    case "integrity":
      if (b) readJson(b.entryFile, what);
      return;
  }
}

/** Finished means: a marker, every file it stamped unchanged, and the output still valid. */
export function isDone(step: Step, plan: Plan): boolean {
  if (step.kind === "checkpoint") {
    const c = plan.checkpoints.find((x) => x.role === step.role);
    return c !== undefined && looksLikeCheckpoint(c.dir, c.role);
  }
  if (step.kind === "catalog" || step.kind === "bench") return false;
  const file = markerFile(plan, step);
  if (!existsSync(file)) return false;
  try {
    const marker = JSON.parse(readFileSync(file, "utf8")) as Marker;
    for (const f of marker.files) {
      if (!existsSync(f.path)) return false;
      const s = statSync(f.path);
      if (s.size !== f.size || s.mtimeMs !== f.mtimeMs) return false;
    }
    validate(step);
    return true;
  } catch {
    return false;
  }
}

/** Hard links keep a second copy of 7 GB of shards off the disk; copies cross file systems. */
function place(from: string, to: string): void {
  mkdirSync(dirname(to), { recursive: true });
  rmSync(to, { force: true });
  try {
    linkSync(from, to);
  } catch {
    copyFileSync(from, to);
  }
}

export interface BenchResult {
  modelId: string;
  device: string;
  prefillTokensPerSecond: number;
  decodeTokensPerSecond: number;
}

export interface Executor {
  plan: Plan;
  system: System;
  log: Logger;
  downloader: string;
  benchResults: BenchResult[];
}

async function run(ex: Executor, cmd: ExternalCommand, what: string): Promise<string> {
  return runCommand(cmd, ex.system, ex.log, what);
}

function buildEntry(ex: Executor, b: Build): Promise<CuteGptEntry> {
  const shape = readLlamaShape(readJson(join(b.sourceDir, "config.json"), "VRAM estimate"));
  const vram = estimateVram(shape, b.quantization, CONTEXT_WINDOW, PREFILL_CHUNK);
  return folderIntegrity(b.outModelDir, b.outWasmPath, ex.plan.options.sri).then((integrity) => ({
    id: b.modelId,
    name: b.name,
    family: "cutegpt",
    variant: b.variant,
    quantization: b.quantization,
    engine: "webllm",
    modelPath: `${b.modelId}/`,
    modelLibPath: `libs/${b.wasmName}`,
    requiredFeatures: b.quantization === "q4f16_1" ? ["shader-f16"] : [],
    vramMB: Math.ceil(vram.totalMB),
    downloadBytes: integrity.downloadBytes,
    contextWindow: CONTEXT_WINDOW,
    integrity: {
      config: integrity.config,
      modelLib: integrity.modelLib,
      tokenizer: integrity.tokenizer,
      shards: integrity.shards,
    },
  }));
}

async function runTemplate(ex: Executor, step: Step, b: Build): Promise<void> {
  mkdirSync(b.webDir, { recursive: true });
  const config = readJson(join(b.genDir, "mlc-chat-config.json"), step.title);
  const files = Array.isArray(config.tokenizer_files) ? (config.tokenizer_files as string[]) : [];
  for (const f of new Set([...files, "tokenizer.json", "tokenizer_config.json"])) {
    if (existsSync(join(b.genDir, f))) copyFileSync(join(b.genDir, f), join(b.webDir, f));
  }
  const tokenizerFile = join(b.webDir, "tokenizer.json");
  if (!existsSync(tokenizerFile)) {
    const conditional = step.conditionalCommands[0];
    if (conditional === undefined)
      throw new BuildError("tokenizer", "no way to build tokenizer.json");
    ex.log.info(`  ${conditional.when}: building it from the checkpoint`);
    await run(ex, conditional.command, step.title);
  }
  const tokenizer = readJson(tokenizerFile, step.title);
  if (ensureAtomicStopTokens(tokenizer)) {
    ex.log.info("  added <end>/<s>/</s> to added_tokens so each encodes as one token");
    writeFileSync(tokenizerFile, JSON.stringify(tokenizer));
  }
  const patched = patchChatConfig(config, tokenizer, {
    contextWindow: CONTEXT_WINDOW,
    prefillChunk: PREFILL_CHUNK,
    quantization: b.quantization,
  });
  const template = patched.conv_template as { stop_token_ids: number[] };
  ex.log.info(
    `  stop ids from tokenizer.json: <end>, <s>, </s> = ${template.stop_token_ids.join(", ")}`,
  );
  writeFileSync(join(b.webDir, "mlc-chat-config.json"), JSON.stringify(patched, null, 2) + "\n");
}

function runLayout(b: Build, shardMB: number): void {
  rmSync(b.outModelDir, { recursive: true, force: true });
  mkdirSync(b.outModelDir, { recursive: true });
  const shards = validateWeights(b.convertDir, "layout");
  if (shardMB > 0) {
    reshardWeights(b.convertDir, b.outModelDir, shardMB * 1024 * 1024);
  } else {
    for (const f of ["tensor-cache.json", ...shards])
      place(join(b.convertDir, f), join(b.outModelDir, f));
  }
  for (const f of readdirSync(b.webDir)) place(join(b.webDir, f), join(b.outModelDir, f));
  place(b.wasmPath, b.outWasmPath);
}

function runCatalog(ex: Executor): void {
  const entries = ex.plan.builds.map(
    (b) => readJson(b.entryFile, "catalog") as unknown as CuteGptEntry,
  );
  for (const file of [ex.plan.catalogFile, join(ex.plan.outDir, "catalog.json")]) {
    writeCatalog(file, mergeCatalog(readCatalog(file), entries));
    ex.log.info(`  ${entries.length} CuteGPT entries merged into ${file}`);
  }
}

async function runBench(ex: Executor, step: Step, b: Build): Promise<void> {
  const cmd = step.commands[0];
  if (cmd === undefined) return;
  const stdout = await run(ex, cmd, step.title);
  const last = stdout.trim().split("\n").pop() ?? "";
  let parsed: { prefill_tokens_per_s?: number; decode_tokens_per_s?: number };
  try {
    parsed = JSON.parse(last) as typeof parsed;
  } catch {
    throw new BuildError(
      "command-failed",
      `${step.title}: bench_native.py printed no result line.`,
    );
  }
  const result: BenchResult = {
    modelId: b.modelId,
    device: ex.plan.options.native ?? "",
    prefillTokensPerSecond: Number(parsed.prefill_tokens_per_s),
    decodeTokensPerSecond: Number(parsed.decode_tokens_per_s),
  };
  ex.benchResults.push(result);
  ex.log.info(
    `  ${b.modelId} on ${result.device}: prefill ${result.prefillTokensPerSecond.toFixed(1)} tok/s, ` +
      `decode ${result.decodeTokensPerSecond.toFixed(1)} tok/s`,
  );
}

async function runStep(ex: Executor, step: Step): Promise<void> {
  const b = step.build;
  for (const out of step.outputs) {
    if (step.kind !== "checkpoint") rmSync(out, { recursive: true, force: true });
  }
  switch (step.kind) {
    case "checkpoint": {
      for (const cmd of step.commands) {
        await run(ex, { ...cmd, program: ex.downloader }, step.title);
      }
      const c = ex.plan.checkpoints.find((x) => x.role === step.role);
      if (c === undefined || !looksLikeCheckpoint(c.dir, c.role)) {
        throw new BuildError(
          "checkpoint",
          `${step.title}: ${c?.dir ?? "?"} is still not a complete checkpoint.`,
        );
      }
      return;
    }
    case "template":
      if (b) await runTemplate(ex, step, b);
      break;
    case "layout":
      if (b) runLayout(b, ex.plan.options.shardMB);
      break;
    case "integrity":
      if (b) {
        const entry = await buildEntry(ex, b);
        mkdirSync(dirname(b.entryFile), { recursive: true });
        writeFileSync(b.entryFile, JSON.stringify(entry, null, 2) + "\n");
        ex.log.info(
          `  ${entry.id}: ${(entry.downloadBytes / 1e9).toFixed(2)} GB download, ~${entry.vramMB} MB VRAM`,
        );
      }
      break;
    case "catalog":
      runCatalog(ex);
      return;
    case "bench":
      if (b) await runBench(ex, step, b);
      return;
    default:
      for (const out of step.outputs) {
        mkdirSync(step.kind === "compile" || step.kind === "native" ? dirname(out) : out, {
          recursive: true,
        });
      }
      for (const cmd of step.commands) await run(ex, cmd, step.title);
  }
  validate(step);
  const marker: Marker = {
    id: step.id,
    finishedAt: new Date().toISOString(),
    files: stamps(step.outputs),
  };
  mkdirSync(ex.plan.stateDir, { recursive: true });
  writeFileSync(markerFile(ex.plan, step), JSON.stringify(marker, null, 2) + "\n");
}

/** Runs the plan in order; a step is skipped when finished and nothing it depends on reran. */
export async function execute(ex: Executor): Promise<void> {
  const { plan, log } = ex;
  const ran = new Set<string>();
  const total = plan.steps.length;
  for (const [i, step] of plan.steps.entries()) {
    const prefix = `[${i + 1}/${total}] ${step.title}`;
    const depRan = step.deps.some((d) => ran.has(d));
    const force = plan.options.force && step.kind !== "checkpoint";
    if (!force && !depRan && isDone(step, plan)) {
      log.info(`${prefix}: already done (verified), skipped`);
      continue;
    }
    log.info(`${prefix} …`);
    const started = Date.now();
    await runStep(ex, step);
    ran.add(step.id);
    log.info(`${prefix}: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  if (ex.benchResults.length > 0) {
    const file = join(plan.outDir, "bench-native.json");
    mkdirSync(plan.outDir, { recursive: true });
    writeFileSync(file, JSON.stringify(ex.benchResults, null, 2) + "\n");
    log.info(`native benchmark results: ${file}`);
  }
}
