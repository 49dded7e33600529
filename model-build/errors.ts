/** Every failure the CLI reports is one of these, so tests and callers can tell them apart. */
export type BuildErrorCode =
  | "usage"
  | "preflight"
  | "checkpoint"
  | "command-failed"
  | "incomplete-output"
  | "tokenizer"
  | "catalog"
  | "publish";

export class BuildError extends Error {
  readonly code: BuildErrorCode;

  constructor(code: BuildErrorCode, message: string) {
    super(message);
    this.name = "BuildError";
    this.code = code;
  }
}
