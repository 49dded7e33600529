/**
 * The tiny model's post-compile step, through model-build's own code: CuteGPT's conversation
 * template and stop ids (template.ts), so the fixture proves that output against web-llm.
 *
 *   npx tsx model-build/tiny/finish.ts <model dir>
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Quantization } from "../options";
import { ensureAtomicStopTokens, patchChatConfig } from "../template";

const dir = process.argv[2];
if (!dir) throw new Error("usage: finish.ts <model dir>");
const tokenizerPath = join(dir, "tokenizer.json");
const configPath = join(dir, "mlc-chat-config.json");
const tokenizer: unknown = JSON.parse(readFileSync(tokenizerPath, "utf8"));
if (ensureAtomicStopTokens(tokenizer)) {
  writeFileSync(tokenizerPath, JSON.stringify(tokenizer));
}
const config = JSON.parse(readFileSync(configPath, "utf8")) as Record<string, unknown>;
const patched = patchChatConfig(config, tokenizer, {
  contextWindow: config.context_window_size as number,
  prefillChunk: config.prefill_chunk_size as number,
  // The tiny model is float32 (q0f32), a quantization the 13B builds never use.
  quantization: config.quantization as Quantization,
});
writeFileSync(configPath, JSON.stringify(patched, null, 2) + "\n");
console.log(`finished ${configPath}`);
