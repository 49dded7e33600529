import { config } from "zod/mini";

/**
 * Imported first by main.tsx. zod compiles object parsers with `new Function` when it may, and
 * decides so when a schema is created (at module load). The app's Content-Security-Policy has
 * no 'unsafe-eval', so zod's probe would be refused and reported as a violation; told to stay
 * jitless, it never tries. (Parsing is as correct, a little slower: catalogs and links are small.)
 */
config({ jitless: true });
