import type { GpuSupport } from "../../engine/gpu-support";
import { formatMB } from "../../ui/format";
import type { CatalogEntry } from "./catalog";

export interface Availability {
  /** Model files known to be absent from the server (checked before offering a download). */
  filesMissing?: boolean;
}

/**
 * Why the entry cannot run here, in plain words; undefined when it can (or when the GPU is
 * still being checked). Checked before any download, from the real adapter's features and
 * limits, so nobody downloads gigabytes for a model their GPU cannot run.
 */
export function unsupportedReason(
  entry: CatalogEntry,
  gpu: GpuSupport,
  availability: Availability = {},
): string | undefined {
  if (availability.filesMissing) {
    return "Its files are not on this server yet: build them with `npm run model-build` or import the folder.";
  }
  if (gpu.status !== "available") return undefined;
  const missing = entry.requiredFeatures.filter((f) => !gpu.features.includes(f));
  if (missing.includes("shader-f16")) {
    return "This GPU cannot compute in 16-bit floats (no WebGPU shader-f16); use the q4f32_1 build.";
  }
  if (missing.length > 0) return `This GPU lacks the WebGPU feature ${missing.join(", ")}.`;
  const needed = entry.bufferSizeRequiredBytes;
  if (
    needed !== undefined &&
    (needed > gpu.maxBufferSize || needed > gpu.maxStorageBufferBindingSize)
  ) {
    const limit = Math.min(gpu.maxBufferSize, gpu.maxStorageBufferBindingSize);
    return `This GPU allows buffers of ${formatMB(limit)} but the model needs ${formatMB(needed)}.`;
  }
  return undefined;
}

/**
 * The default pick: CuteGPT when its files are here and this GPU can run it (the f16 build
 * where shader-f16 exists, else f32, in catalog order), otherwise the first runnable model.
 */
export function preferredModel(
  entries: CatalogEntry[],
  gpu: GpuSupport,
  missing: Record<string, boolean>,
): CatalogEntry | undefined {
  const runnable = entries.filter(
    (m) => unsupportedReason(m, gpu, { filesMissing: missing[m.id] === true }) === undefined,
  );
  return runnable.find((m) => m.family === "cutegpt") ?? runnable[0];
}
