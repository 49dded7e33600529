import { deflateRawSync } from "node:zlib";
import { deflateSync, type FlateStreamHandler } from "fflate";
import LZString from "lz-string";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { decodeBase64Url, encodeBase64Url } from "../../../app/features/share/base64url";
import { inflateBounded } from "../../../app/features/share/bounded-inflate";
import {
  MAX_DECOMPRESSED_BYTES,
  SHARE_HARD_LIMIT,
  SHARE_LIMITS,
  SHARE_WARN_LENGTH,
  SharedConversationV1,
  ShareLinkError,
  countTurns,
  decodeShareFragment,
  encodeShareFragment,
  isShareFragment,
  largestTurnCountWithin,
  lastTurns,
  linkIdentity,
  linkLengthStatus,
  shareLinkFor,
  shareWireJson,
  type DecodeResult,
  type ShareErrorCode,
  type SharedConversation,
} from "../../../app/features/share/codec";
import { decodeCompactText, encodeCompactText } from "../../../app/features/share/compact-text";
import seed from "../../fixtures/seed-conversations.json";

// Counts every byte fflate's streaming inflater hands back, independently of the codec's own
// counter, so the bomb test can show how much was really decompressed.
const inflated = vi.hoisted(() => ({ bytes: 0 }));
vi.mock("fflate", async (importOriginal) => {
  const real = await importOriginal<typeof import("fflate")>();
  class CountingInflate extends real.Inflate {
    constructor(cb?: FlateStreamHandler) {
      super((chunk, final) => {
        inflated.bytes += chunk.length;
        cb?.(chunk, final);
      });
    }
  }
  return { ...real, Inflate: CountingInflate };
});

beforeEach(() => {
  inflated.bytes = 0;
});

const ONE_SLICE_SLACK = 128 * 1024;

function conversation(
  messages: SharedConversation["messages"],
  extra: Partial<SharedConversation> = {},
): SharedConversation {
  return {
    v: 1,
    title: "测试对话",
    modelId: "CuteGPT-13B-ift-q4f16_1-MLC",
    settings: { temperature: 0.7, topP: 0.8, maxTokens: 256, stream: true, stop: "<end>" },
    messages,
    ...extra,
  };
}

function roundTrip(conv: SharedConversation): DecodeResult {
  return decodeShareFragment(encodeShareFragment(conv));
}

function expectRoundTrip(conv: SharedConversation): void {
  const result = roundTrip(conv);
  expect(result).toEqual({ ok: true, conversation: conv });
}

/** A v1 fragment around arbitrary bytes, as a hostile link builder would make one. */
function fragmentFromBytes(bytes: Uint8Array): string {
  return `v1.${encodeBase64Url(deflateSync(bytes, { level: 9 }))}`;
}

function fragmentFromJson(value: unknown): string {
  return fragmentFromBytes(encodeCompactText(JSON.stringify(value)));
}

function expectRefused(fragment: string, code: ShareErrorCode): string {
  let result: DecodeResult | undefined;
  expect(() => (result = decodeShareFragment(fragment))).not.toThrow();
  expect(result).toMatchObject({ ok: false, error: { code } });
  const message = result && !result.ok ? result.error.message : "";
  // User-facing: a full English sentence, not a validator dump.
  expect(message).toMatch(/^This .+\.$/);
  expect(message).not.toMatch(/[{}]|"code"|zod|invalid_type/i);
  return message;
}

