import type { ModelSpec } from "../../app/protocol/worker-protocol";
import type { Engine } from "../../workers/engine";
import { createEngine as createProductionEngine } from "../../workers/engine-registry";
import { TestEngine } from "./test-engine";

/**
 * The engine registry of test builds (vite --mode test). Catalog entries marked
 * `engine: "test"` get the deterministic engine; everything else takes the production path,
 * so browser tests can also drive the real web-llm engine.
 */
export async function createEngine(spec: ModelSpec): Promise<Engine> {
  if (spec.engine === "test") return new TestEngine();
  return createProductionEngine(spec);
}
