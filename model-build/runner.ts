import { spawn } from "node:child_process";
import { accessSync, constants, existsSync, statfsSync } from "node:fs";
import { totalmem } from "node:os";
import { delimiter, dirname, isAbsolute, join, relative, resolve } from "node:path";
import { BuildError } from "./errors";
import type { Logger } from "./log";

/** What the CLI reads from the machine; tests hand in their own. */
export interface System {
  cwd: string;
  env: NodeJS.ProcessEnv;
  freeDiskBytes(path: string): number;
  totalMemBytes(): number;
}

export function realSystem(cwd: string, env: NodeJS.ProcessEnv): System {
  return {
    cwd,
    env,
    freeDiskBytes(path) {
      // statfs needs an existing path; the work folder may not exist yet.
      let p = resolve(cwd, path);
      while (!existsSync(p) && dirname(p) !== p) p = dirname(p);
      const s = statfsSync(p);
      return s.bavail * s.bsize;
    },
    totalMemBytes: () => totalmem(),
  };
}

export function which(program: string, env: NodeJS.ProcessEnv): string | undefined {
  if (program.includes("/")) return existsSync(program) ? program : undefined;
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    if (dir === "") continue;
    const candidate = join(dir, program);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this folder
    }
  }
  return undefined;
}

export interface ExternalCommand {
  program: string;
  args: string[];
}

/** Paths under the working folder print relative so the plan reads the same on any machine. */
export function displayPath(path: string, cwd: string): string {
  if (!isAbsolute(path)) return path;
  const rel = relative(cwd, path);
  return rel === "" ? "." : rel.startsWith("..") || isAbsolute(rel) ? path : rel;
}

function quote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`;
}

export function formatCommand(cmd: ExternalCommand, cwd: string): string {
  return [cmd.program, ...cmd.args]
    .map((a) => quote(a.startsWith("/") ? displayPath(a, cwd) : a))
    .join(" ");
}

/**
 * Runs a command with its output streamed to the console and the log. A non-zero exit becomes
 * a BuildError that quotes the end of the output, where tools put the reason.
 */
export function runCommand(
  cmd: ExternalCommand,
  system: System,
  log: Logger,
  what: string,
): Promise<string> {
  log.info(`  $ ${formatCommand(cmd, system.cwd)}`);
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd.program, cmd.args, {
      cwd: system.cwd,
      env: system.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let tail = "";
    let stdout = "";
    const onData = (isStdout: boolean) => (data: Buffer) => {
      const text = data.toString("utf8");
      if (isStdout) stdout += text;
      tail = (tail + text).slice(-2000);
      log.stream(text.replace(/^(?=.)/gm, "    "));
    };
    child.stdout.on("data", onData(true));
    child.stderr.on("data", onData(false));
    child.on("error", (error) => {
      reject(
        new BuildError(
          "command-failed",
          `${what}: could not start ${cmd.program} (${error.message}). Is it installed and on PATH?`,
        ),
      );
    });
    child.on("close", (code, signal) => {
      if (code === 0) {
        resolvePromise(stdout);
        return;
      }
      const lastLines = tail.trim().split("\n").slice(-8).join("\n    ");
      reject(
        new BuildError(
          "command-failed",
          `${what} failed: ${cmd.program} ${signal ? `was killed by ${signal}` : `exited with code ${code}`}.\n` +
            (lastLines ? `  Last output:\n    ${lastLines}\n` : "") +
            `  Full log: ${log.path ?? "(none)"}\n` +
            `  Fix the cause and run the same command again: finished steps are kept.`,
        ),
      );
    });
  });
}
