import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { estimateVram, quantizedParamBytes, readLlamaShape } from "../../../model-build/vram";
import { CHECKPOINTS, FIXTURES } from "./helpers";

const llama2 = readLlamaShape(
  JSON.parse(readFileSync(join(FIXTURES, "llama-2-13b-config.json"), "utf8")),
);
const cutegpt = readLlamaShape(
  JSON.parse(readFileSync(join(CHECKPOINTS, "XuYipei/kw-cutegpt-13b-ift/config.json"), "utf8")),
);

describe("VRAM estimate", () => {
  it("comes within 10% of web-llm's 11,814 MB for Llama-2-13b q4f16_1 at 4k context", () => {
    const { totalMB } = estimateVram(llama2, "q4f16_1", 4096, 1024);
    expect(Math.abs(totalMB - 11814) / 11814).toBeLessThan(0.1);
  });

  it("sizes the KV cache from layers, KV heads and head size at the context window", () => {
    const at2k = estimateVram(llama2, "q4f16_1", 2048, 1024);
    const at4k = estimateVram(llama2, "q4f16_1", 4096, 1024);
    // 2 (K and V) × 40 layers × 40 heads × 128 dims × fp16
    expect(at4k.kvCacheBytes - at2k.kvCacheBytes).toBe(2 * 40 * 40 * 128 * 2 * 2048);
    const gqa = readLlamaShape({ ...llama2, num_key_value_heads: 8 });
    expect(estimateVram(gqa, "q4f16_1", 4096, 1024).kvCacheBytes).toBe(at4k.kvCacheBytes / 5);
  });

  it("follows the vocabulary read from config.json instead of a fixed 13B size", () => {
    const base = quantizedParamBytes(llama2, "q4f16_1");
    const extended = quantizedParamBytes(cutegpt, "q4f16_1");
    // embedding and lm_head both grow by (vocab delta × hidden) quantized weights
    expect(extended - base).toBeCloseTo((49954 - 32000) * 5120 * 2 * 0.5625, 0);
  });

  it("needs more memory for q4f32_1 than for q4f16_1", () => {
    const f16 = estimateVram(cutegpt, "q4f16_1", 2048, 1024).totalMB;
    const f32 = estimateVram(cutegpt, "q4f32_1", 2048, 1024).totalMB;
    expect(f32).toBeGreaterThan(f16);
    expect(f16).toBeGreaterThan(8000);
    expect(f16).toBeLessThan(12000);
  });

  it("refuses a config.json without the fields it needs", () => {
    expect(() => readLlamaShape({ hidden_size: 5120 })).toThrow(/num_hidden_layers/);
  });
});