/** Deterministic pseudo-random numbers (mulberry32) so failures can be replayed. */
function rng(seedValue: number): () => number {
  let a = seedValue >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomCjk(length: number, random: () => number): string {
  let s = "";
  for (let i = 0; i < length; i++) s += String.fromCharCode(0x4e00 + Math.floor(random() * 20992));
  return s;
}

const seedConversations = seed.conversations.map((entry) => ({
  id: entry.id,
  conversation: SharedConversationV1.parse(entry.conversation),
}));

const CODE_REPLY = [
  "当然，下面是一个 TypeScript 示例：",
  "",
  "```ts",
  "const greet = (name: string): string => `你好，${name}！\\n`;",
  'if (a < b && c > d) { console.log("quote \' and \\\\ backslash"); }',
  "\tindented with a tab",
  "```",
  "",
  "| 列 | 值 |",
  "| --- | --- |",
  "| `x` | 1 |",
].join("\n");

describe("round trip", () => {
  it("keeps Chinese, emoji and code blocks exactly", () => {
    expectRoundTrip(
      conversation([
        { role: "user", content: "请推荐五本名著，依次列出作品名、作者" },
        { role: "assistant", content: "1. 《红楼梦》—— 曹雪芹\n2. 《百年孤独》—— 加西亚·马尔克斯" },
        { role: "user", content: "再来三本呢？😀👍🏽 👨‍👩‍👧‍👦 🇨🇳 ❤️" },
        { role: "assistant", content: CODE_REPLY },
      ]),
    );
  });

  it("keeps a 20 KB reply and an interrupted one", () => {
    const long = "这是一个很长的回答，包含 Markdown 和 code。\n".repeat(700);
    expect(new TextEncoder().encode(long).length).toBeGreaterThan(20_000);
    expectRoundTrip(
      conversation([
        { role: "user", content: "写一篇长文" },
        { role: "assistant", content: long },
        { role: "user", content: "继续" },
        { role: "assistant", content: "好的，", interrupted: true },
      ]),
    );
  });

  it("keeps every kind of character, including controls and lone surrogates", () => {
    const tricky = [
      "\u0000\u0001\u001f\u007f\u0080\u00ff",
      "Ελληνικά Кириллица العربية עברית हिन्दी ไทย 한국어 日本語のカタカナ",
      "𝕏 𠀀 \u{10ffff} \ufeff \ufffd",
      "“quotes” ‘single’ … — ✓ ★ →",
      "lone high \ud800 and lone low \udc00 and reversed \udc00\ud800",
    ].join("\n");
    expectRoundTrip(
      conversation([{ role: "user", content: tricky }], { title: tricky.slice(0, 80) }),
    );
  });

  it("keeps script and event-handler payloads as inert text", () => {
    const payloads = [
      "<img src=x onerror=alert(1)>",
      "<script>alert(document.cookie)</script>",
      '"><svg onload=alert(1)>',
      "[click](javascript:alert(1)) ![x](https://evil.example/track.png)",
    ];
    const conv = conversation(
      payloads.map((content, i) => ({ role: i % 2 ? "assistant" : "user", content })),
      { title: "<img src=x onerror=alert(1)>" },
    );
    const result = roundTrip(conv);
    expect(result.ok && result.conversation.title).toBe("<img src=x onerror=alert(1)>");
    expect(result.ok && result.conversation.messages.map((m) => m.content)).toEqual(payloads);
  });

  it("round-trips every seed conversation", () => {
    for (const { conversation: conv } of seedConversations) expectRoundTrip(conv);
  });

  it("drops interrupted: false, which links don't carry", () => {
    const result = roundTrip(
      conversation([{ role: "assistant", content: "hi", interrupted: false }]),
    );
    expect(result).toEqual({
      ok: true,
      conversation: conversation([{ role: "assistant", content: "hi" }]),
    });
  });

  it("makes links that start with v1. and use only URL-safe characters", () => {
    const fragment = encodeShareFragment(conversation([{ role: "user", content: "你好" }]));
    expect(fragment).toMatch(/^v1\.[A-Za-z0-9_-]+$/);
    expect(isShareFragment(fragment)).toBe(true);
    expect(isShareFragment(`#${fragment}`)).toBe(true);
    expect(isShareFragment("settings")).toBe(false);
  });

  it("makes the seed conversations' links at least 20 % shorter than lz-string's overall", () => {
    let ours = 0;
    let lz = 0;
    for (const { conversation: conv } of seedConversations) {
      ours += encodeShareFragment(conv).length;
      lz += LZString.compressToEncodedURIComponent(shareWireJson(conv)).length;
    }
    expect(ours / lz).toBeLessThanOrEqual(0.8);
  });
});

describe("hostile links", () => {
  const valid = encodeShareFragment(seedConversations[0]!.conversation);

  it("refuses bad base64url", () => {
    for (const payload of ["abc$def", "ab=c", "AAAA====", "ab cd", "a", "AB", "QUJD+/", "中文"]) {
      expectRefused(`v1.${payload}`, "bad-encoding");
    }
  });

  it("refuses truncated deflate at every cut point", () => {
    const bytes = decodeBase64Url(valid.slice(3))!;
    for (let cut = 0; cut < bytes.length; cut += 7) {
      expectRefused(`v1.${encodeBase64Url(bytes.subarray(0, cut))}`, "bad-compression");
    }
  });

  it("never throws on corrupted links", () => {
    const bytes = decodeBase64Url(valid.slice(3))!;
    const random = rng(42);
    for (let round = 0; round < 300; round++) {
      const mutated = bytes.slice();
      for (let flips = 1 + Math.floor(random() * 3); flips > 0; flips--) {
        mutated[Math.floor(random() * mutated.length)] = Math.floor(random() * 256);
      }
      const result = decodeShareFragment(`v1.${encodeBase64Url(mutated)}`);
      if (result.ok) expect(SharedConversationV1.safeParse(result.conversation).success).toBe(true);
      else expect(result.error.message.length).toBeGreaterThan(20);
    }
  });

  it("stops a decompression bomb at 1 MB", () => {
    const bomb = deflateRawSync(new Uint8Array(50 * 1024 * 1024), { level: 9 });
    const fragment = `v1.${encodeBase64Url(bomb)}`;
    expect(fragment.length).toBeLessThan(SHARE_HARD_LIMIT);

    expectRefused(fragment, "too-large");
    expect(inflated.bytes).toBeGreaterThan(MAX_DECOMPRESSED_BYTES);
    expect(inflated.bytes).toBeLessThanOrEqual(MAX_DECOMPRESSED_BYTES + ONE_SLICE_SLACK);
  });

  it("stops a well-formed conversation that unpacks past 1 MB", () => {
    const huge = ["t", "m", {}, [[0, "好".repeat(600_000)]]];
    expectRefused(fragmentFromJson(huge), "too-large");
    expect(inflated.bytes).toBeLessThanOrEqual(MAX_DECOMPRESSED_BYTES + ONE_SLICE_SLACK);
  });

  it("reports how far the bounded inflater got", () => {
    const bomb = deflateRawSync(new Uint8Array(10 * 1024 * 1024));
    const result = inflateBounded(bomb, 100_000);
    expect(result).toMatchObject({ ok: false, reason: "too-large" });
    if (!result.ok && result.reason === "too-large") {
      expect(result.inflatedBytes).toBeLessThanOrEqual(100_000 + ONE_SLICE_SLACK);
    }
  });

  it("refuses bytes after the final deflate block, so one chat has one link", () => {
    const bytes = decodeBase64Url(valid.slice(3))!;
    for (const junk of [[0], [0, 0, 0], [0xff], [0x03, 0x00]]) {
      expectRefused(`v1.${encodeBase64Url(Uint8Array.of(...bytes, ...junk))}`, "bad-compression");
    }
    // A stored (level 0) stream ends in its data, not in a code: the same rule holds.
    const stored = deflateSync(encodeCompactText(JSON.stringify(good)), { level: 0 });
    expect(decodeShareFragment(`v1.${encodeBase64Url(stored)}`).ok).toBe(true);
    expectRefused(`v1.${encodeBase64Url(Uint8Array.of(...stored, 0))}`, "bad-compression");
    expect(inflateBounded(Uint8Array.of(...bytes, 1), 1 << 20)).toEqual({
      ok: false,
      reason: "trailing-data",
    });
  });

  it("refuses unknown versions, naming a newer app for later ones", () => {
    expect(expectRefused(`v2.${valid.slice(3)}`, "bad-version")).toMatch(/newer version/);
    expect(expectRefused("v99.AAAA", "bad-version")).toMatch(/newer version/);
    expect(expectRefused("v0.AAAA", "bad-version")).not.toMatch(/newer version/);
    expect(expectRefused("v01.AAAA", "bad-version")).not.toMatch(/newer version/);
    expectRefused("hello", "bad-version");
    expectRefused("", "bad-version");
  });

  it("refuses an oversized link before decoding it", () => {
    expectRefused(`v1.${"A".repeat(SHARE_HARD_LIMIT)}`, "link-too-long");
    expect(inflated.bytes).toBe(0);
  });

  it("refuses payloads that are not compact text or not JSON", () => {
    expectRefused(fragmentFromBytes(Uint8Array.of(0x7b, 0xe0, 0x00)), "bad-json");
    expectRefused(fragmentFromBytes(new TextEncoder().encode("[1, 2")), "bad-json");
    expectRefused(fragmentFromBytes(new TextEncoder().encode("not json")), "bad-json");
  });

  const good = ["标题", "CuteGPT-13B-ift-q4f16_1-MLC", { topP: 0.8 }, [[0, "问"]]];
  const withMessage = (message: unknown) => [good[0], good[1], good[2], [message]];
  const wrongSchemas: [string, unknown][] = [
    [
      "an object instead of the positional form",
      { ...SharedConversationV1.parse(conversation([{ role: "user", content: "x" }])) },
    ],
    ["extra keys in the object form", { v: 1, title: "t", evil: "<script>" }],
    ["an extra top-level element", [...good, "extra"]],
    ["a missing message list", good.slice(0, 3)],
    ["an empty message list", [good[0], good[1], good[2], []]],
    ["an unknown role code", withMessage([7, "x"])],
    ["a role as a string", withMessage(["user", "x"])],
    ["an extra message field", withMessage([0, "x", "extra"])],
    ["a message as an object", withMessage({ role: "user", content: "x" })],
    ["content that is a number", withMessage([0, 42])],
    ["a numeric title", [1, good[1], good[2], good[3]]],
    ["a title too long", ["x".repeat(SHARE_LIMITS.titleChars + 1), good[1], good[2], good[3]]],
    ["a model id with markup", [good[0], "<img src=x onerror=alert(1)>", good[2], good[3]]],
    ["a nested setting", [good[0], good[1], { a: { b: 1 } }, good[3]]],
    [
      "a __proto__ setting",
      [good[0], good[1], JSON.parse('{"__proto__": {"polluted": true}}'), good[3]],
    ],
    [
      "too many settings",
      [
        good[0],
        good[1],
        Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, i])),
        good[3],
      ],
    ],
    ["too many messages", [good[0], good[1], good[2], Array.from({ length: 501 }, () => [0, "x"])]],
    ["a message too long", withMessage([0, "x".repeat(SHARE_LIMITS.messageChars + 1)])],
    ["null", null],
  ];
  it.each(wrongSchemas)("refuses %s", (_name, payload) => {
    expectRefused(fragmentFromJson(payload), "bad-schema");
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
  });

  it("names the offending part of the conversation in plain words", () => {
    expect(expectRefused(fragmentFromJson(withMessage([0, 42])), "bad-schema")).toContain(
      "message 1's text has the wrong type",
    );
    expect(
      expectRefused(fragmentFromJson(["x".repeat(201), good[1], good[2], good[3]]), "bad-schema"),
    ).toContain("the title is too long");
  });

  it("accepts a leading # and the same payload as without it", () => {
    expect(decodeShareFragment(`#${valid}`)).toEqual(decodeShareFragment(valid));
  });
});

