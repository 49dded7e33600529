import type { EngineErrorCode } from "../protocol/worker-protocol";
import type { Translate } from "./i18n";
import type { StringKey } from "./strings";

/**
 * What the app keeps of an error: a code, optional parameters, and the engine's own text.
 * The sentence the user reads is chosen from the code when it is shown, so it follows the UI
 * language (and a record saved in English by an older version reads in Chinese too). The
 * engine's text is English and technical: it goes behind a "Details" toggle.
 */
export interface DisplayableError {
  code: string;
  message?: string;
  params?: Record<string, string | number>;
}

const SENTENCES: Record<EngineErrorCode, StringKey> = {
  "no-webgpu": "errNoWebgpu",
  "missing-gpu-feature": "errMissingGpuFeature",
  "model-files-not-found": "errModelFilesNotFound",
  "model-library-invalid": "errModelLibraryInvalid",
  "device-lost": "errDeviceLost",
  "context-window-exceeded": "errContextWindowExceeded",
  "worker-crashed": "errWorkerCrashed",
  "not-loaded": "errNotLoaded",
  busy: "errBusy",
  network: "errNetwork",
  "quota-exceeded": "errQuotaExceeded",
  integrity: "errIntegrity",
  cancelled: "errCancelled",
  unknown: "errUnknown",
};

function isKnownCode(code: string): code is EngineErrorCode {
  return Object.hasOwn(SENTENCES, code);
}

/** The sentence for an error in the current language; a code this version does not know reads as "unknown". */
export function errorSentence(tr: Translate, error: DisplayableError): string {
  const { code, params } = error;
  if (code === "quota-exceeded" && params?.needed !== undefined && params.free !== undefined) {
    return tr("errQuotaExceededSized", params);
  }
  return tr(isKnownCode(code) ? SENTENCES[code] : "errUnknown", params);
}
