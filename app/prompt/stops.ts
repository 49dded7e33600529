/**
 * Stop handling for a streamed CuteGPT reply.
 *
 * The full fine-tune ends a reply with `<end>`, the LoRA model with `<s>`, and `</s>` can
 * appear as the tokenizer's EOS; a model that runs on past its answer starts the next turn
 * itself with `\n问：`. None of these may ever reach the screen, even when the engine hands
 * them over split across several deltas.
 */

export const CUTEGPT_STOP_STRINGS: readonly string[] = ["<end>", "<s>", "</s>", "\n问："];

/** The tokens the reference scripts strip from a decoded reply. */
const SPECIAL_TOKENS = ["<s>", "<end>", "</s>"] as const;

export interface StopFilterResult {
  /** Text that is safe to show now. */
  text: string;
  /** True once a stop string was seen; everything after it is discarded. */
  stopped: boolean;
  /** The stop string that ended the reply, on the push that found it. */
  stopString?: string;
}

export class StopFilter {
  readonly #stops: readonly string[];
  #held = "";
  #stopped = false;

  constructor(stops: readonly string[] = CUTEGPT_STOP_STRINGS) {
    // An empty stop string would match everywhere and end every reply before it starts.
    this.#stops = stops.filter((stop) => stop.length > 0);
  }

  get stopped(): boolean {
    return this.#stopped;
  }

  push(delta: string): StopFilterResult {
    if (this.#stopped) return { text: "", stopped: true };
    const buffer = this.#held + delta;

    let stopAt = -1;
    let stopString = "";
    for (const stop of this.#stops) {
      const at = buffer.indexOf(stop);
      if (at !== -1 && (stopAt === -1 || at < stopAt)) {
        stopAt = at;
        stopString = stop;
      }
    }
    if (stopAt !== -1) {
      this.#held = "";
      this.#stopped = true;
      return { text: buffer.slice(0, stopAt), stopped: true, stopString };
    }

    // Hold back the longest tail that could still grow into a stop string; anything before
    // it can no longer be part of one, because no stop string occurs in the buffer.
    const holdFrom = buffer.length - this.#longestPendingPrefix(buffer);
    this.#held = buffer.slice(holdFrom);
    return { text: buffer.slice(0, holdFrom), stopped: false };
  }

  /** Call when the stream ends: held text that never became a stop string is real text. */
  flush(): string {
    const rest = this.#stopped ? "" : this.#held;
    this.#held = "";
    return rest;
  }

  #longestPendingPrefix(buffer: string): number {
    let longest = 0;
    for (const stop of this.#stops) {
      for (let length = Math.min(stop.length - 1, buffer.length); length > longest; length--) {
        if (buffer.endsWith(stop.slice(0, length))) {
          longest = length;
          break;
        }
      }
    }
    return longest;
  }
}

/** Removes every `<s>`, `<end>` and `</s>`, as the reference scripts do; nothing else. */
export function cleanReply(text: string): string {
  let cleaned = text;
  for (const token of SPECIAL_TOKENS) cleaned = cleaned.replaceAll(token, "");
  return cleaned;
}
