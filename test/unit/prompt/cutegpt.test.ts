import { describe, expect, it } from "vitest";
import {
  CUTEGPT_META,
  conversationToPrompt,
  generatePrompt,
  windowHistory,
  type ConversationMessage,
  type HistoryPair,
} from "../../../app/prompt/cutegpt";

// Written out by hand from shared/notes/cutegpt.md, never taken from the module under test.
const META =
  "你是复旦大学知识工场实验室训练出来的语言模型CuteGPT。给定任务描述，请给出对应请求的回答。\n";

const FIVE_TURNS: HistoryPair[] = [
  ["第一问", "第一答"],
  ["second question", "second answer"],
  ["第三问 🐱", "好的 😺"],
  ["第四问", "第四答"],
  ["fifth question", "fifth answer"],
];

describe("CUTEGPT_META", () => {
  it("is the training meta prompt, ending in a newline", () => {
    expect(CUTEGPT_META).toBe(
      "你是复旦大学知识工场实验室训练出来的语言模型CuteGPT。给定任务描述，请给出对应请求的回答。\n",
    );
  });
});

describe("generatePrompt", () => {
  it("lays out a first question with no history", () => {
    expect(generatePrompt("你好", [])).toBe(
      "你是复旦大学知识工场实验室训练出来的语言模型CuteGPT。给定任务描述，请给出对应请求的回答。\n" +
        "问：你好\n答：\n",
    );
  });

  it("puts the input on its own line between the question and the answer marker", () => {
    expect(generatePrompt("抽取公司信息，以JSON输出", [], "复旦大学位于上海。")).toBe(
      META + "问：抽取公司信息，以JSON输出\n复旦大学位于上海。\n答：\n",
    );
  });

  it("treats an empty input like no input, as the Python reference does", () => {
    expect(generatePrompt("你好", [], "")).toBe(META + "问：你好\n答：\n");
  });

  it("replays one past turn with a newline after 答：", () => {
    expect(
      generatePrompt("再来三本呢？", [
        ["请推荐五本名著，依次列出作品名、作者", "1.《红楼梦》曹雪芹\n2.《西游记》吴承恩"],
      ]),
    ).toBe(
      META +
        "问：请推荐五本名著，依次列出作品名、作者\n答：\n1.《红楼梦》曹雪芹\n2.《西游记》吴承恩\n" +
        "问：再来三本呢？\n答：\n",
    );
  });

  it("replays three past turns in English, Chinese and emoji, oldest first", () => {
    const history: HistoryPair[] = [
      ["Recommend a book.", "Try *Dream of the Red Chamber*."],
      ["为什么？", "因为它是经典。"],
      ["Say it with emoji", "📚✨👍"],
    ];
    expect(generatePrompt("Thanks! 🙏", history)).toBe(
      META +
        "问：Recommend a book.\n答：\nTry *Dream of the Red Chamber*.\n" +
        "问：为什么？\n答：\n因为它是经典。\n" +
        "问：Say it with emoji\n答：\n📚✨👍\n" +
        "问：Thanks! 🙏\n答：\n",
    );
  });

  it("replays three past turns together with an input on the current question", () => {
    expect(generatePrompt("提取人物和职务", FIVE_TURNS.slice(2), "张三是复旦大学的教授。")).toBe(
      META +
        "问：第三问 🐱\n答：\n好的 😺\n" +
        "问：第四问\n答：\n第四答\n" +
        "问：fifth question\n答：\nfifth answer\n" +
        "问：提取人物和职务\n张三是复旦大学的教授。\n答：\n",
    );
  });

  it("replays all five turns when the caller passes five", () => {
    expect(generatePrompt("第六问", FIVE_TURNS)).toBe(
      META +
        "问：第一问\n答：\n第一答\n" +
        "问：second question\n答：\nsecond answer\n" +
        "问：第三问 🐱\n答：\n好的 😺\n" +
        "问：第四问\n答：\n第四答\n" +
        "问：fifth question\n答：\nfifth answer\n" +
        "问：第六问\n答：\n",
    );
  });

  it("keeps only the last three of five turns after windowHistory", () => {
    expect(generatePrompt("第六问", windowHistory(FIVE_TURNS, 3))).toBe(
      META +
        "问：第三问 🐱\n答：\n好的 😺\n" +
        "问：第四问\n答：\n第四答\n" +
        "问：fifth question\n答：\nfifth answer\n" +
        "问：第六问\n答：\n",
    );
  });

  it("keeps code blocks byte for byte", () => {
    const code = "```python\ndef f(x):\n    return x * 2\n```";
    expect(generatePrompt("Explain:\n```js\nconst a = `x`;\n```", [["写一个函数", code]])).toBe(
      META +
        "问：写一个函数\n答：\n```python\ndef f(x):\n    return x * 2\n```\n" +
        "问：Explain:\n```js\nconst a = `x`;\n```\n答：\n",
    );
  });

  it("keeps the blank line of an empty past reply", () => {
    expect(generatePrompt("还在吗？", [["你好", ""]])).toBe(
      META + "问：你好\n答：\n\n问：还在吗？\n答：\n",
    );
  });

  it("leaves 问： inside past replies untouched", () => {
    expect(generatePrompt("继续", [["出两道题", "问：1+1=?\n答：2\n问：2+2=?\n答：4"]])).toBe(
      META + "问：出两道题\n答：\n问：1+1=?\n答：2\n问：2+2=?\n答：4\n问：继续\n答：\n",
    );
  });

  it("uses a conversation's own meta prompt in place of the default", () => {
    expect(generatePrompt("hi", [["a", "b"]], undefined, "You are a cat.\n")).toBe(
      "You are a cat.\n问：a\n答：\nb\n问：hi\n答：\n",
    );
  });
});

