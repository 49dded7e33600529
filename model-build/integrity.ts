import { createHash } from "node:crypto";
import { createReadStream, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import type { SriAlgorithm } from "./options";

/** Streams the file so multi-GB shards never sit in memory. */
export async function digestFile(file: string, algorithm: SriAlgorithm): Promise<Buffer> {
  const hash = createHash(algorithm);
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest();
}

/** An SRI string as web-llm's verifyIntegrity parses it: one algorithm, base64 digest. */
export async function sri(file: string, algorithm: SriAlgorithm): Promise<string> {
  return `${algorithm}-${(await digestFile(file, algorithm)).toString("base64")}`;
}

export function isShard(name: string): boolean {
  return /^params_shard_\d+\.bin$/.test(name);
}

/** web-llm fetches these and the shards; tokenizer.model and the like ship only for native use. */
const FETCHED = new Set(["mlc-chat-config.json", "tokenizer.json", "tensor-cache.json"]);

export interface FolderIntegrity {
  config: string;
  modelLib: string;
  tokenizer: string;
  shards: Record<string, string>;
  downloadBytes: number;
}

/**
 * Integrity of one laid-out model: SRI for the files web-llm verifies itself (config, wasm,
 * tokenizer) and sha256 per shard, which web-llm does not check, for the app's own use.
 * downloadBytes counts what the browser fetches for this model, the wasm included.
 */
export async function folderIntegrity(
  modelDir: string,
  wasmFile: string,
  algorithm: SriAlgorithm,
): Promise<FolderIntegrity> {
  const names = readdirSync(modelDir).sort();
  const shards: Record<string, string> = {};
  let downloadBytes = statSync(wasmFile).size;
  for (const name of names) {
    if (FETCHED.has(name) || isShard(name)) downloadBytes += statSync(join(modelDir, name)).size;
    if (isShard(name)) shards[name] = await sri(join(modelDir, name), "sha256");
  }
  return {
    config: await sri(join(modelDir, "mlc-chat-config.json"), algorithm),
    modelLib: await sri(wasmFile, algorithm),
    tokenizer: await sri(join(modelDir, "tokenizer.json"), algorithm),
    shards,
    downloadBytes,
  };
}
