import type { ModelSpec } from "../app/protocol/worker-protocol";
import { EngineError } from "./engine";

/**
 * Checks, before any engine touches the network, that this worker can reach a WebGPU adapter
 * with every feature the model needs. web-llm checks features only after fetching the wasm,
 * and some browsers expose `navigator.gpu` but hand out no adapter, so both cases are caught
 * here for every engine, the test engine included.
 */
export async function checkGpuFor(spec: ModelSpec, gpu: GPU | undefined): Promise<GPUAdapter> {
  if (!gpu) {
    throw new EngineError(
      "no-webgpu",
      "This browser has no WebGPU. Use a recent Chrome or Edge on a desktop (version 113 or later), or enable WebGPU in the browser settings.",
    );
  }
  const adapter = await gpu.requestAdapter({ powerPreference: "high-performance" });
  if (!adapter) {
    throw new EngineError(
      "no-webgpu",
      "WebGPU is present but no graphics adapter is available. Update the graphics driver, turn on hardware acceleration in the browser settings, or try another browser.",
    );
  }
  const missing = spec.requiredFeatures.filter((f) => !adapter.features.has(f));
  if (missing.length > 0) {
    throw new EngineError(
      "missing-gpu-feature",
      `This GPU lacks the WebGPU feature ${missing.join(", ")} that this model build needs. Pick the q4f32_1 build of the model instead.`,
    );
  }
  return adapter;
}
