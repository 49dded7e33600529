import { readFileSync } from "node:fs";
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

/**
 * The import boundaries are only as good as the resolver behind them: an import it cannot
 * resolve is silently allowed. So each zone is tried with a real import of a real file.
 */
const eslint = new ESLint({ cwd: new URL("../../..", import.meta.url).pathname });

async function boundaryErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? [])
    .filter((m) => m.ruleId?.startsWith("import-x/") || m.ruleId?.endsWith("no-restricted-imports"))
    .map((m) => m.message);
}

describe("import boundaries", () => {
  it("a feature may not import another feature", async () => {
    const errors = await boundaryErrors(
      "app/features/chat/probe.ts",
      'import { ModelBar } from "../models/ModelBar";\nexport { ModelBar };\n',
    );
    expect(errors.join("\n")).toMatch(/Features meet through the store/);
  });

  it("a feature may import its own modules, shared code and the store", async () => {
    const errors = await boundaryErrors(
      "app/features/chat/probe.ts",
      [
        'import { MessageView } from "./MessageView";',
        'import { useApp } from "../../store/use-app";',
        'import { formatRate } from "../../ui/format";',
        "export { MessageView, useApp, formatRate };",
        "",
      ].join("\n"),
    );
    expect(errors).toEqual([]);
  });

  it("only the shell imports the shell", async () => {
    const errors = await boundaryErrors(
      "app/features/chat/probe.ts",
      'import { createAppStore } from "../../shell/store";\nexport { createAppStore };\n',
    );
    expect(errors.join("\n")).toMatch(/Only the shell/);
  });

  it("shared code imports neither features nor the store", async () => {
    const feature = await boundaryErrors(
      "app/ui/probe.ts",
      'import { MessageView } from "../features/chat/MessageView";\nexport { MessageView };\n',
    );
    const store = await boundaryErrors(
      "app/prompt/probe.ts",
      'import { useApp } from "../store/use-app";\nexport { useApp };\n',
    );
    expect(feature.join("\n")).toMatch(/Shared code must not import features/);
    expect(store.join("\n")).toMatch(/Shared code must not import features or the store/);
  });

  it("the worker imports only the protocol and the prompt layout from the page's code", async () => {
    const ui = await boundaryErrors(
      "workers/probe.ts",
      'import { formatRate } from "../app/ui/format";\nexport { formatRate };\n',
    );
    const protocol = await boundaryErrors(
      "workers/probe.ts",
      'import { ENGINE_ERROR_CODES } from "../app/protocol/worker-protocol";\nexport { ENGINE_ERROR_CODES };\n',
    );
    expect(ui.join("\n")).toMatch(/only app\/protocol and app\/prompt/);
    expect(protocol).toEqual([]);
  });

  it("the product never imports its tests", async () => {
    const errors = await boundaryErrors(
      "workers/probe.ts",
      'import { TestEngine } from "../test/engine/test-engine";\nexport { TestEngine };\n',
    );
    expect(errors.join("\n")).toMatch(/never imports its tests/);
  });

  it("the store imports the features' types only", async () => {
    const typeOnly = await boundaryErrors(
      "app/store/probe.ts",
      'import type { ChatSlice } from "../features/chat/slice";\nexport type { ChatSlice };\n',
    );
    const value = await boundaryErrors(
      "app/store/probe.ts",
      'import { createChatSlice } from "../features/chat/slice";\nexport { createChatSlice };\n',
    );
    expect(typeOnly).toEqual([]);
    expect(value.join("\n")).toMatch(/types only/);
  });

  it("no run-time import cycle (strings.ts re-exporting i18n.ts was one)", async () => {
    const strings = readFileSync(new URL("../../../app/i18n/strings.ts", import.meta.url), "utf8");
    const errors = await boundaryErrors(
      "app/i18n/strings.ts",
      `${strings}\nexport { useStrings } from "./i18n";\n`,
    );
    expect(errors.join("\n")).toMatch(/Dependency cycle/);
  });
});
