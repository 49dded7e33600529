import js from "@eslint/js";
import tseslint from "typescript-eslint";
import reactHooks from "eslint-plugin-react-hooks";
import globals from "globals";
import prettier from "eslint-config-prettier";
import importX, { createNodeResolver } from "eslint-plugin-import-x";
import { readdirSync } from "node:fs";

// Each folder of app/features is a feature; they meet only through the store (app/store).
const FEATURES = readdirSync(new URL("./app/features", import.meta.url));
const SHARED = ["app/ui", "app/engine", "app/protocol", "app/storage", "app/prompt", "app/i18n"];

export default tseslint.config(
  { ignores: ["dist", "dist-test", "node_modules", "test-results", "playwright-report"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["app/**/*.{ts,tsx}"],
    plugins: { "react-hooks": reactHooks },
    languageOptions: { globals: globals.browser },
    rules: {
      ...reactHooks.configs.recommended.rules,
      // The main thread must never pull web-llm's 6 MB bundle; types are fine.
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          paths: [
            {
              name: "@mlc-ai/web-llm",
              message: "Only the worker may import web-llm at run time.",
              allowTypeImports: true,
            },
            {
              // Classic zod is 26 KB gzipped in the first load, zod/mini 7 KB, same checks.
              name: "zod",
              message: "Import zod/mini: the page's first load has a 150 KB budget.",
            },
          ],
        },
      ],
    },
  },
  {
    // The house's boundaries, checked on resolved paths (design.md habit 1): a feature never
    // imports another; features and shared code never import the shell (the composition root);
    // shared code never imports a feature; the product never imports its tests.
    files: ["app/**/*.{ts,tsx}", "workers/**/*.ts"],
    plugins: { "import-x": importX },
    settings: {
      "import-x/resolver-next": [createNodeResolver({ extensions: [".ts", ".tsx", ".js"] })],
      // no-cycle reads the imported files itself and needs a TypeScript parser for them.
      "import-x/parsers": { "@typescript-eslint/parser": [".ts", ".tsx"] },
      "import-x/extensions": [".ts", ".tsx", ".js"],
    },
    rules: {
      "import-x/no-unresolved": ["error", { ignore: ["^#", "^virtual:", "\\?(url|worker|raw)$"] }],
      // Type-only imports may go both ways (a slice and the store's type); values may not.
      "import-x/no-cycle": ["error", { ignoreExternal: true }],
      "import-x/no-restricted-paths": [
        "error",
        {
          zones: [
            ...FEATURES.map((feature) => ({
              target: `app/features/${feature}`,
              from: "app/features",
              except: [`./${feature}`],
              message: "Features meet through the store (app/store), not by importing each other.",
            })),
            {
              target: ["app/features", "app/store", ...SHARED],
              from: "app/shell",
              message: "Only the shell (the composition root) may import the shell.",
            },
            {
              target: SHARED,
              from: ["app/features", "app/store"],
              message: "Shared code must not import features or the store.",
            },
            {
              // The worker shares the protocol with the page, and the prompt layout it caches.
              target: "workers",
              from: "app",
              except: ["./protocol", "./prompt"],
              message: "The worker imports only app/protocol and app/prompt from the page's code.",
            },
            {
              target: ["app", "workers"],
              from: "test",
              message: "The product never imports its tests.",
            },
          ],
        },
      ],
    },
  },
  {
    // The store's types name every slice, so it may import their types, and only their types.
    files: ["app/store/**"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["**/features/**"],
              message: "The store may import the features' types only.",
              allowTypeImports: true,
            },
          ],
        },
      ],
    },
  },
  {
    files: ["workers/**/*.ts"],
    languageOptions: { globals: globals.worker },
  },
  {
    files: ["test/**", "model-build/**", "*.config.ts", "*.config.js"],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
  },
  {
    rules: {
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_" },
      ],
    },
  },
  prettier,
);
