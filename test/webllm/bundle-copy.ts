import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";

/**
 * The one copy of web-llm's pinned bundle that tests and benchmarks import to reach classes
 * the package does not export (its LLMChatPipeline, Conversation, lock, tokenizer
 * bindings and tvmjs runtime). What runs is web-llm's own code; the copy differs from lib/index.js only in
 * two ways, both needed by Node and neither on a path the tests look at:
 * - an export line at the end for the internals below;
 * - the tokenizer's emscripten loader asks for a require() and a script path, which a
 *   browser has neither of (it takes the same code path there with a dummy).
 *
 * Every user goes through this module: two writers of differently patched copies under one
 * name would make whichever test ran second import the other's copy.
 */

export type WebLlmModule = typeof import("@mlc-ai/web-llm");

export interface BundleInternals {
  __LLMChatPipeline: new (...args: unknown[]) => unknown;
  __CustomLock: new () => unknown;
  __Conversation: new (config: unknown, isTextCompletion?: boolean) => unknown;
  __tokenizers: { Tokenizer: unknown };
  /** The bundled tvmjs runtime (web-llm's libExports$2): its Instance and WebGPUContext. */
  __tvmjs: { Instance: { prototype: Record<string, unknown> } };
}

const BUNDLE = new URL("../../node_modules/@mlc-ai/web-llm/lib/index.js", import.meta.url);
const COPY_DIR = new URL("../../node_modules/.cache/webllm-internals/", import.meta.url);
const DECLARATIONS = [
  "\nclass LLMChatPipeline {",
  "\nclass CustomLock {",
  "\nclass Conversation {",
  "libExports",
  "\nvar libExports$2 = ",
];
const EXPORTS =
  "export { LLMChatPipeline as __LLMChatPipeline, CustomLock as __CustomLock, " +
  "Conversation as __Conversation, libExports as __tokenizers, libExports$2 as __tvmjs };";
const PREAMBLE =
  'import { createRequire as __cr } from "node:module";\n' +
  "const createRequire = () => __cr(import.meta.url);\n";

let loading: Promise<WebLlmModule & BundleInternals> | undefined;

/** web-llm's module, with its internal classes reachable. */
export function importWebLlmCopy(): Promise<WebLlmModule & BundleInternals> {
  loading ??= (async () => {
    const source = readFileSync(BUNDLE, "utf8");
    for (const declaration of DECLARATIONS) {
      if (!source.includes(declaration)) {
        throw new Error(`web-llm's bundle no longer declares ${declaration.trim()}`);
      }
    }
    const copy = `${PREAMBLE}${source
      .replace(/^\/\/# sourceMappingURL=.*$/m, "")
      .replaceAll('"MLC_DUMMY_PATH"', "import.meta.url")}\n${EXPORTS}\n`;
    // Keyed by what is written, so a change to the patch never meets an older copy.
    const hash = createHash("sha256").update(copy).digest("hex").slice(0, 16);
    const file = new URL(`index-${hash}.mjs`, COPY_DIR);
    if (!existsSync(file)) {
      mkdirSync(COPY_DIR, { recursive: true });
      // Test files run in parallel workers: write aside, then rename into place at once.
      const partial = new URL(`index-${hash}.${process.pid}.partial`, COPY_DIR);
      writeFileSync(partial, copy);
      renameSync(partial, file);
    }
    return (await import(/* @vite-ignore */ file.href)) as WebLlmModule & BundleInternals;
  })();
  return loading;
}
