import { describe, expect, it, vi } from "vitest";
import type { MLCEngine } from "@mlc-ai/web-llm";
import type { ChatTurn, ModelSpec } from "../../../app/protocol/worker-protocol";
import { buildEngineRequest } from "../../../app/features/chat/engine-request";
import { defaultConversationSettings } from "../../../app/features/chat/settings";
import type { ChatMessage } from "../../../app/storage/types";
import { WebLlmEngine } from "../../../workers/webllm-engine";
import { favour, installFakeModel, VocabTokenizer } from "../webllm-harness";

// The budget for chat-template models, on web-llm's own rendering and prefill code (a copy
// of the bundle with its internals exported, on a fake GPU: see webllm-harness.ts).
vi.mock("@mlc-ai/web-llm", async () => {
  const { webLlmInternals } = await import("../webllm-harness");
  return (await webLlmInternals()).webllm;
});

const SPECIAL = ["<|im_start|>", "<|im_end|>", "[INST]", "[/INST]", "<<SYS>>", "<</SYS>>"];
const SPECIAL_LLAMA = ["<s>", "</s>"];
// Every printable ASCII character on its own, so any English text encodes; the template's
// markers are single tokens, as they are in the real vocabularies.
const ASCII = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i));
const tokenizer = new VocabTokenizer([...SPECIAL_LLAMA, ...SPECIAL, ...ASCII, "\n"]);
const V = tokenizer.vocab.length;

/** Qwen2.5-Instruct's template as its mlc-chat-config.json has it (ChatML). */
const chatml = {
  name: "chatml",
  system_template: "<|im_start|>system\n{system_message}<|im_end|>\n",
  system_message: "You are Qwen, created by Alibaba Cloud. You are a helpful assistant.",
  roles: { user: "<|im_start|>user", assistant: "<|im_start|>assistant" },
  role_templates: {
    user: "{user_message}",
    assistant: "{assistant_message}",
    tool: "{tool_message}",
  },
  messages: [],
  seps: ["<|im_end|>\n"],
  role_content_sep: "\n",
  role_empty_sep: "\n",
  stop_str: ["<|im_end|>"],
  stop_token_ids: [tokenizer.id("<|im_end|>")],
  add_role_after_system_message: true,
};

/**
 * Llama 2's template: two alternating separators, a BOS token as system prefix, and the first
 * message without its role after the system prompt (add_role_after_system_message: false).
 */
const llama2 = {
  name: "llama-2",
  system_template: "[INST] <<SYS>>\n{system_message}\n<</SYS>>\n\n",
  system_message: "You are a helpful, respectful and honest assistant.",
  roles: { user: "[INST]", assistant: "[/INST]" },
  role_templates: {},
  messages: [],
  seps: [" ", " </s>"],
  role_content_sep: " ",
  role_empty_sep: " ",
  stop_str: ["[INST]"],
  stop_token_ids: [tokenizer.id("</s>")],
  system_prefix_token_ids: [tokenizer.id("<s>")],
  add_role_after_system_message: false,
};

const spec: ModelSpec = {
  id: "chat-model",
  engine: "webllm",
  modelUrl: "https://models.example/chat/",
  modelLibUrl: "https://models.example/chat.wasm",
  requiredFeatures: [],
};

async function loaded(convTemplate: typeof chatml | typeof llama2, contextWindow = 2048) {
  const engine = new WebLlmEngine();
  const mlc = (engine as unknown as { mlc: MLCEngine }).mlc;
  mlc.reload = async (modelId: string) => {
    // The model ends every reply at once: only the prompt matters here.
    await installFakeModel(
      mlc,
      modelId,
      tokenizer,
      { next: () => favour(V, convTemplate.stop_token_ids[0]!) },
      { convTemplate, contextWindow },
    );
  };
  await engine.load(spec, () => undefined);
  return engine;
}

/** The prompt tokens web-llm itself counted for these messages, from a fresh cache. */
async function webLlmPromptTokens(engine: WebLlmEngine, messages: ChatTurn[]): Promise<number> {
  await engine.reset();
  const usage = await engine.chat({ kind: "messages", messages }, { maxTokens: 4 }, () => {});
  return usage.promptTokens;
}

const sum = (counts: { fixed: number; messages: number[] }) =>
  counts.fixed + counts.messages.reduce((a, b) => a + b, 0);

/**
 * web-llm puts a template's system_prefix_token_ids (Llama 2's BOS) in the cache but leaves
 * them out of its prompt count and its window check; the budget counts them.
 */
const prefixOf = (template: typeof chatml | typeof llama2) =>
  "system_prefix_token_ids" in template ? template.system_prefix_token_ids.length : 0;

const turns = (n: number, size = 40): ChatTurn[] =>
  Array.from({ length: n }, (_, i): ChatTurn[] => [
    { role: "user", content: `Question ${i}: ${"q".repeat(size)}` },
    { role: "assistant", content: `Answer ${i}: ${"a".repeat(size)}` },
  ]).flat();

