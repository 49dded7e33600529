import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const MARKER = "cutegpt-test-engine-7f3a";
const outRoot = mkdtempSync(join(tmpdir(), "cutegpt-build-"));

function allText(dir: string): string {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.(js|html|json)$/.test(entry.name))
    .map((entry) => readFileSync(join(entry.parentPath, entry.name), "utf8"))
    .join("\n");
}

async function buildInto(mode: string, outDir: string): Promise<string> {
  await build({ mode, logLevel: "silent", build: { outDir, emptyOutDir: true } });
  return allText(outDir);
}

describe("build purity", () => {
  let production = "";
  let testBuild = "";

  beforeAll(async () => {
    production = await buildInto("production", join(outRoot, "prod"));
    testBuild = await buildInto("test", join(outRoot, "test"));
  }, 120_000);

  afterAll(() => rmSync(outRoot, { recursive: true, force: true }));

  it("puts the test engine into the test build (so the check below can fail)", () => {
    expect(testBuild).toContain(MARKER);
  });

  it("ships no test engine in the production build", () => {
    expect(production).not.toContain(MARKER);
    expect(production).not.toContain("test-engine-log");
  });

  it("ships the real web-llm engine in the production build", () => {
    expect(production).toContain("Fetching param cache[");
  });
});
