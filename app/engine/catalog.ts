// zod/mini: the same checks at a quarter of classic zod's size in the first load.
import { z } from "zod/mini";
import type { ModelSpec } from "../protocol/worker-protocol";
import { ENGINE_ERROR_CODES } from "../protocol/worker-protocol";
import type { DownloadSource } from "../protocol/download-sources";

const entrySchema = z.object({
  id: z.string().check(z.minLength(1)),
  name: z.string().check(z.minLength(1)),
  family: z.string(),
  description: z.optional(z.string()),
  variant: z.optional(z.string()),
  quantization: z.optional(z.string()),
  engine: z.enum(["webllm", "test"]),
  prebuilt: z.optional(z.boolean()),
  modelPath: z.optional(z.string()),
  modelLibPath: z.optional(z.string()),
  requiredFeatures: z._default(z.array(z.string()), []),
  vramMB: z.optional(z.number()),
  bufferSizeRequiredBytes: z.optional(z.number()),
  downloadBytes: z.optional(z.number()),
  contextWindow: z.optional(z.int().check(z.positive())),
  /** From model-build: SRI for config, library and tokenizer; sha256 SRI per weight shard. */
  integrity: z.optional(
    z.object({
      config: z.optional(z.string()),
      modelLib: z.optional(z.string()),
      tokenizer: z.optional(z.string()),
      shards: z.optional(z.record(z.string(), z.string())),
    }),
  ),
  /** Set on entries the user imported from a folder (kept in this browser only). */
  imported: z.optional(z.boolean()),
  testEngine: z.optional(
    z.object({
      tokensPerSecond: z.optional(z.number().check(z.positive())),
      loadFailure: z.optional(z.enum(ENGINE_ERROR_CODES)),
      downloadBytes: z.optional(z.number()),
    }),
  ),
});

const catalogSchema = z.object({
  version: z.literal(1),
  /** Where model folders and libraries live; relative URLs resolve against the catalog. */
  modelBaseUrl: z.optional(z.string()),
  models: z.array(entrySchema),
});

export type CatalogEntry = z.infer<typeof entrySchema>;

/** Validates one entry (e.g. an imported one kept in this browser); undefined if unusable. */
export function parseCatalogEntry(value: unknown): CatalogEntry | undefined {
  const parsed = entrySchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}
export type Catalog = z.infer<typeof catalogSchema>;

export const CUTEGPT_FAMILY = "cutegpt";

export class CatalogError extends Error {
  override name = "CatalogError";
}

/**
 * Reads the model catalog served next to the app. The deploy can point model files at
 * another host with VITE_MODEL_BASE_URL; otherwise they come from the same origin.
 */
export async function fetchCatalog(catalogUrl: URL): Promise<{ catalog: Catalog; baseUrl: URL }> {
  let response: Response;
  try {
    response = await fetch(catalogUrl, { cache: "no-cache" });
  } catch {
    throw new CatalogError(
      "The model list could not be fetched. Check the connection and reload the page.",
    );
  }
  if (!response.ok) {
    throw new CatalogError(`The model list is missing (HTTP ${response.status}).`);
  }
  const parsed = catalogSchema.safeParse(await response.json().catch(() => undefined));
  if (!parsed.success) {
    throw new CatalogError("The model list is damaged; the app cannot read it.");
  }
  const override = import.meta.env.VITE_MODEL_BASE_URL as string | undefined;
  const baseUrl = new URL(override ?? parsed.data.modelBaseUrl ?? "./", catalogUrl);
  return { catalog: parsed.data, baseUrl };
}

/**
 * What the worker needs for one entry; URLs must be absolute for web-llm. They stay canonical
 * (the cache keys); `source` tells the worker where to fetch them from.
 */
export function modelSpecFor(
  entry: CatalogEntry,
  baseUrl: URL,
  source?: DownloadSource,
): ModelSpec {
  const spec: ModelSpec = {
    id: entry.id,
    engine: entry.engine,
    requiredFeatures: entry.requiredFeatures,
  };
  if (entry.prebuilt) spec.prebuilt = true;
  // CuteGPT decodes as its reference scripts do (see workers/hf-decoding.ts).
  if (entry.family === CUTEGPT_FAMILY) spec.hfDecoding = true;
  if (entry.modelPath) spec.modelUrl = new URL(entry.modelPath, baseUrl).href;
  if (entry.modelLibPath) spec.modelLibUrl = new URL(entry.modelLibPath, baseUrl).href;
  if (entry.contextWindow) spec.contextWindow = entry.contextWindow;
  if (entry.downloadBytes) spec.downloadBytes = entry.downloadBytes;
  if (source) spec.downloadSource = source;
  if (entry.integrity) {
    const { config, modelLib, tokenizer, shards } = entry.integrity;
    spec.integrity = {
      ...(config !== undefined && { config }),
      ...(modelLib !== undefined && { modelLib }),
      ...(tokenizer !== undefined && { tokenizer }),
      ...(shards !== undefined && { shards }),
    };
  }
  if (entry.testEngine) {
    const { tokensPerSecond, loadFailure, downloadBytes } = entry.testEngine;
    spec.testEngine = {
      ...(tokensPerSecond !== undefined && { tokensPerSecond }),
      ...(loadFailure !== undefined && { loadFailure }),
      ...(downloadBytes !== undefined && { downloadBytes }),
    };
  }
  return spec;
}
