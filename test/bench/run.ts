import { readdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { BenchResult } from "./types";

/**
 * Runs every test/bench/*.bench.ts (each default-exports `run(): Promise<BenchResult[]>`),
 * prints one table and writes bench-report.json. A benchmark that fails is reported and
 * makes the run exit non-zero, but the others still run.
 */
const dir = fileURLToPath(new URL(".", import.meta.url));
const only = process.argv[2];
const files = readdirSync(dir)
  .filter((f) => f.endsWith(".bench.ts"))
  .filter((f) => !only || f.includes(only))
  .sort();

const report: Record<string, BenchResult[] | { error: string }> = {};
let failed = false;
for (const file of files) {
  const started = Date.now();
  process.stdout.write(`running ${file}… `);
  try {
    const mod = (await import(new URL(file, import.meta.url).href)) as {
      default: () => Promise<BenchResult[]>;
    };
    report[file] = await mod.default();
    console.log(`${((Date.now() - started) / 1000).toFixed(1)} s`);
  } catch (error) {
    failed = true;
    report[file] = {
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    };
    console.log("FAILED");
    console.error(error);
  }
}

const rows: string[][] = [["benchmark", "measure", "value", "baseline", "ratio", "target"]];
for (const [file, results] of Object.entries(report)) {
  if (!Array.isArray(results)) {
    rows.push([file, "ERROR", results.error.split("\n")[0] ?? "", "", "", ""]);
    continue;
  }
  for (const r of results) {
    rows.push([
      file.replace(".bench.ts", ""),
      r.name,
      `${fmt(r.value)} ${r.unit}`,
      r.baseline !== undefined
        ? `${fmt(r.baseline)} ${r.unit} (${r.baselineName ?? "baseline"})`
        : "",
      r.baseline ? (r.value / r.baseline).toFixed(3) : "",
      r.target ?? "",
    ]);
  }
}
const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? "").length)));
for (const row of rows) console.log(row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(" │ "));
writeFileSync("bench-report.json", JSON.stringify(report, null, 2));
console.log("\nwrote bench-report.json");
process.exit(failed ? 1 : 0);

function fmt(value: number): string {
  return Number.isInteger(value) ? value.toLocaleString("en-US") : value.toFixed(2);
}
