/** Titles longer than this are cut (in characters, so a Chinese title is as long as it looks). */
export const TITLE_LENGTH = 48;
const FALLBACK = "New chat";

/**
 * A conversation's title from its first question: the first sentence as a reader would see
 * it, without markdown syntax, without directives, and short enough for the list.
 *
 * Directives are the words a prompt carries for a program rather than a person: a leading
 * slash command ("/translate …") and #word or #word:value tags ("#long:400", "#echo").
 * A markdown heading needs a space after its #, so "# Plan" keeps its text.
 */
export function titleFromQuestion(text: string): string {
  // The title comes from the start; a 1 MB paste need not be cleaned whole.
  const withoutCode = text
    .slice(0, 4000)
    // A fenced block is what the question is about, not its words: drop it when there are
    // other words, else keep its first line (marked with a private-use character).
    .replace(
      /```[^\n]*\n([\s\S]*?)(```|$)/g,
      (_, body: string) => `\uE000${body.split("\n")[0]}\n`,
    );
  const lines = withoutCode
    .split("\n")
    .map((line) => cleanLine(line))
    .filter((line) => line !== "");
  const prose = lines.find((line) => !line.startsWith("\uE000")) ?? lines[0] ?? "";
  const sentence = firstSentence(prose.replace(/^\uE000/, "").trim());
  const chars = Array.from(sentence);
  if (chars.length === 0) return FALLBACK;
  return chars.length > TITLE_LENGTH
    ? chars.slice(0, TITLE_LENGTH).join("").trimEnd() + "…"
    : sentence;
}

function cleanLine(line: string): string {
  return (
    line
      // Block syntax at the start: headings, quotes, list markers, task boxes.
      .replace(/^\s*(?:#{1,6}\s+|>\s*|[-*+]\s+(?:\[[ xX]\]\s+)?|\d+[.)]\s+)+/, "")
      // Directives.
      .replace(/^\s*\/[a-z][\w-]*\s*/i, "")
      .replace(/(^|\s)#[a-z][\w-]*(?::\S*)?/gi, "$1")
      // Images and links keep their words; bare HTML tags go.
      .replace(/!\[([^\]]*)\]\([^)]*\)/g, "$1")
      .replace(/\[([^\]]+)\]\([^)]*\)/g, "$1")
      .replace(/<\/?[a-z][^>]*>/gi, "")
      // Inline code and emphasis marks.
      .replace(/`([^`]*)`/g, "$1")
      .replace(/(\*\*|__|~~)(.+?)\1/g, "$2")
      .replace(/(^|[^\w*])[*_]([^*_\s][^*_]*?)[*_](?=[^\w*]|$)/g, "$1$2")
      // Math delimiters.
      .replace(/\$\$?([^$]+)\$\$?/g, "$1")
      .replace(/\s+/g, " ")
      .trim()
  );
}

/** Up to the first sentence end: 。！？ anywhere, or . ! ? followed by a space. */
function firstSentence(line: string): string {
  const match = /^(.+?(?:[。！？]|[.!?](?=\s)))\s*\S/u.exec(line);
  return (match?.[1] ?? line).trim();
}
