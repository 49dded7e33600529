import { defineConfig } from "vitest/config";
import { loadEnv, type Plugin } from "vite";
import react from "@vitejs/plugin-react";
import tailwindcss from "@tailwindcss/vite";
import { VitePWA } from "vite-plugin-pwa";
import { fileURLToPath } from "node:url";
import { pwaOptions } from "./app/features/pwa/pwa-options.js";
import { modelConnectSources } from "./app/protocol/download-sources.js";

const root = fileURLToPath(new URL(".", import.meta.url));

// `--mode test` builds the same app into dist-test/ with one difference: the worker's engine
// registry also knows the deterministic test engine. The production build resolves the
// registry to web-llm only, so no test code can reach dist/ (test/unit/build-purity checks it).
export default defineConfig(({ mode }) => {
  const testBuild = mode === "test";
  const env = loadEnv(mode, root, "VITE_");
  return {
    plugins: [
      react(),
      tailwindcss(),
      VitePWA(pwaOptions),
      cspMetaTag(modelConnectSources([env.VITE_MODEL_BASE_URL, env.VITE_MODEL_HOSTS])),
      markdownItFields(),
    ],
    resolve: {
      alias: {
        "#engine-registry": testBuild
          ? `${root}test/engine/registry.ts`
          : `${root}workers/engine-registry.ts`,
      },
    },
    worker: { format: "es" },
    build: {
      outDir: testBuild ? "dist-test" : "dist",
      emptyOutDir: true,
      manifest: true,
      sourcemap: false,
      chunkSizeWarningLimit: 7000,
    },
    preview: { host: "127.0.0.1", port: 4173 },
    server: { host: "127.0.0.1", port: 5173 },
    test: {
      include: ["test/unit/**/*.test.ts"],
      environment: "node",
      // A hang guard, not a speed check: on a 2-core machine running the build beside them,
      // tests that run web-llm's tokenizer or a whole model-build take seconds.
      testTimeout: 30_000,
    },
  };
});

/**
 * The Content-Security-Policy every build ships as a <meta> tag, the one delivery every static
 * host honours (README "Content-Security-Policy" gives the header form). Only built pages get
 * it: the dev server needs inline scripts and styles for hot reload.
 *
 * connect-src names where model files come from: the app's own origin and every download source
 * the Settings offer (app/protocol/download-sources.ts, the one list), with the deploy's own
 * model host (VITE_MODEL_BASE_URL) and extra hosts (VITE_MODEL_HOSTS) when it sets them.
 */
export function contentSecurityPolicy(modelHosts: string[] = modelConnectSources()): string {
  return [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "worker-src 'self' blob:",
    `connect-src 'self' ${modelHosts.join(" ")}`,
    "img-src 'self' data: blob:",
    // Style attributes only (KaTeX lays out formulas with them; CSS can reach other hosts only
    // through url(), which img-src and font-src govern). <style> elements stay forbidden.
    "style-src 'self'",
    "style-src-attr 'unsafe-inline'",
    "font-src 'self' data:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
  ].join("; ");
}

function cspMetaTag(modelHosts: string[]): Plugin {
  return {
    name: "cutegpt-csp-meta",
    apply: "build",
    transformIndexHtml: () => [
      {
        tag: "meta",
        attrs: {
          "http-equiv": "Content-Security-Policy",
          content: contentSecurityPolicy(modelHosts),
        },
        injectTo: "head-prepend",
      },
    ],
  };
}

/**
 * markdown-it 15 ships its classes with their fields lowered to calls of a `_defineProperty`
 * helper (a key conversion, an `in` test and a keyed store for every field of every object). A
 * Token has thirteen fields and a long reply makes hundreds of thousands of tokens: in traces of
 * opening long replies the helper was the largest single JS cost of parsing. The build writes
 * the simple ones back as plain assignments in the constructor, `this.map = null;`, which V8
 * compiles to fast named stores. Same result: each is an own, enumerable, writable field
 * defined on a fresh object, and none of markdown-it's prototypes has an accessor of that name.
 */
export function markdownItFields(): Plugin {
  return {
    name: "cutegpt-markdown-it-fields",
    apply: "build",
    transform(code, id) {
      if (!/[\\/]markdown-it[\\/]dist[\\/]markdown-it\.mjs$/.test(id)) return null;
      return { code: plainClassFields(code), map: null };
    },
  };
}

// `_defineProperty(this, /** doc */ "name", value);` with a value free of parentheses,
// semicolons and line breaks (a literal or a name); the doc comment must not reach past its end.
const FIELD_CALL =
  /_defineProperty\(\s*this,\s*(?:\/\*(?:[^*]|\*(?!\/))*\*\/\s*)?"(\w+)",\s*([^();\n]+?)\s*\);/g;

/** markdown-it's dist with simple field definitions as assignments (see `markdownItFields`). */
export function plainClassFields(code: string): string {
  const out = code.replace(
    FIELD_CALL,
    (_, name: string, value: string) => `this.${name} = ${value};`,
  );
  // The Token constructor is the one that matters; if a markdown-it update changes its shape,
  // say so rather than silently building the slow form.
  const token = /var Token = class \{\s*constructor\([^)]*\) \{([^}]*)\}/.exec(out)?.[1];
  if (!token || token.includes("_defineProperty") || !token.includes("this.map = null;")) {
    throw new Error("markdown-it's Token class changed: update plainClassFields in vite.config.ts");
  }
  return out;
}
