/**
 * The typed protocol between the main thread and the LLM worker.
 *
 * Invariants:
 * - Every request carries a `requestId`; every reply except `ready` and `pong` names the
 *   request it belongs to, so the client can keep a map of pending requests.
 * - A request ends with exactly one terminal reply: `loaded`, `done`, `ok` or `error`.
 * - Errors cross the boundary as plain `{code, message}` objects, never as thrown strings,
 *   so the UI can react to each kind.
 * This module is imported by both sides; it must stay free of DOM and worker globals.
 */

export const ENGINE_ERROR_CODES = [
  "no-webgpu",
  "missing-gpu-feature",
  "model-files-not-found",
  "model-library-invalid",
  "device-lost",
  "context-window-exceeded",
  "worker-crashed",
  "not-loaded",
  "busy",
  "network",
  "quota-exceeded",
  "unknown",
] as const;
export type EngineErrorCode = (typeof ENGINE_ERROR_CODES)[number];

export interface EngineErrorInfo {
  code: EngineErrorCode;
  message: string;
}

/** What the worker needs to know to load one model; built from a catalog entry. */
export interface ModelSpec {
  id: string;
  /** Which engine runs it. `test` exists only in test builds. */
  engine: "webllm" | "test";
  /** Absolute URL of the model folder (web-llm appends `resolve/main/` when needed). */
  modelUrl?: string;
  /** Absolute URL of the compiled model library (.wasm). */
  modelLibUrl?: string;
  /** Take URLs from web-llm's own prebuilt list for this id instead of the two above. */
  prebuilt?: boolean;
  /** WebGPU features the model library needs, e.g. `shader-f16`. */
  requiredFeatures: string[];
  contextWindow?: number;
  /** Known total download size, used for MB figures when the engine gives only a fraction. */
  downloadBytes?: number;
  /** Options for the test engine (ignored by web-llm). */
  testEngine?: TestEngineOptions;
}

export interface TestEngineOptions {
  tokensPerSecond?: number;
  /** Fail the load with this error after the fetch phase starts. */
  loadFailure?: EngineErrorCode;
  /** Simulated download size in bytes. */
  downloadBytes?: number;
}

export type ChatRole = "system" | "user" | "assistant";
export interface ChatTurn {
  role: ChatRole;
  content: string;
}

export interface ChatOptions {
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  repetitionPenalty?: number;
  stop?: string[];
}

export type ChatInput =
  { kind: "messages"; messages: ChatTurn[] } | { kind: "prompt"; prompt: string };

export type LoadPhase = "preparing" | "fetching" | "loading-cache" | "compiling";

export interface LoadProgress {
  phase: LoadPhase;
  /** 0..1 within the current phase (phases restart at 0). */
  fraction: number;
  bytesDone?: number;
  bytesTotal?: number;
  text: string;
}

export type FinishReason = "stop" | "length" | "abort";

export interface ChatUsage {
  promptTokens: number;
  completionTokens: number;
  prefillTokensPerSecond: number;
  decodeTokensPerSecond: number;
  finishReason: FinishReason;
}

export type WorkerRequest =
  | { type: "load"; requestId: number; model: ModelSpec }
  | { type: "chat"; requestId: number; input: ChatInput; options: ChatOptions }
  | { type: "stop"; requestId: number }
  | { type: "unload"; requestId: number }
  | { type: "reset"; requestId: number }
  | { type: "count-tokens"; requestId: number; texts: string[] }
  | { type: "ping"; requestId: number };

export type WorkerReply =
  | { type: "ready" }
  | { type: "pong"; requestId: number }
  | { type: "progress"; requestId: number; progress: LoadProgress }
  | { type: "loaded"; requestId: number; modelId: string }
  | { type: "delta"; requestId: number; text: string }
  | { type: "done"; requestId: number; usage: ChatUsage }
  | { type: "ok"; requestId: number }
  | { type: "token-counts"; requestId: number; counts: number[] }
  | { type: "error"; requestId: number; error: EngineErrorInfo };

export function isEngineErrorCode(value: unknown): value is EngineErrorCode {
  return typeof value === "string" && (ENGINE_ERROR_CODES as readonly string[]).includes(value);
}
