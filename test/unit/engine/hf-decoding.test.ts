import { describe, expect, it } from "vitest";
import { HfDecodingProcessor } from "../../../workers/hf-decoding";

describe("Hugging Face-style decoding as a logit processor", () => {
  it("penalises prompt tokens the way transformers does: divide positive, multiply negative", () => {
    const p = new HfDecodingProcessor();
    p.begin([1, 2], { repetitionPenalty: 1.1 });
    const out = p.processLogits(new Float32Array([3, 2.2, -1, 5]));
    expect(Array.from(out)).toEqual([3, Math.fround(2.2 / 1.1), Math.fround(-1.1), 5]);
  });

  it("adds sampled reply tokens to the penalised set", () => {
    const p = new HfDecodingProcessor();
    p.begin([], { repetitionPenalty: 2 });
    p.processSampledToken(0);
    expect(Array.from(p.processLogits(new Float32Array([4, 4])))).toEqual([2, 4]);
  });

  it("survives web-llm's resetState before the prefill: the prompt stays, reply tokens go", () => {
    const p = new HfDecodingProcessor();
    p.begin([1], { repetitionPenalty: 2 });
    p.processSampledToken(0);
    // web-llm calls resetState from resetChat() inside completions.create, after begin().
    p.resetState();
    expect(Array.from(p.processLogits(new Float32Array([4, 4, 4])))).toEqual([4, 2, 4]);
  });

  it("masks the stop tokens on the reply's first step only (min_length = prompt + 1)", () => {
    const p = new HfDecodingProcessor();
    p.begin([], { repetitionPenalty: 1, stopTokens: [2] });
    p.resetState();
    expect(Array.from(p.processLogits(new Float32Array([1, 1, 9])))).toEqual(
      [1, 1, -1e30].map(Math.fround),
    );
    p.processSampledToken(0);
    expect(Array.from(p.processLogits(new Float32Array([1, 1, 9])))).toEqual([1, 1, 9]);
    // The next reply starts with its first step again.
    p.begin([], { repetitionPenalty: 1, stopTokens: [2] });
    expect(Array.from(p.processLogits(new Float32Array([1, 1, 9])))[2]).toBe(Math.fround(-1e30));
  });

  it("keeps only the top-k logits (ties at the threshold kept) and changes nothing at penalty 1", () => {
    const p = new HfDecodingProcessor();
    p.begin([0, 1, 2], { repetitionPenalty: 1, topK: 3 });
    const out = Array.from(p.processLogits(new Float32Array([0.5, 9, -2, 7, 7, 1])));
    expect(out).toEqual([-1e30, 9, -1e30, 7, 7, -1e30].map((v) => Math.fround(v)));
  });

  it("finds the k-th largest over a vocabulary-sized array", () => {
    const vocab = new Float32Array(50_000).map((_, i) => (i * 7919) % 50_000);
    const p = new HfDecodingProcessor();
    p.begin([], { repetitionPenalty: 1, topK: 50 });
    const kept = Array.from(p.processLogits(vocab)).filter((v) => v > -1e29);
    expect(kept).toHaveLength(50);
    expect(Math.min(...kept)).toBe(49_950);
  });
});
