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
