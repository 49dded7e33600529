import { BuildError } from "./errors";
import { Logger } from "./log";
import { USAGE, parseOptions } from "./options";
import { buildPlan, describePlan, type Step } from "./plan";
import { assertPreflight, preflight } from "./preflight";
import { displayPath, realSystem, type System } from "./runner";
import { publish } from "./publish";
import { serveFolder } from "./serve";
import { execute, isDone } from "./steps";

export interface CliIo {
  cwd: string;
  env: NodeJS.ProcessEnv;
  out: (text: string) => void;
  /** Overrides disk and memory readings in tests. */
  system?: Partial<Pick<System, "freeDiskBytes" | "totalMemBytes">>;
  /** Called with the URL once --serve is listening; the promise ends when the server closes. */
  onServing?: (url: string, close: () => void) => void;
  /** publish's HTTP client (tests hand in one that reaches only their stand-in hub). */
  fetch?: typeof fetch;
}

async function serveAndWait(root: string, port: number, io: CliIo, log: Logger): Promise<void> {
  const server = await serveFolder(root, port);
  const address = server.address();
  const actualPort = typeof address === "object" && address !== null ? address.port : port;
  const url = `http://127.0.0.1:${actualPort}/`;
  log.info(`Serving ${displayPath(root, io.cwd)} at ${url} with CORS headers (Ctrl+C to stop)`);
  await new Promise<void>((resolve) => {
    server.on("close", () => resolve());
    io.onServing?.(url, () => server.close());
  });
}

/** The whole CLI as a function, so tests drive it with their own PATH and folders. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const log = new Logger(io.out);
  try {
    const options = parseOptions(argv);
    if (options.help) {
      io.out(USAGE + "\n");
      return 0;
    }
    if (options.command === "publish") {
      await publish(options, {
        cwd: io.cwd,
        env: io.env,
        log,
        ...(io.fetch && { fetch: io.fetch }),
      });
      return 0;
    }
    const system: System = { ...realSystem(io.cwd, io.env), ...io.system };
    const plan = buildPlan(options, system);
    if (options.command === "serve") {
      await serveAndWait(plan.outDir, options.port, io, log);
      return 0;
    }
    if (options.command === "bench" && options.native === undefined) {
      throw new BuildError("usage", "bench needs --native cuda or --native vulkan.");
    }
    const pending = (step: Step) =>
      options.force ? step.kind !== "checkpoint" || !isDone(step, plan) : !isDone(step, plan);

    if (options.dryRun) {
      log.info(describePlan(plan, io.cwd));
      const report = await preflight(plan, system, pending);
      log.info("");
      if (report.problems.length === 0) {
        log.info("Preflight: ok");
      } else {
        log.info("Preflight on this machine would stop a real run:");
        for (const p of report.problems) log.info(`  - ${p}`);
      }
      for (const n of report.notes) log.info(`  ${n}`);
      log.info("Dry run: nothing was run or written.");
      return 0;
    }

    log.attach(plan.logFile);
    log.fileOnly(describePlan(plan, io.cwd));
    log.info(
      `model-build: ${plan.steps.length} steps, log in ${displayPath(plan.logFile, io.cwd)}`,
    );
    const report = await preflight(plan, system, pending);
    for (const n of report.notes) log.info(`preflight: ${n}`);
    assertPreflight(report);
    await execute({ plan, system, log, downloader: report.downloader ?? "hf", benchResults: [] });
    log.info(
      `\nDone. Host ${displayPath(plan.outDir, io.cwd)} (see model-build/README.md) or run ` +
        "`npm run model-build -- serve`; the app catalog is " +
        displayPath(plan.catalogFile, io.cwd),
    );
    if (options.serve) await serveAndWait(plan.outDir, options.port, io, log);
    return 0;
  } catch (error) {
    if (error instanceof BuildError) {
      log.info(`\nmodel-build failed [${error.code}]: ${error.message}`);
      return error.code === "usage" ? 2 : 1;
    }
    log.info(`\nmodel-build crashed: ${(error as Error).stack ?? String(error)}`);
    return 1;
  }
}
