import { defineConfig } from "vitest/config";
import react from "@vitejs/plugin-react";
import tailwindcss from "@tailwindcss/vite";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL(".", import.meta.url));

// `--mode test` builds the same app into dist-test/ with one difference: the worker's engine
// registry also knows the deterministic test engine. The production build resolves the
// registry to web-llm only, so no test code can reach dist/ (test/unit/build-purity checks it).
export default defineConfig(({ mode }) => {
  const testBuild = mode === "test";
  return {
    plugins: [react(), tailwindcss()],
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
