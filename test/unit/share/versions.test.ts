import { describe, expect, it } from "vitest";
import { conversationToMarkdown } from "../../../app/features/export/markdown-export";
import { decodeShareFragment, encodeShareFragment } from "../../../app/features/share/codec";
import { toShared } from "../../../app/features/share/conversation-mapping";
import { branchAt } from "../../../app/storage/branches";
import type { ChatMessage, Conversation } from "../../../app/storage/types";

const msg = (id: string, createdAt: number, content: string): ChatMessage => ({
  id,
  role: id.startsWith("u") ? "user" : "assistant",
  content,
  createdAt,
  status: "done",
});

// Regenerated: "New answer" shows, "Old answer" is version 1.
const versioned: Conversation = {
  id: "c",
  title: "Versions",
  createdAt: 1,
  updatedAt: 5,
  branchesChangedAt: 5,
  messages: branchAt([msg("u1", 1, "Question"), msg("a1", 2, "Old answer")], 1, [
    msg("a1x", 3, "New answer"),
  ]),
};

describe("a chat with versions, shared or exported as Markdown", () => {
  it("a share link carries the branch shown only", () => {
    const decoded = decodeShareFragment(encodeShareFragment(toShared(versioned, "m")));
    expect(decoded.ok && decoded.conversation.messages.map((m) => m.content)).toEqual([
      "Question",
      "New answer",
    ]);
    expect(JSON.stringify(toShared(versioned, "m"))).not.toContain("Old answer");
  });

  it("Markdown holds the branch shown only", () => {
    const markdown = conversationToMarkdown(versioned, { user: "You", assistant: "Assistant" });
    expect(markdown).toContain("New answer");
    expect(markdown).not.toContain("Old answer");
  });
});
