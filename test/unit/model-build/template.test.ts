import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BuildError } from "../../../model-build/errors";
import {
  META,
  cuteGptTemplate,
  ensureAtomicStopTokens,
  patchChatConfig,
  readStopTokenIds,
  type ConvTemplate,
} from "../../../model-build/template";
import { FIXTURES } from "./helpers";

const fixtureTokenizer = () =>
  JSON.parse(readFileSync(join(FIXTURES, "tokenizer.json"), "utf8")) as {
    added_tokens: { id: number; content: string }[];
    model: { vocab: Record<string, number> };
  };

/** web-llm's way of joining a conversation: system, then role + sep + content + sep per turn. */
function render(t: ConvTemplate, turns: [string, string][], query: string): string {
  let out = t.system_template.replace("{system_message}", t.system_message);
  const messages: ["user" | "assistant", string | undefined][] = [];
  for (const [q, r] of turns) messages.push(["user", q], ["assistant", r]);
  messages.push(["user", query], ["assistant", undefined]);
  messages.forEach(([role, content], i) => {
    out +=
      content === undefined
        ? t.roles[role] + t.role_empty_sep
        : t.roles[role] + t.role_content_sep + content + (t.seps[i % t.seps.length] ?? "");
  });
  return out;
}

describe("CuteGPT conversation template", () => {
  it("reads the stop ids of <end>, <s> and </s> from the tokenizer", () => {
    expect(cuteGptTemplate(fixtureTokenizer()).stop_token_ids).toEqual([49953, 1, 2]);
  });

  it("follows the tokenizer when the ids differ", () => {
    const tok = fixtureTokenizer();
    for (const t of tok.added_tokens) t.id += 100;
    expect(cuteGptTemplate(tok).stop_token_ids).toEqual([50053, 101, 102]);
    expect(cuteGptTemplate(tok).stop_str).toEqual(["<end>", "<s>", "</s>"]);
  });

  it("fails clearly when the tokenizer has no <end>", () => {
    const tok = fixtureTokenizer();
    tok.added_tokens = tok.added_tokens.filter((t) => t.content !== "<end>");
    expect(() => readStopTokenIds(tok)).toThrow(BuildError);
    expect(() => readStopTokenIds(tok)).toThrow(/no token "<end>"/);
  });

  it("makes a vocabulary-only <end> an added token so it encodes as one piece", () => {
    const tok = JSON.parse(readFileSync(join(FIXTURES, "tokenizer-end-in-vocab.json"), "utf8")) as {
      added_tokens: { id: number; content: string; special?: boolean }[];
    };
    expect(ensureAtomicStopTokens(tok)).toBe(true);
    expect(tok.added_tokens.find((t) => t.content === "<end>")).toMatchObject({
      id: 11,
      special: true,
    });
    expect(ensureAtomicStopTokens(tok)).toBe(false);
  });

  it("renders exactly the prompt the CuteGPT inference scripts build", () => {
    const template = cuteGptTemplate(fixtureTokenizer());
    const turns: [string, string][] = [
      ["请推荐五本名著", "《红楼梦》…"],
      ["再来三本呢？", "《围城》…"],
    ];
    const reference =
      META + turns.map(([q, r]) => `问：${q}\n答：\n${r}\n`).join("") + "问：谢谢\n答：\n";
    expect(render(template, turns, "谢谢")).toBe(reference);
    expect(render(template, [], "你好")).toBe(META + "问：你好\n答：\n");
  });

  it("adds no BOS and keeps the roles, separators and system message as specified", () => {
    const template = cuteGptTemplate(fixtureTokenizer());
    expect(template).not.toHaveProperty("system_prefix_token_ids");
    expect(template).toMatchObject({
      system_template: "{system_message}",
      system_message: META.slice(0, -1),
      roles: { user: "\n问：", assistant: "\n答：\n" },
      seps: [""],
      role_content_sep: "",
      role_empty_sep: "",
    });
  });
});

describe("patching mlc-chat-config.json", () => {
  const generated = () => ({
    model_type: "llama",
    quantization: "q4f16_1",
    context_window_size: 2048,
    prefill_chunk_size: 1024,
    sliding_window_size: 4096,
    conv_template: { name: "LM", system_prefix_token_ids: [1] },
    tokenizer_files: ["tokenizer.model", "tokenizer_config.json"],
  });
  const settings = { contextWindow: 2048, prefillChunk: 1024, quantization: "q4f16_1" } as const;

  it("replaces the placeholder template and keeps the rest", () => {
    const patched = patchChatConfig(generated(), fixtureTokenizer(), settings);
    expect(patched.model_type).toBe("llama");
    expect(patched.sliding_window_size).toBe(-1);
    expect(patched.conv_template).toMatchObject({ name: "cutegpt", stop_token_ids: [49953, 1, 2] });
    expect(patched.conv_template).not.toHaveProperty("system_prefix_token_ids");
    expect(patched.tokenizer_files).toEqual([
      "tokenizer.json",
      "tokenizer.model",
      "tokenizer_config.json",
    ]);
  });

  it("refuses a config whose window sizes differ from what was asked", () => {
    expect(() =>
      patchChatConfig({ ...generated(), context_window_size: 4096 }, fixtureTokenizer(), settings),
    ).toThrow(/context_window_size=4096, expected 2048/);
  });
});
