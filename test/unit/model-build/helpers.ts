import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { runCli, type CliIo } from "../../../model-build/main";

export const FIXTURES = fileURLToPath(new URL("../../fixtures/model-build/", import.meta.url));
export const CHECKPOINTS = join(FIXTURES, "checkpoints");

export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "model-build-test-"));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * A PATH with only the stand-ins and node itself, so nothing installed on the test machine
 * (a real python3, mlc_llm or hf) can leak into the run.
 */
export function standInEnv(recordFile: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    PATH: [join(FIXTURES, "bin"), dirname(process.execPath)].join(delimiter),
    TVM_SOURCE_DIR: join(FIXTURES, "tvm"),
    MLC_LLM_SOURCE_DIR: join(FIXTURES, "mlc-llm"),
    FAKE_MLC_RECORD: recordFile,
    ...extra,
  };
}

export interface CliResult {
  code: number;
  output: string;
}

export async function cli(
  argv: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  system?: CliIo["system"],
): Promise<CliResult> {
  let output = "";
  const io: CliIo = { cwd, env, out: (t) => (output += t) };
  if (system !== undefined) io.system = system;
  const code = await runCli(argv, io);
  return { code, output };
}

export interface Invocation {
  tool: "mlc_llm" | "python";
  argv: string[];
}

export function invocations(recordFile: string): Invocation[] {
  if (!existsSync(recordFile)) return [];
  return readFileSync(recordFile, "utf8")
    .trim()
    .split("\n")
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as Invocation);
}

/** The build steps that ran, without the preflight probe. */
export function buildCalls(recordFile: string): string[] {
  return invocations(recordFile)
    .filter((i) => !(i.tool === "python" && i.argv[0]?.endsWith("probe_env.py")))
    .map((i) =>
      i.tool === "mlc_llm"
        ? `${i.argv[0]} ${i.argv.includes("-o") ? (i.argv[i.argv.indexOf("-o") + 1] ?? "").split("/").pop() : ""}`
        : `python ${(i.argv[0] ?? "").split("/").pop()}`,
    );
}
