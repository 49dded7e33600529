import { createHash } from "node:crypto";
import { createReadStream, existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { copyFile, mkdir, rename, stat } from "node:fs/promises";
import { homedir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { mergeCatalog, readCatalog, writeCatalog, type CuteGptEntry } from "./catalog";
import { BuildError } from "./errors";
import { HubClient, type HubFile, type RemoteFile } from "./hf-hub";
import type { Logger } from "./log";
import type { Options } from "./options";
import { displayPath } from "./runner";

/** The canonical host the app's download-source switch knows (app/protocol/download-sources.ts). */
export const HUGGING_FACE = "https://huggingface.co";

export type PublishTarget = { kind: "hub"; owner: string } | { kind: "folder"; dir: string };

/** `--to hf:<owner>` (one model repository per model id) or `--to <folder>`. */
export function parseTarget(to: string | undefined, cwd: string): PublishTarget {
  if (!to) {
    throw new BuildError(
      "usage",
      "publish needs --to hf:<user or organisation> or --to <folder> (see model-build/README.md).",
    );
  }
  if (to.startsWith("hf:")) {
    const owner = to.slice(3);
    if (!/^[A-Za-z0-9][\w.-]*$/.test(owner)) {
      throw new BuildError(
        "usage",
        `--to hf:<owner> takes a user or organisation name; got "${to}".`,
      );
    }
    return { kind: "hub", owner };
  }
  return { kind: "folder", dir: resolve(cwd, to) };
}

interface LocalFile extends HubFile {
  /** Where it goes: repository path (hub) or path under the folder. */
  target: string;
}

interface ModelUpload {
  entry: Record<string, unknown> & { id: string; modelPath: string; modelLibPath: string };
  files: LocalFile[];
  /** Catalog entry with absolute URLs where the files will be. */
  published: Record<string, unknown>;
  repo?: string;
}

export interface PublishIo {
  cwd: string;
  env: NodeJS.ProcessEnv;
  log: Logger;
  fetch?: typeof fetch;
}

/**
 * Uploads model-build's output folder and writes catalog entries that point at it. Every file
 * is compared by sha256 with what is already there first and skipped when it matches, so a run
 * that was interrupted, or one after a rebuild that changed two shards, sends only the rest.
 */
export async function publish(options: Options, io: PublishIo): Promise<void> {
  const { log } = io;
  const outDir = resolve(io.cwd, options.outDir);
  const catalogFile = resolve(io.cwd, options.catalogFile);
  const target = parseTarget(options.to, io.cwd);
  if (target.kind === "folder" && !options.baseUrl) {
    throw new BuildError(
      "usage",
      "publish --to <folder> needs --base-url: the address where that folder is served.",
    );
  }
  const base = (options.baseUrl ?? HUGGING_FACE).replace(/\/+$/, "");
  const models = await collect(outDir, target, base, options);
  const endpoint = (io.env.HF_ENDPOINT ?? HUGGING_FACE).replace(/\/+$/, "");
  const token = target.kind === "hub" ? hubToken(io.env) : undefined;
  if (target.kind === "hub" && !token && !options.dryRun) {
    throw new BuildError(
      "publish",
      "No Hugging Face token: set HF_TOKEN to a token with write access, or run `hf auth login`.",
    );
  }
  const hub = new HubClient({ endpoint, token, ...(io.fetch && { fetch: io.fetch }) });
  const where =
    target.kind === "hub" ? `${endpoint} (${target.owner})` : displayPath(target.dir, io.cwd);
  log.info(
    `publish${options.dryRun ? " (dry run: nothing is uploaded or written)" : ""}: ${models.length} models to ${where}`,
  );

  for (const model of models) {
    const todo =
      target.kind === "hub"
        ? await hubTodo(hub, model, options.dryRun, log)
        : await folderTodo(target.dir, model.files);
    const bytes = todo.reduce((sum, f) => sum + f.size, 0);
    log.info(
      `${model.entry.id}${model.repo ? ` → ${model.repo}` : ""}: ${todo.length} of ${model.files.length} files to upload (${mb(bytes)}), ${model.files.length - todo.length} already there`,
    );
    for (const f of model.files) {
      log.info(`  ${todo.includes(f) ? "upload" : "skip  "} ${f.target} (${mb(f.size)})`);
    }
    if (options.dryRun) continue;
    if (target.kind === "hub") await uploadToHub(hub, model, todo, options.private, log);
    else await copyToFolder(target.dir, todo, log);
    writeCatalog(
      catalogFile,
      mergeCatalog(readCatalog(catalogFile), [model.published as unknown as CuteGptEntry]),
    );
    log.info(`  catalog: ${model.entry.id} → ${String(model.published.modelPath)}`);
  }
  log.info(
    options.dryRun
      ? "Dry run: nothing was uploaded or written."
      : `Done. ${displayPath(catalogFile, io.cwd)} points at the published files; deploy the app with it.`,
  );
}

async function collect(
  outDir: string,
  target: PublishTarget,
  base: string,
  options: Options,
): Promise<ModelUpload[]> {
  const built = join(outDir, "catalog.json");
  if (!existsSync(built)) {
    throw new BuildError(
      "publish",
      `${built} is missing: run the build first (npm run model-build), or point --out at its output.`,
    );
  }
  const entries = readCatalog(built).models.filter((m) => {
    const { variant, quantization } = m as { variant?: string; quantization?: string };
    return (
      (variant === undefined || (options.variants as string[]).includes(variant)) &&
      (quantization === undefined || (options.quantizations as string[]).includes(quantization))
    );
  });
  const models: ModelUpload[] = [];
  for (const raw of entries) {
    const entry = raw as ModelUpload["entry"];
    if (typeof entry.modelPath !== "string" || typeof entry.modelLibPath !== "string") continue;
    const modelDir = join(outDir, entry.modelPath, "resolve", "main");
    const libFile = join(outDir, entry.modelLibPath);
    if (!existsSync(modelDir) || !existsSync(libFile)) {
      throw new BuildError(
        "publish",
        `${entry.id}: its files are not complete in ${outDir}; rebuild it.`,
      );
    }
    const wasm = basename(libFile);
    const names = readdirSync(modelDir)
      .filter((n) => statSync(join(modelDir, n)).isFile())
      .sort();
    const hub = target.kind === "hub";
    const sources = [
      ...names.map((n) => ({
        local: join(modelDir, n),
        target: hub ? n : `${entry.id}/resolve/main/${n}`,
      })),
      { local: libFile, target: hub ? wasm : `libs/${wasm}` },
    ];
    const files: LocalFile[] = [];
    for (const s of sources)
      files.push({ ...(await hashFile(s.local)), path: s.target, target: s.target });
    const repo = hub ? `${target.owner}/${entry.id}` : undefined;
    const published = {
      ...entry,
      modelPath: hub ? `${base}/${repo}/` : `${base}/${entry.id}/`,
      modelLibPath: hub ? `${base}/${repo}/resolve/main/${wasm}` : `${base}/libs/${wasm}`,
    };
    models.push({ entry, files, published, ...(repo && { repo }) });
  }
  if (models.length === 0) {
    throw new BuildError("publish", `${built} lists no model with files to publish.`);
  }
  return models;
}

/** sha256 (LFS oid) and git's blob sha1 in one pass, streamed: shards never sit in memory. */
async function hashFile(localPath: string): Promise<Omit<HubFile, "path">> {
  const size = statSync(localPath).size;
  const sha256 = createHash("sha256");
  const sha1 = createHash("sha1").update(`blob ${size}\0`);
  for await (const chunk of createReadStream(localPath)) {
    sha256.update(chunk as Buffer);
    sha1.update(chunk as Buffer);
  }
  return { localPath, size, sha256: sha256.digest("hex"), gitSha1: sha1.digest("hex") };
}

function sameAsRemote(file: LocalFile, remote: RemoteFile | undefined): boolean {
  if (!remote) return false;
  return remote.lfs ? remote.lfs.oid === file.sha256 : remote.oid === file.gitSha1;
}

async function hubTodo(
  hub: HubClient,
  model: ModelUpload,
  dryRun: boolean,
  log: Logger,
): Promise<LocalFile[]> {
  let remote: RemoteFile[];
  try {
    remote = await hub.listFiles(model.repo!, "main");
  } catch (error) {
    if (!dryRun) throw error;
    log.info(`  (the hub was not asked what it has: ${(error as Error).message})`);
    remote = [];
  }
  const byPath = new Map(remote.map((r) => [r.path, r]));
  return model.files.filter((f) => !sameAsRemote(f, byPath.get(f.path)));
}

async function uploadToHub(
  hub: HubClient,
  model: ModelUpload,
  todo: LocalFile[],
  isPrivate: boolean,
  log: Logger,
): Promise<void> {
  const repo = model.repo!;
  await hub.createRepo(repo, isPrivate);
  if (todo.length === 0) return;
  const modes = await hub.uploadModes(repo, "main", todo);
  const lfs = todo.filter((f) => modes.get(f.path) === "lfs");
  const sent = await hub.uploadLfs(repo, "main", lfs, (file, uploaded) =>
    log.info(`  ${uploaded ? "uploaded" : "already on the hub"} ${file.path}`),
  );
  await hub.commit(
    repo,
    "main",
    `Publish ${model.entry.id} with model-build`,
    todo.map((file) => ({ file, mode: modes.get(file.path) === "lfs" ? "lfs" : "regular" })),
  );
  log.info(`  committed ${todo.length} files (${mb(sent)} of LFS data sent)`);
}

async function folderTodo(dir: string, files: LocalFile[]): Promise<LocalFile[]> {
  const todo: LocalFile[] = [];
  for (const f of files) {
    const dest = join(dir, f.target);
    const there = await stat(dest).catch(() => undefined);
    if (there?.size === f.size && (await hashFile(dest)).sha256 === f.sha256) continue;
    todo.push(f);
  }
  return todo;
}

/** Each file lands under a temporary name first, so an interrupted copy is never mistaken for a file. */
async function copyToFolder(dir: string, todo: LocalFile[], log: Logger): Promise<void> {
  for (const f of todo) {
    const dest = join(dir, f.target);
    await mkdir(dirname(dest), { recursive: true });
    const tmp = `${dest}.partial-${process.pid}`;
    await copyFile(f.localPath, tmp);
    await rename(tmp, dest);
    log.info(`  copied ${f.target}`);
  }
}

/** HF_TOKEN, else the token `hf auth login` stores (under HF_HOME, default ~/.cache/huggingface). */
export function hubToken(env: NodeJS.ProcessEnv): string | undefined {
  if (env.HF_TOKEN) return env.HF_TOKEN.trim();
  const home = env.HF_HOME ?? join(env.HOME ?? homedir(), ".cache", "huggingface");
  try {
    return readFileSync(join(home, "token"), "utf8").trim() || undefined;
  } catch {
    return undefined;
  }
}

function mb(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
