import type { Quantization } from "./options";

/** The fields of a Hugging Face Llama config.json the estimate needs. */
export interface LlamaShape {
  hidden_size: number;
  num_hidden_layers: number;
  num_attention_heads: number;
  num_key_value_heads?: number;
  vocab_size: number;
  intermediate_size: number;
  head_dim?: number;
  tie_word_embeddings?: boolean;
}

export interface VramEstimate {
  paramsBytes: number;
  kvCacheBytes: number;
  tempBytes: number;
  /** Mebibytes, the unit web-llm's `vram_required_MB` uses. */
  totalMB: number;
}

const MiB = 1024 * 1024;

/**
 * Group quantization as MLC's q4f*_1 does it: 4-bit weights packed into u32, one scale of the
 * activation dtype per group of 32 weights. Embedding and lm_head are quantized as well.
 */
const QUANT = {
  q4f16_1: { bytesPerWeight: 0.5 + 2 / 32, activationBytes: 2 },
  q4f32_1: { bytesPerWeight: 0.5 + 4 / 32, activationBytes: 4 },
} as const satisfies Record<Quantization, { bytesPerWeight: number; activationBytes: number }>;

export function readLlamaShape(config: unknown): LlamaShape {
  const c = config as Record<string, unknown>;
  const need = [
    "hidden_size",
    "num_hidden_layers",
    "num_attention_heads",
    "vocab_size",
    "intermediate_size",
  ] as const;
  for (const key of need) {
    if (typeof c[key] !== "number" || !Number.isFinite(c[key]) || c[key] <= 0) {
      throw new Error(`config.json has no usable "${key}"`);
    }
  }
  const shape: LlamaShape = {
    hidden_size: c.hidden_size as number,
    num_hidden_layers: c.num_hidden_layers as number,
    num_attention_heads: c.num_attention_heads as number,
    vocab_size: c.vocab_size as number,
    intermediate_size: c.intermediate_size as number,
  };
  if (typeof c.num_key_value_heads === "number") shape.num_key_value_heads = c.num_key_value_heads;
  if (typeof c.head_dim === "number") shape.head_dim = c.head_dim;
  if (typeof c.tie_word_embeddings === "boolean") shape.tie_word_embeddings = c.tie_word_embeddings;
  return shape;
}

/** Weight bytes after quantization; also the download size of the shards, give or take. */
export function quantizedParamBytes(shape: LlamaShape, quantization: Quantization): number {
  const q = QUANT[quantization];
  const h = shape.hidden_size;
  const heads = shape.num_attention_heads;
  const kvHeads = shape.num_key_value_heads ?? heads;
  const headDim = shape.head_dim ?? h / heads;
  const attention = h * heads * headDim * 2 + h * kvHeads * headDim * 2;
  const mlp = 3 * h * shape.intermediate_size;
  const embeddings = shape.vocab_size * h * (shape.tie_word_embeddings ? 1 : 2);
  const linear = shape.num_hidden_layers * (attention + mlp) + embeddings;
  const norms = (2 * shape.num_hidden_layers + 1) * h * q.activationBytes;
  return linear * q.bytesPerWeight + norms;
}

/**
 * Weights + KV cache for the whole context window + the largest temporary buffers of one
 * prefill chunk. The temporary term follows what MLC's compile log reports for Llama builds
 * (attention scores of the chunk against the full window in fp32, before and after softmax,
 * the MLP intermediates, fp32 logits of the chunk); without it the estimate falls ~14% below
 * the figures web-llm publishes, which would let the app offer a model the GPU cannot hold.
 */
export function estimateVram(
  shape: LlamaShape,
  quantization: Quantization,
  contextWindow: number,
  prefillChunk: number,
): VramEstimate {
  const q = QUANT[quantization];
  const heads = shape.num_attention_heads;
  const kvHeads = shape.num_key_value_heads ?? heads;
  const headDim = shape.head_dim ?? shape.hidden_size / heads;
  const paramsBytes = quantizedParamBytes(shape, quantization);
  const kvCacheBytes =
    2 * shape.num_hidden_layers * kvHeads * headDim * contextWindow * q.activationBytes;
  const scores = 2 * prefillChunk * contextWindow * heads * 4;
  const mlp = 3 * prefillChunk * shape.intermediate_size * q.activationBytes;
  const logits = prefillChunk * shape.vocab_size * 4;
  const tempBytes = scores + mlp + logits;
  const totalMB = (paramsBytes + kvCacheBytes + tempBytes) / MiB;
  return { paramsBytes, kvCacheBytes, tempBytes, totalMB };
}
