import { appendFileSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";

/**
 * Writes to the console and, once a file is attached, to a log that survives the run: a
 * multi-hour build that fails at 3 a.m. must leave its full story on disk.
 */
export class Logger {
  private file: string | undefined;
  private readonly out: (text: string) => void;

  constructor(out: (text: string) => void) {
    this.out = out;
  }

  attach(file: string): void {
    mkdirSync(dirname(file), { recursive: true });
    this.file = file;
    this.toFile(`\n===== model-build run ${new Date().toISOString()} =====`);
  }

  get path(): string | undefined {
    return this.file;
  }

  info(line: string): void {
    this.out(line + "\n");
    this.toFile(line);
  }

  /** Output of external commands: kept whole in the log, echoed to the console as it comes. */
  stream(chunk: string): void {
    this.out(chunk);
    if (this.file) appendFileSync(this.file, chunk);
  }

  fileOnly(line: string): void {
    this.toFile(line);
  }

  private toFile(line: string): void {
    if (this.file) appendFileSync(this.file, `[${new Date().toISOString()}] ${line}\n`);
  }
}
