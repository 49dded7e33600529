/**
 * Decoding as the CuteGPT reference scripts do it with Hugging Face transformers, applied as
 * a web-llm logit processor (raw logits on the CPU, before web-llm's temperature and top-p):
 *
 * - repetition penalty over every token already in the prompt AND the reply (HF's
 *   RepetitionPenaltyLogitsProcessor: a positive logit is divided by the penalty, a negative
 *   one multiplied). web-llm's own penalty counts only this round's reply tokens, so the
 *   engine is asked for penalty 1.0 while this processor is active;
 * - top-k: every logit below the k-th largest is masked (web-llm has no top-k). Top-k before
 *   or after temperature picks the same tokens, so its place in the chain does not matter;
 * - min_length = prompt + 1, as the reference scripts ask generate() for: the stop tokens are
 *   masked on the reply's first step, so a reply is never empty.
 *
 * Lifecycle (pinned by running web-llm's own code in test/unit/webllm-contract.test.ts): the
 * worker calls begin() before `completions.create`, and web-llm then calls resetState() from
 * pipeline.resetChat() right before the prompt's prefill, then processLogits and
 * processSampledToken once per token. resetState() therefore returns to the start of the reply
 * begin() described instead of forgetting its prompt; begin() alone decides what a reply sees.
 *
 * Cost per token: one pass over the vocabulary plus the penalised set; web-llm copies the
 * logits to the CPU for any processor (one vocabulary-sized transfer).
 */
export interface HfDecodingSettings {
  repetitionPenalty: number;
  /** 0 or undefined: no top-k. */
  topK?: number;
  /** Token ids that end a reply: masked on its first step (Hugging Face's min_length). */
  stopTokens?: readonly number[];
}

/** A large negative logit rather than -Infinity, so softmax never sees NaN. */
const MASKED = -1e30;

export class HfDecodingProcessor {
  private prompt: readonly number[] = [];
  private seen = new Set<number>();
  private firstStep = true;
  private settings: HfDecodingSettings = { repetitionPenalty: 1 };

  /** Called before each reply with the prompt's token ids (empty: penalise the reply only). */
  begin(promptTokens: ArrayLike<number>, settings: HfDecodingSettings): void {
    this.prompt = Array.from(promptTokens);
    this.settings = settings;
    this.startReply();
  }

  /** web-llm's reset before each prefill: back to the start of the reply begin() set up. */
  resetState(): void {
    this.startReply();
  }

  private startReply(): void {
    this.seen = new Set(this.prompt);
    this.firstStep = true;
  }

  processLogits(logits: Float32Array): Float32Array {
    if (this.firstStep) {
      this.firstStep = false;
      for (const token of this.settings.stopTokens ?? []) {
        if (token >= 0 && token < logits.length) logits[token] = MASKED;
      }
    }
    const penalty = this.settings.repetitionPenalty;
    if (penalty !== 1) {
      for (const token of this.seen) {
        const value = logits[token];
        if (value === undefined) continue;
        logits[token] = value > 0 ? value / penalty : value * penalty;
      }
    }
    const k = this.settings.topK ?? 0;
    if (k > 0 && k < logits.length) {
      const threshold = kthLargest(logits, k);
      // Ties at the threshold are kept, as torch.topk-based filtering keeps values >= it.
      for (let i = 0; i < logits.length; i++) if (logits[i]! < threshold) logits[i] = MASKED;
    }
    return logits;
  }

  processSampledToken(token: number): void {
    this.seen.add(token);
  }
}

/** The k-th largest value, with a min-heap of size k: O(n log k), no copy of the vocabulary. */
function kthLargest(values: Float32Array, k: number): number {
  const heap = new Float32Array(k);
  let size = 0;
  const siftDown = (start: number) => {
    let i = start;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < size && heap[l]! < heap[m]!) m = l;
      if (r < size && heap[r]! < heap[m]!) m = r;
      if (m === i) return;
      [heap[i], heap[m]] = [heap[m]!, heap[i]!];
      i = m;
    }
  };
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (size < k) {
      let j = size++;
      heap[j] = v;
      while (j > 0) {
        const p = (j - 1) >> 1;
        if (heap[p]! <= heap[j]!) break;
        [heap[p], heap[j]] = [heap[j]!, heap[p]!];
        j = p;
      }
    } else if (v > heap[0]!) {
      heap[0] = v;
      siftDown(0);
    }
  }
  return heap[0]!;
}
