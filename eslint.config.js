import js from "@eslint/js";
import tseslint from "typescript-eslint";
import reactHooks from "eslint-plugin-react-hooks";
import globals from "globals";
import prettier from "eslint-config-prettier";

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
          ],
        },
      ],
    },
  },
  {
    // Shared building blocks never depend on a feature (design.md habit 1).
    files: ["app/ui/**", "app/engine/**", "app/storage/**", "app/prompt/**", "app/i18n/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: ["**/features/**"], message: "Shared code must not import features." },
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
