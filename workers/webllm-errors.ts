import type { EngineErrorInfo } from "../app/protocol/worker-protocol";

/**
 * Maps what web-llm throws to the protocol's error codes. web-llm's error classes are not
 * exported, but each sets `name`; those names are pinned by the contract test. Errors from
 * fetching and instantiating come from the browser itself and are recognised by type and text.
 */
export function classifyWebLlmError(error: unknown): EngineErrorInfo {
  const name = error instanceof Error ? error.name : "";
  const raw = error instanceof Error ? error.message : String(error);

  switch (name) {
    case "WebGPUNotAvailableError":
    case "WebGPUNotFoundError":
      return { code: "no-webgpu", message: "This browser has no usable WebGPU. " + raw };
    case "ShaderF16SupportError":
    case "FeatureSupportError":
      return {
        code: "missing-gpu-feature",
        message: "This GPU lacks a feature the model needs (" + raw + "). Pick the q4f32_1 build.",
      };
    case "DeviceLostError":
      return {
        code: "device-lost",
        message:
          "The GPU stopped responding, most likely out of memory. Close other GPU-heavy tabs or pick a smaller model, then load it again.",
      };
    case "ContextWindowSizeExceededError":
      return {
        code: "context-window-exceeded",
        message:
          "The conversation is longer than the model's context window. Start a new chat or shorten the message.",
      };
    case "ModelNotFoundError":
    case "MissingModelError": // web-llm names MissingModelWasmError so
      return { code: "model-files-not-found", message: modelFilesNotFound(raw) };
    case "CompileError":
    case "LinkError":
      return {
        code: "model-library-invalid",
        message:
          "The model library (.wasm) is not a valid WebAssembly file for this app. Rebuild it with model-build or check the catalog's library URL.",
      };
    case "QuotaExceededError":
      return {
        code: "quota-exceeded",
        message:
          "The browser ran out of storage space for the model. Free disk space or delete other cached models, then try again; finished files are kept.",
      };
  }
  if (/expected magic word|WebAssembly\.(instantiate|compile)/i.test(raw)) {
    return classifyWebLlmError(Object.assign(new Error(raw), { name: "CompileError" }));
  }
  // web-llm's IndexedDB cache reports any HTTP error status as "Network response was not ok"
  // (the other backends say "received status N"); a real outage says "Failed to fetch".
  if (/Network response was not ok|received status \d|\b404\b|not found|Cannot fetch/i.test(raw)) {
    return { code: "model-files-not-found", message: modelFilesNotFound(raw) };
  }
  if (/Failed to fetch|NetworkError|ERR_INTERNET_DISCONNECTED/i.test(raw)) {
    return {
      code: "network",
      message:
        "The model files could not be downloaded: the network is unreachable. Check the connection; finished files are kept and the download resumes.",
    };
  }
  if (/device.*lost|out of memory|OOM/i.test(raw)) {
    return classifyWebLlmError(Object.assign(new Error(raw), { name: "DeviceLostError" }));
  }
  return { code: "unknown", message: raw || "The engine failed for an unknown reason." };
}

function modelFilesNotFound(detail: string): string {
  return (
    "The model files were not found where the catalog says they are. Check the model's base URL or build the files with model-build. (" +
    detail.slice(0, 200) +
    ")"
  );
}