describe("windowHistory", () => {
  it("keeps the last three pairs by default", () => {
    expect(windowHistory(FIVE_TURNS)).toEqual([
      ["第三问 🐱", "好的 😺"],
      ["第四问", "第四答"],
      ["fifth question", "fifth answer"],
    ]);
  });

  it("keeps nothing with a limit of 0", () => {
    expect(windowHistory(FIVE_TURNS, 0)).toEqual([]);
  });

  it("keeps everything when the limit exceeds the history", () => {
    expect(windowHistory(FIVE_TURNS, 10)).toEqual(FIVE_TURNS);
    expect(windowHistory(FIVE_TURNS, Number.POSITIVE_INFINITY)).toEqual(FIVE_TURNS);
  });

  it("treats negative and NaN limits as 0 and rounds fractions down", () => {
    expect(windowHistory(FIVE_TURNS, -2)).toEqual([]);
    expect(windowHistory(FIVE_TURNS, Number.NaN)).toEqual([]);
    expect(windowHistory(FIVE_TURNS, 1.9)).toEqual([["fifth question", "fifth answer"]]);
  });

  it("returns a new array, leaving the caller's history alone", () => {
    const history: HistoryPair[] = [["q", "r"]];
    const windowed = windowHistory(history, 3);
    windowed.push(["x", "y"]);
    expect(history).toEqual([["q", "r"]]);
  });
});

describe("conversationToPrompt", () => {
  it("pairs completed turns and takes the last user message as the query", () => {
    const messages: ConversationMessage[] = [
      { role: "user", content: "请推荐五本名著" },
      { role: "assistant", content: "《红楼梦》…" },
      { role: "user", content: "再来三本呢？" },
    ];
    expect(conversationToPrompt(messages)).toEqual({
      history: [["请推荐五本名著", "《红楼梦》…"]],
      query: "再来三本呢？",
    });
  });

  it("carries the current input, and keeps past inputs inside their question", () => {
    const messages: ConversationMessage[] = [
      { role: "user", content: "抽取公司", input: "复旦大学位于上海。" },
      { role: "assistant", content: '{"name":"复旦大学"}' },
      { role: "user", content: "抽取人物", input: "张三是教授。" },
    ];
    const split = conversationToPrompt(messages);
    expect(split).toEqual({
      history: [["抽取公司\n复旦大学位于上海。", '{"name":"复旦大学"}']],
      query: "抽取人物",
      input: "张三是教授。",
    });
    expect(split && generatePrompt(split.query, split.history, split.input)).toBe(
      META +
        "问：抽取公司\n复旦大学位于上海。\n答：\n" +
        '{"name":"复旦大学"}\n' +
        "问：抽取人物\n张三是教授。\n答：\n",
    );
  });

  it("leaves out system messages, unanswered questions, stray replies and aborted replies", () => {
    const messages: ConversationMessage[] = [
      { role: "system", content: "ignored" },
      { role: "assistant", content: "Hi! I'm CuteGPT." },
      { role: "user", content: "lost question" },
      { role: "user", content: "q1" },
      { role: "assistant", content: "r1" },
      { role: "user", content: "q2" },
      { role: "assistant", content: "half a rep", complete: false },
      { role: "user", content: "q3" },
      { role: "assistant", content: "", complete: true },
      { role: "user", content: "now" },
    ];
    expect(conversationToPrompt(messages)).toEqual({
      history: [
        ["q1", "r1"],
        ["q3", ""],
      ],
      query: "now",
    });
  });

  it("returns null when there is no user message to answer", () => {
    expect(conversationToPrompt([])).toBeNull();
    expect(
      conversationToPrompt([
        { role: "user", content: "q" },
        { role: "assistant", content: "r" },
      ]),
    ).toBeNull();
  });

  it("omits an empty current input", () => {
    expect(conversationToPrompt([{ role: "user", content: "q", input: "" }])).toEqual({
      history: [],
      query: "q",
    });
  });
});
