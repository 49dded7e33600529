import { defineConfig } from "vitest/config";
import { loadEnv, type Plugin } from "vite";
import react from "@vitejs/plugin-react";
import tailwindcss from "@tailwindcss/vite";
import { VitePWA } from "vite-plugin-pwa";
import { fileURLToPath } from "node:url";
import { pwaOptions } from "./app/features/pwa/pwa-options.js";

const root = fileURLToPath(new URL(".", import.meta.url));

// `--mode test` builds the same app into dist-test/ with one difference: the worker's engine
// registry also knows the deterministic test engine. The production build resolves the
// registry to web-llm only, so no test code can reach dist/ (test/unit/build-purity checks it).
export default defineConfig(({ mode }) => {
  const testBuild = mode === "test";
  return {
    plugins: [
      react(),
      tailwindcss(),
      VitePWA(pwaOptions),
      cspMetaTag(loadEnv(mode, root, "VITE_").VITE_MODEL_BASE_URL),
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
    },
  };
});

/**
 * The Content-Security-Policy every build ships as a <meta> tag, the one delivery every static
 * host honours (README "Content-Security-Policy" gives the header form). Only built pages get
 * it: the dev server needs inline scripts and styles for hot reload.
 *
 * connect-src names where model files come from: the app's own origin, the hosts of web-llm's
 * prebuilt models (Hugging Face redirects weight downloads to *.hf.co CDNs, and CSP checks every
 * redirect) and the origin of VITE_MODEL_BASE_URL when a deploy sets one.
 */
export function contentSecurityPolicy(modelBaseUrl?: string): string {
  const modelHosts = [
    "https://huggingface.co",
    "https://*.huggingface.co",
    "https://*.hf.co",
    "https://raw.githubusercontent.com",
  ];
  if (modelBaseUrl && /^https?:/.test(modelBaseUrl)) modelHosts.push(new URL(modelBaseUrl).origin);
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

function cspMetaTag(modelBaseUrl: string | undefined): Plugin {
  return {
    name: "cutegpt-csp-meta",
    apply: "build",
    transformIndexHtml: () => [
      {
        tag: "meta",
        attrs: {
          "http-equiv": "Content-Security-Policy",
          content: contentSecurityPolicy(modelBaseUrl),
        },
        injectTo: "head-prepend",
      },
    ],
  };
}