describe("creating links", () => {
  const chat = conversation([
    { role: "assistant", content: "你好！我是 CuteGPT。" },
    { role: "user", content: "第一问" },
    { role: "assistant", content: "第一答" },
    { role: "user", content: "第二问" },
    { role: "assistant", content: "第二答" },
    { role: "assistant", content: "补充" },
    { role: "user", content: "第三问" },
  ]);

  it("rejects conversations a link can't carry, with the schema's codes", () => {
    const extra = { ...chat, evil: 1 } as SharedConversation;
    expect(() => encodeShareFragment(extra)).toThrow(ShareLinkError);
    expect(SharedConversationV1.safeParse(extra).success).toBe(false);
    expect(() => encodeShareFragment({ ...chat, messages: [] })).toThrow(
      expect.objectContaining({ code: "bad-schema" }),
    );
  });

  it("replaces the base URL's fragment and keeps its path and query", () => {
    const link = shareLinkFor("https://example.com/app/?lang=zh#old", chat);
    const url = new URL(link);
    expect(`${url.origin}${url.pathname}${url.search}`).toBe("https://example.com/app/?lang=zh");
    expect(decodeShareFragment(url.hash)).toEqual({ ok: true, conversation: chat });
  });

  it("refuses to make a link past the hard limit and sorts lengths", () => {
    const random = rng(7);
    const big = conversation([
      { role: "user", content: randomCjk(90_000, random) },
      { role: "assistant", content: randomCjk(90_000, random) },
    ]);
    expect(() => shareLinkFor("https://example.com/", big)).toThrow(
      expect.objectContaining({ code: "link-too-long" }),
    );
    expect(linkLengthStatus("x".repeat(SHARE_WARN_LENGTH))).toBe("ok");
    expect(linkLengthStatus("x".repeat(SHARE_WARN_LENGTH + 1))).toBe("long");
    expect(linkLengthStatus("x".repeat(SHARE_HARD_LIMIT + 1))).toBe("too-long");
  });

  it("refuses to encode a conversation that would unpack past 1 MB", () => {
    const bulky = conversation(
      Array.from({ length: 12 }, () => ({ role: "user" as const, content: "a".repeat(99_000) })),
    );
    expect(() => encodeShareFragment(bulky)).toThrow(
      expect.objectContaining({ code: "too-large" }),
    );
  });

  it("cuts to the last N turns, a turn starting at each user message", () => {
    expect(countTurns(chat)).toBe(4);
    expect(lastTurns(chat, 1).messages.map((m) => m.content)).toEqual(["第三问"]);
    expect(lastTurns(chat, 2).messages.map((m) => m.content)).toEqual([
      "第二问",
      "第二答",
      "补充",
      "第三问",
    ]);
    expect(lastTurns(chat, 4)).toEqual(chat);
    expect(lastTurns(chat, 40)).toEqual(chat);
    expect(lastTurns(chat, 1).title).toBe(chat.title);
    expect(() => lastTurns(chat, 0)).toThrow(RangeError);
  });

  it("finds the most turns that fit a length", () => {
    const random = rng(3);
    const turns = Array.from({ length: 10 }, () => [
      { role: "user" as const, content: randomCjk(200, random) },
      { role: "assistant" as const, content: randomCjk(800, random) },
    ]).flat();
    const long = conversation(turns);
    const base = "https://example.com/";
    const n = largestTurnCountWithin(base, long, SHARE_WARN_LENGTH);
    expect(n).toBeGreaterThan(0);
    expect(n).toBeLessThan(10);
    expect(shareLinkFor(base, lastTurns(long, n)).length).toBeLessThanOrEqual(SHARE_WARN_LENGTH);
    expect(shareLinkFor(base, lastTurns(long, n + 1)).length).toBeGreaterThan(SHARE_WARN_LENGTH);
    expect(largestTurnCountWithin(base, long, 10)).toBe(0);
  });
});

