import { describe, expect, it } from "vitest";
import { parseExport, toExportFile } from "../../../app/features/export/format";
import { conversationToMarkdown } from "../../../app/features/export/markdown-export";
import { mergeConversations } from "../../../app/storage/cross-tab";
import type { Conversation } from "../../../app/storage/types";

const conversation: Conversation = {
  id: "c1",
  title: "Hello",
  createdAt: 1,
  updatedAt: 2,
  pinned: true,
  messages: [
    { id: "m1", role: "user", content: "Hi", createdAt: 1, status: "done" },
    {
      id: "m2",
      role: "assistant",
      content: "**Hey**",
      createdAt: 2,
      status: "done",
      usage: {
        promptTokens: 3,
        completionTokens: 2,
        prefillTokensPerSecond: 1,
        decodeTokensPerSecond: 1,
        finishReason: "stop",
      },
    },
  ],
};

describe("export format", () => {
  it("round-trips conversations exactly", () => {
    const text = JSON.stringify(toExportFile([conversation], new Date(0)));
    expect(parseExport(text)).toEqual({ ok: true, conversations: [conversation] });
  });

  it("refuses text that is not JSON", () => {
    expect(parseExport("nope")).toEqual({ ok: false, reason: "not-json" });
  });

  it("refuses other JSON with the path of the first problem", () => {
    const result = parseExport(
      JSON.stringify({
        format: "cutegpt-web-conversations",
        version: 1,
        conversations: [{ id: 3 }],
      }),
    );
    expect(result.ok).toBe(false);
    if (!result.ok && result.reason === "wrong-shape")
      expect(result.detail).toMatch(/^conversations\.0\.id/);
  });

  it("refuses files from a newer format version", () => {
    const result = parseExport(
      JSON.stringify({ format: "cutegpt-web-conversations", version: 2, conversations: [] }),
    );
    expect(result).toEqual({ ok: false, reason: "newer-version", version: 2 });
  });

  it("marks replies saved mid-stream as interrupted and drops duplicate ids", () => {
    const streaming: Conversation = {
      ...conversation,
      messages: [
        { id: "m3", role: "assistant", content: "par", createdAt: 3, status: "streaming" },
      ],
    };
    const result = parseExport(JSON.stringify(toExportFile([streaming, conversation])));
    expect(result.ok && result.conversations).toHaveLength(1);
    expect(result.ok && result.conversations[0]?.messages[0]?.status).toBe("interrupted");
  });

  it("merging an import of the same conversation changes nothing", () => {
    expect(mergeConversations(conversation, structuredClone(conversation))).toBe(conversation);
  });
});

describe("markdown export", () => {
  it("writes the title and each message under its speaker", () => {
    const md = conversationToMarkdown(conversation, { user: "You", assistant: "Assistant" });
    expect(md).toContain("# Hello");
    expect(md).toMatch(/## You\n\nHi\n/);
    expect(md).toMatch(/## Assistant\n\n\*\*Hey\*\*/);
  });
});
