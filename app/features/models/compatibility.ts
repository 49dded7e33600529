import type { GpuSupport } from "../../engine/gpu-support";
import type { StringKey } from "../../i18n/strings";
import type { CatalogEntry } from "../../engine/catalog";

export interface Availability {
  /** Model files known to be absent from where the catalog points (checked, not guessed). */
  filesMissing?: boolean;
  /** Bytes the browser still lets this site store (undefined: unknown). */
  freeBytes?: number;
  /** Bytes of this model already in the browser's cache. */
  cachedBytes?: number;
}

/** Why a model cannot be used here; each kind is a different fact with a different remedy. */
export type UnavailableKind = "not-published" | "gpu-feature" | "gpu-memory" | "storage";

export interface Unavailable {
  kind: UnavailableKind;
  /** i18n key of the sentence, and the values it interpolates. */
  key: StringKey;
  values?: Record<string, string | number>;
}

/** The short label the picker puts after the model's name, per kind. */
export const UNAVAILABLE_LABEL: Record<UnavailableKind, StringKey> = {
  "not-published": "unavailableNotPublished",
  "gpu-feature": "unsupportedModel",
  "gpu-memory": "unavailableGpuMemory",
  storage: "unavailableStorage",
};

const MB = 1024 * 1024;
const mb = (bytes: number) => Math.max(1, Math.round(bytes / MB)).toLocaleString("en");

/**
 * Why the entry cannot run here, or undefined when it can (or while the GPU is still being
 * checked). Checked before any download, from the real adapter's features and limits and the
 * browser's storage estimate, so nobody downloads gigabytes for a model that cannot run.
 * Files that are missing come first: no GPU makes an unpublished model usable.
 */
export function unavailableReason(
  entry: CatalogEntry,
  gpu: GpuSupport,
  availability: Availability = {},
): Unavailable | undefined {
  if (availability.filesMissing) return { kind: "not-published", key: "reasonNotPublished" };
  if (gpu.status === "available") {
    const missing = entry.requiredFeatures.filter((f) => !gpu.features.includes(f));
    if (missing.includes("shader-f16")) return { kind: "gpu-feature", key: "reasonNoF16" };
    if (missing.length > 0) {
      return {
        kind: "gpu-feature",
        key: "reasonGpuFeature",
        values: { features: missing.join(", ") },
      };
    }
    const needed = entry.bufferSizeRequiredBytes;
    const limit = Math.min(gpu.maxBufferSize, gpu.maxStorageBufferBindingSize);
    if (needed !== undefined && needed > limit) {
      return {
        kind: "gpu-memory",
        key: "reasonGpuMemory",
        values: { limit: mb(limit), needed: mb(needed) },
      };
    }
  }
  const { freeBytes, cachedBytes = 0 } = availability;
  if (freeBytes !== undefined && entry.downloadBytes !== undefined) {
    const stillNeeded = entry.downloadBytes - cachedBytes;
    if (stillNeeded > freeBytes) {
      return {
        kind: "storage",
        key: "reasonStorage",
        values: { needed: mb(stillNeeded), free: mb(Math.max(0, freeBytes)) },
      };
    }
  }
  return undefined;
}

/**
 * The default pick: CuteGPT when its files are published and this GPU can run it (the f16
 * build where shader-f16 exists, since it is listed first, else f32), otherwise the first
 * runnable model.
 */
export function preferredModel(
  entries: CatalogEntry[],
  usable: (entry: CatalogEntry) => boolean,
): CatalogEntry | undefined {
  const runnable = entries.filter(usable);
  return runnable.find((m) => m.family === "cutegpt") ?? runnable[0];
}

/** What to chat with while CuteGPT is unavailable: the first runnable model of another family. */
export function meanwhileModel(
  entries: CatalogEntry[],
  usable: (entry: CatalogEntry) => boolean,
): CatalogEntry | undefined {
  return entries.find((m) => m.family !== "cutegpt" && usable(m));
}