describe("countChatTokens counts what web-llm prefills for a chat request", () => {
  const cases: [string, ChatTurn[]][] = [
    ["one question", [{ role: "user", content: "Hello there." }]],
    [
      "a system prompt and history",
      [
        { role: "system", content: "Answer in one short sentence." },
        ...turns(3),
        { role: "user", content: "And now?" },
      ],
    ],
    [
      "an empty system prompt",
      [{ role: "system", content: "" }, ...turns(1), { role: "user", content: "Go on." }],
    ],
  ];
  for (const [template, name] of [
    [chatml, "ChatML (Qwen)"],
    [llama2, "Llama 2"],
  ] as const) {
    for (const [label, messages] of cases) {
      it(`${name}: ${label}`, async () => {
        const engine = await loaded(template);
        const counts = await engine.countChatTokens(messages);
        expect(counts.messages).toHaveLength(messages.length);
        expect(sum(counts)).toBe((await webLlmPromptTokens(engine, messages)) + prefixOf(template));
      });
    }
  }

  it("gives each message its own cost, so leaving out whole pairs is never under-counted", async () => {
    for (const template of [chatml, llama2]) {
      const engine = await loaded(template);
      const system: ChatTurn = { role: "system", content: "Be brief." };
      const question: ChatTurn = { role: "user", content: "Last question?" };
      const history = turns(4);
      const counts = await engine.countChatTokens([system, ...history, question]);
      for (let dropped = 1; dropped <= 4; dropped++) {
        const kept = [system, ...history.slice(2 * dropped), question];
        const estimate =
          counts.fixed +
          counts.messages[0]! +
          counts.messages.slice(1 + 2 * dropped).reduce((a, b) => a + b, 0);
        const real = (await webLlmPromptTokens(engine, kept)) + prefixOf(template);
        // Exact for ChatML; Llama 2 renders its new first message without its role "[INST] ".
        expect(estimate).toBeGreaterThanOrEqual(real);
        expect(estimate - real).toBeLessThanOrEqual(template === chatml ? 0 : 2);
      }
    }
  });
});

describe("a chat-template model's history is fitted to its context window", () => {
  const message = (role: ChatMessage["role"], content: string, i: number): ChatMessage => ({
    id: `m${i}`,
    role,
    content,
    createdAt: i,
    status: "done",
  });
  const conversation = (pairs: number): ChatMessage[] => [
    ...turns(pairs, 60).map((t, i) => message(t.role as ChatMessage["role"], t.content, i)),
    message("user", "What did I ask first?", 2 * pairs),
  ];

  it("leaves out the oldest turns so web-llm accepts a long chat it would refuse whole", async () => {
    const contextWindow = 1024;
    const engine = await loaded(chatml, contextWindow);
    const settings = defaultConversationSettings();
    settings.decoding.maxTokens = 64;
    const messages = conversation(8);
    // Sent whole, as before the budget, web-llm refuses it: "start a new chat".
    const whole = messages.map((m): ChatTurn => ({ role: m.role, content: m.content }));
    await expect(webLlmPromptTokens(engine, whole)).rejects.toThrow(/exceed context window/);

    const request = await buildEngineRequest(
      messages,
      settings,
      { cutegpt: false, contextWindow },
      (text) => tokenizer.encode(text).length,
      "",
      (turns) => engine.countChatTokens(turns),
    );
    expect(request.droppedTurns).toBeGreaterThan(0);
    expect(request.droppedTurns).toBeLessThan(8);
    const sent = request.input.kind === "messages" ? request.input.messages : [];
    // The question is kept, the oldest pairs go, the newest stay.
    expect(sent.at(-1)?.content).toBe("What did I ask first?");
    expect(sent.length).toBe(1 + 2 * (8 - request.droppedTurns));
    expect(sent[0]?.content).toBe(`Question ${request.droppedTurns}: ${"q".repeat(60)}`);
    const prompt = await webLlmPromptTokens(engine, sent);
    expect(prompt + settings.decoding.maxTokens).toBeLessThanOrEqual(contextWindow);
  });

  it("sends the system prompt the user wrote as a system message, and counts it", async () => {
    const engine = await loaded(chatml);
    const settings = { ...defaultConversationSettings(), metaPrompt: "Reply in French." };
    const request = await buildEngineRequest(
      conversation(1),
      settings,
      { cutegpt: false, contextWindow: 2048 },
      (text) => tokenizer.encode(text).length,
      "",
      (turns) => engine.countChatTokens(turns),
    );
    const sent = request.input.kind === "messages" ? request.input.messages : [];
    expect(sent[0]).toEqual({ role: "system", content: "Reply in French." });
    expect(request.droppedTurns).toBe(0);
  });
});