describe("link identity", () => {
  it("is a stable SHA-256 per link, ignoring a leading #", async () => {
    const a = encodeShareFragment(conversation([{ role: "user", content: "一" }]));
    const b = encodeShareFragment(conversation([{ role: "user", content: "二" }]));
    const id = await linkIdentity(a);
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect(await linkIdentity(a)).toBe(id);
    expect(await linkIdentity(`#${a}`)).toBe(id);
    expect(await linkIdentity(b)).not.toBe(id);
  });
});

describe("base64url", () => {
  it("matches Node's encoder and decodes back", () => {
    const random = rng(1);
    for (let length = 0; length < 70; length++) {
      const bytes = Uint8Array.from({ length }, () => Math.floor(random() * 256));
      const text = encodeBase64Url(bytes);
      expect(text).toBe(Buffer.from(bytes).toString("base64url"));
      expect(decodeBase64Url(text)).toEqual(bytes);
    }
  });
});

describe("compact text", () => {
  it("round-trips random scalar values from every range", () => {
    const random = rng(9);
    const ranges: [number, number][] = [
      [0, 0x7f],
      [0x80, 0x7ff],
      [0x800, 0xd7ff],
      [0xe000, 0xffff],
      [0x4e00, 0x9fff],
      [0x10000, 0x10ffff],
    ];
    let text = "";
    for (let i = 0; i < 5000; i++) {
      const [lo, hi] = ranges[i % ranges.length]!;
      text += String.fromCodePoint(lo + Math.floor(random() * (hi - lo + 1)));
    }
    expect(decodeCompactText(encodeCompactText(text))).toBe(text);
  });

  it("gives CJK text two bytes a character", () => {
    expect(encodeCompactText("你好，世界。").length).toBe(12);
    expect(encodeCompactText("😀").length).toBe(4);
  });

  it("writes a lone surrogate as U+FFFD, like TextEncoder", () => {
    expect(decodeCompactText(encodeCompactText("a\ud800b"))).toBe("a\ufffdb");
  });

  it("rejects non-canonical, reserved and truncated forms", () => {
    const bad = [
      [0x80, 0x41], // 'A' in the two-byte form
      [0xff, 0x00, 0x00, 0x41], // 'A' escaped
      [0xff, 0x00, 0x4e, 0x00], // 一 escaped although it has a two-byte form
      [0xff, 0x00, 0xd8, 0x00], // a surrogate
      [0xff, 0x11, 0x00, 0x00], // past U+10FFFF
      [0xe0, 0x00], // reserved lead byte
      [0x90], // truncated two-byte form
      [0xff, 0x01, 0xf6], // truncated escape
    ];
    for (const bytes of bad) expect(decodeCompactText(Uint8Array.from(bytes))).toBeNull();
  });
});
