import { BuildError } from "./errors";
import type { Quantization } from "./options";

/** The meta prompt every CuteGPT training sample starts with (shared/notes/cutegpt.md). */
export const META =
  "你是复旦大学知识工场实验室训练出来的语言模型CuteGPT。给定任务描述，请给出对应请求的回答。\n";

/** The model stops on any of these; `<end>` ends replies of the full fine-tune, `<s>` the LoRA's. */
export const STOP_TOKENS = ["<end>", "<s>", "</s>"] as const;

interface AddedToken {
  id: number;
  content: string;
  special?: boolean;
  single_word?: boolean;
  lstrip?: boolean;
  rstrip?: boolean;
  normalized?: boolean;
}

interface TokenizerJson {
  added_tokens?: AddedToken[];
  model?: { vocab?: Record<string, number> | [string, number][] };
}

function vocabId(tokenizer: TokenizerJson, token: string): number | undefined {
  const vocab = tokenizer.model?.vocab;
  if (Array.isArray(vocab)) {
    const index = vocab.findIndex((entry) => entry[0] === token);
    return index >= 0 ? index : undefined;
  }
  return vocab?.[token];
}

/**
 * Ids of the stop tokens as this tokenizer has them. The extended CuteGPT vocabulary moves
 * `<end>` to wherever the extension put it, so nothing here may assume Llama's numbering.
 */
export function readStopTokenIds(tokenizer: unknown): Record<(typeof STOP_TOKENS)[number], number> {
  const tok = tokenizer as TokenizerJson;
  const ids: Partial<Record<(typeof STOP_TOKENS)[number], number>> = {};
  for (const token of STOP_TOKENS) {
    const added = tok.added_tokens?.find((t) => t.content === token)?.id;
    const id = added ?? vocabId(tok, token);
    if (id === undefined) {
      throw new BuildError(
        "tokenizer",
        `tokenizer.json has no token "${token}". CuteGPT's tokenizer must carry <end>, <s> and ` +
          `</s> as single tokens; rebuild tokenizer.json from the checkpoint's tokenizer files.`,
      );
    }
    ids[token] = id;
  }
  return ids as Record<(typeof STOP_TOKENS)[number], number>;
}

/**
 * Makes `<end>` (and `<s>`, `</s>`) atomic: a token that is only in the vocabulary but not in
 * added_tokens can be split by the pre-tokenizer when it appears in text. Returns whether the
 * tokenizer was changed.
 */
export function ensureAtomicStopTokens(tokenizer: unknown): boolean {
  const tok = tokenizer as TokenizerJson;
  const ids = readStopTokenIds(tok);
  let changed = false;
  tok.added_tokens ??= [];
  for (const token of STOP_TOKENS) {
    if (!tok.added_tokens.some((t) => t.content === token)) {
      tok.added_tokens.push({
        id: ids[token],
        content: token,
        single_word: false,
        lstrip: false,
        rstrip: false,
        normalized: false,
        special: true,
      });
      changed = true;
    }
  }
  return changed;
}

export interface ConvTemplate {
  name: string;
  system_template: string;
  system_message: string;
  roles: { user: string; assistant: string };
  role_templates: Record<string, string>;
  messages: unknown[];
  seps: string[];
  role_content_sep: string;
  role_empty_sep: string;
  stop_str: string[];
  stop_token_ids: number[];
  add_role_after_system_message: boolean;
  function_string: string;
  use_function_calling: boolean;
}

/**
 * Renders META + Σ"问：{q}\n答：\n{r}\n" + "问：{query}\n答：\n" exactly when web-llm joins system,
 * role and content strings; no BOS (system_prefix_token_ids absent) because the reference
 * inference encodes with add_special_tokens=False.
 */
export function cuteGptTemplate(tokenizer: unknown): ConvTemplate {
  const ids = readStopTokenIds(tokenizer);
  return {
    name: "cutegpt",
    system_template: "{system_message}",
    system_message: META.slice(0, -1),
    roles: { user: "\n问：", assistant: "\n答：\n" },
    role_templates: {},
    messages: [],
    seps: [""],
    role_content_sep: "",
    role_empty_sep: "",
    stop_str: [...STOP_TOKENS],
    stop_token_ids: STOP_TOKENS.map((t) => ids[t]),
    add_role_after_system_message: true,
    function_string: "",
    use_function_calling: false,
  };
}

export interface PatchSettings {
  contextWindow: number;
  prefillChunk: number;
  quantization: Quantization;
}

/**
 * Rewrites what gen_config produced into the config web-llm loads. Fails when gen_config did
 * not honour the window sizes, because the compiled wasm bakes them in.
 */
export function patchChatConfig(
  config: Record<string, unknown>,
  tokenizer: unknown,
  settings: PatchSettings,
): Record<string, unknown> {
  for (const [key, want] of [
    ["context_window_size", settings.contextWindow],
    ["prefill_chunk_size", settings.prefillChunk],
  ] as const) {
    if (config[key] !== want) {
      throw new BuildError(
        "incomplete-output",
        `mlc-chat-config.json has ${key}=${String(config[key])}, expected ${want}. ` +
          `gen_config ignored --${key.replaceAll("_", "-")}; check the installed mlc_llm.`,
      );
    }
  }
  if (config.quantization !== undefined && config.quantization !== settings.quantization) {
    throw new BuildError(
      "incomplete-output",
      `mlc-chat-config.json is for ${String(config.quantization)}, expected ${settings.quantization}.`,
    );
  }
  const files = Array.isArray(config.tokenizer_files) ? (config.tokenizer_files as string[]) : [];
  return {
    ...config,
    sliding_window_size: -1,
    conv_template: cuteGptTemplate(tokenizer),
    // The reference inference samples with these; the app may still override per request.
    top_p: 0.8,
    repetition_penalty: 1.1,
    tokenizer_files: files.includes("tokenizer.json") ? files : ["tokenizer.json", ...files],
  };
}
