import type { GpuSupport } from "../../engine/gpu-support";
import type { Translate } from "../../i18n/i18n";
import { formatMB } from "../../ui/format";
import type { CatalogEntry } from "./catalog";
import { unsupportedReason, type Availability } from "./compatibility";

/**
 * Why a model cannot run here, in the UI's language. `unsupportedReason` stays the one
 * decision (and its English text the log's); this only words the same checks for display, in
 * the order it makes them. A reason it does not know reads as the generic one, never English.
 */
export function unavailableText(
  tr: Translate,
  entry: CatalogEntry,
  gpu: GpuSupport,
  availability: Availability = {},
): string | undefined {
  if (unsupportedReason(entry, gpu, availability) === undefined) return undefined;
  if (availability.filesMissing) return tr("reasonFilesMissing");
  if (gpu.status !== "available") return tr("reasonOther");
  const missing = entry.requiredFeatures.filter((f) => !gpu.features.includes(f));
  if (missing.includes("shader-f16")) return tr("reasonNoF16");
  if (missing.length > 0) return tr("reasonMissingFeature", { features: missing.join(", ") });
  const needed = entry.bufferSizeRequiredBytes;
  if (needed !== undefined) {
    const limit = Math.min(gpu.maxBufferSize, gpu.maxStorageBufferBindingSize);
    return tr("reasonBufferTooSmall", { limit: formatMB(limit), needed: formatMB(needed) });
  }
  return tr("reasonOther");
}
