export type GpuSupport =
  | { status: "checking" }
  | {
      status: "available";
      features: string[];
      maxBufferSize: number;
      maxStorageBufferBindingSize: number;
      /** A software adapter (e.g. SwiftShader) works but is far too slow for a 13B model. */
      software: boolean;
    }
  | { status: "unavailable"; reason: "no-api" | "no-adapter" };

/**
 * The main thread's own look at WebGPU, used to explain a missing GPU before the user tries
 * to load anything and to disable models this adapter cannot run. The worker checks again
 * before each load because it is the one that uses the device.
 */
export async function detectGpuSupport(gpu: GPU | undefined): Promise<GpuSupport> {
  if (!gpu) return { status: "unavailable", reason: "no-api" };
  let adapter: GPUAdapter | null = null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: "high-performance" });
  } catch {
    adapter = null;
  }
  if (!adapter) return { status: "unavailable", reason: "no-adapter" };
  return {
    status: "available",
    features: [...adapter.features],
    maxBufferSize: adapter.limits.maxBufferSize,
    maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
    software: adapter.info.isFallbackAdapter || /swiftshader/i.test(adapter.info.architecture),
  };
}
