import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { BuildError } from "./errors";
import type { Quantization, Variant } from "./options";

export interface CatalogIntegrity {
  config: string;
  modelLib: string;
  tokenizer: string;
  shards: Record<string, string>;
}

/** The entry shape the app reads from public/models/catalog.json. */
export interface CuteGptEntry {
  id: string;
  name: string;
  family: "cutegpt";
  variant: Variant;
  quantization: Quantization;
  engine: "webllm";
  modelPath: string;
  modelLibPath: string;
  requiredFeatures: string[];
  vramMB: number;
  downloadBytes: number;
  contextWindow: number;
  integrity: CatalogIntegrity;
}

/** Entries of other families are kept as they are, whatever their shape. */
export type CatalogEntry =
  CuteGptEntry | ({ id: string; family?: string } & Record<string, unknown>);

/** Top-level fields other than these (e.g. the app's modelBaseUrl) are carried through. */
export interface Catalog {
  version: 1;
  models: CatalogEntry[];
  [field: string]: unknown;
}

export function readCatalog(file: string): Catalog {
  if (!existsSync(file)) return { version: 1, models: [] };
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new BuildError(
      "catalog",
      `${file} is not valid JSON (${(error as Error).message}); fix or remove it, it was left as is.`,
    );
  }
  const c = data as Partial<Catalog>;
  if (c.version !== 1 || !Array.isArray(c.models)) {
    throw new BuildError(
      "catalog",
      `${file} is not a version-1 catalog ({"version":1,"models":[...]}); it was left as is.`,
    );
  }
  for (const entry of c.models) {
    if (typeof entry !== "object" || entry === null || typeof entry.id !== "string") {
      throw new BuildError("catalog", `${file} has a model entry without an "id"; left as is.`);
    }
  }
  return c as Catalog;
}

/**
 * Replaces this CLI's entries by id, in place, appends new ones, and keeps every other entry
 * (other families, CuteGPT builds not part of this run) untouched.
 */
export function mergeCatalog(existing: Catalog, entries: CuteGptEntry[]): Catalog {
  const byId = new Map(entries.map((e) => [e.id, e]));
  const models: CatalogEntry[] = existing.models.map((m) => {
    const replacement = byId.get(m.id);
    if (replacement === undefined) return m;
    byId.delete(m.id);
    return replacement;
  });
  for (const entry of entries) if (byId.has(entry.id)) models.push(entry);
  return { ...existing, version: 1, models };
}

/** Written through a temporary file so a crash never leaves the app a half-written catalog. */
export function writeCatalog(file: string, catalog: Catalog): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(catalog, null, 2) + "\n");
  renameSync(tmp, file);
}
