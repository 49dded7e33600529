import type { EngineErrorCode, EngineErrorInfo } from "../protocol/worker-protocol";

/** An engine failure on the main thread, with the protocol's code for the UI to act on. */
export class EngineClientError extends Error {
  constructor(
    readonly code: EngineErrorCode,
    message: string,
    readonly params?: Record<string, string | number>,
  ) {
    super(message);
    this.name = "EngineClientError";
  }

  static from(info: EngineErrorInfo): EngineClientError {
    return new EngineClientError(info.code, info.message, info.params);
  }
}

/** Any failure reaching the UI from the engine client, as the `{code, message}` it shows. */
export function engineErrorInfo(error: unknown): EngineErrorInfo {
  if (error instanceof EngineClientError) {
    return {
      code: error.code,
      message: error.message,
      ...(error.params !== undefined && { params: error.params }),
    };
  }
  return { code: "unknown", message: error instanceof Error ? error.message : String(error) };
}

export const WORKER_CRASHED_MESSAGE =
  "The model worker stopped unexpectedly (it may have run out of memory). Your messages are kept; sending again restarts the model.";
