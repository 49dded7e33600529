import type { GpuSupport } from "../../engine/gpu-support";
import type { CatalogEntry } from "./catalog";

/** Why this GPU cannot run the entry, in plain words; undefined when it can (or we can't tell yet). */
export function unsupportedReason(entry: CatalogEntry, gpu: GpuSupport): string | undefined {
  if (gpu.status !== "available") return undefined;
  const missing = entry.requiredFeatures.filter((f) => !gpu.features.includes(f));
  if (missing.includes("shader-f16")) {
    return "This GPU cannot compute in 16-bit floats (no shader-f16); use the q4f32_1 build.";
  }
  if (missing.length > 0) return `This GPU lacks the WebGPU feature ${missing.join(", ")}.`;
  return undefined;
}
