import type { Conversation } from "../../storage/types";

export interface MarkdownLabels {
  user: string;
  assistant: string;
}

/** A conversation as a Markdown document: the title, then each message under its speaker. */
export function conversationToMarkdown(c: Conversation, labels: MarkdownLabels): string {
  const lines = [
    `# ${c.title.replace(/\n/g, " ")}`,
    "",
    `_${new Date(c.createdAt).toISOString()}_`,
    "",
  ];
  for (const m of c.messages) {
    lines.push(`## ${m.role === "user" ? labels.user : labels.assistant}`, "");
    lines.push(m.content.trimEnd());
    if (m.input) lines.push("", "```text", m.input, "```");
    lines.push("");
  }
  return lines.join("\n");
}

export function conversationsToMarkdown(list: Conversation[], labels: MarkdownLabels): string {
  return list.map((c) => conversationToMarkdown(c, labels)).join("\n---\n\n");
}
