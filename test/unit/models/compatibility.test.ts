import { describe, expect, it } from "vitest";
import type { GpuSupport } from "../../../app/engine/gpu-support";
import type { CatalogEntry } from "../../../app/engine/catalog";
import {
  meanwhileModel,
  preferredModel,
  unavailableReason,
} from "../../../app/features/models/compatibility";

const GB = 1024 ** 3;
const gpu = (features: string[] = []): GpuSupport => ({
  status: "available",
  features,
  maxBufferSize: GB,
  maxStorageBufferBindingSize: GB,
  software: false,
});
const entry = (id: string, over: Partial<CatalogEntry> = {}): CatalogEntry => ({
  id,
  name: id,
  family: "cutegpt",
  engine: "webllm",
  requiredFeatures: [],
  ...over,
});
const f16 = entry("cg-f16", { requiredFeatures: ["shader-f16"], downloadBytes: 7 * GB });
const f32 = entry("cg-f32", { downloadBytes: 8 * GB });
const qwen = entry("qwen", { family: "webllm-prebuilt", prebuilt: true, downloadBytes: GB });

describe("why a model cannot be used here", () => {
  it("says the files are not published before anything about the GPU", () => {
    expect(unavailableReason(f16, gpu(), { filesMissing: true })?.kind).toBe("not-published");
  });

  it("names the missing GPU feature, the buffer limit and the storage, each as itself", () => {
    expect(unavailableReason(f16, gpu())).toMatchObject({
      kind: "gpu-feature",
      key: "reasonNoF16",
    });
    const big = entry("big", { bufferSizeRequiredBytes: 2 * GB });
    expect(unavailableReason(big, gpu())).toMatchObject({
      kind: "gpu-memory",
      values: { limit: "1,024", needed: "2,048" },
    });
    expect(unavailableReason(f32, gpu(), { freeBytes: 2 * GB })).toMatchObject({
      kind: "storage",
      values: { needed: "8,192", free: "2,048" },
    });
    // What is cached already does not need room again.
    expect(unavailableReason(f32, gpu(), { freeBytes: 2 * GB, cachedBytes: 7 * GB })).toBe(
      undefined,
    );
  });

  it("picks CuteGPT's f16 build where the GPU has shader-f16, else f32, else another model", () => {
    const usable =
      (g: GpuSupport, missing: string[] = []) =>
      (m: CatalogEntry) =>
        unavailableReason(m, g, { filesMissing: missing.includes(m.id) }) === undefined;
    const all = [f16, f32, qwen];
    expect(preferredModel(all, usable(gpu(["shader-f16"])))?.id).toBe("cg-f16");
    expect(preferredModel(all, usable(gpu()))?.id).toBe("cg-f32");
    const unpublished = usable(gpu(["shader-f16"]), ["cg-f16", "cg-f32"]);
    expect(preferredModel(all, unpublished)?.id).toBe("qwen");
    expect(meanwhileModel(all, unpublished)?.id).toBe("qwen");
  });
});
