import type { ModelSpec } from "../app/protocol/worker-protocol";
import { EngineError, type Engine } from "./engine";

/**
 * Production engines. web-llm is imported lazily so the worker starts (and answers pings)
 * before its 6 MB bundle is parsed, and so the test build can share this file unchanged.
 */
export async function createEngine(spec: ModelSpec): Promise<Engine> {
  if (spec.engine === "webllm") {
    const { WebLlmEngine } = await import("./webllm-engine");
    return new WebLlmEngine();
  }
  throw new EngineError("unknown", `No engine called "${spec.engine}" is available in this build.`);
}
