import type { EngineErrorCode, EngineErrorInfo } from "./protocol";

/** An engine failure on the main thread, with the protocol's code for the UI to act on. */
export class EngineClientError extends Error {
  constructor(
    readonly code: EngineErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "EngineClientError";
  }

  static from(info: EngineErrorInfo): EngineClientError {
    return new EngineClientError(info.code, info.message);
  }
}

export const WORKER_CRASHED_MESSAGE =
  "The model worker stopped unexpectedly (it may have run out of memory). Your messages are kept; sending again restarts the model.";
