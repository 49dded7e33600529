import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseExport, toExportFile } from "../../../app/features/export/format";
import { decodeShareFragment, encodeShareFragment } from "../../../app/features/share/codec";
import type { Conversation } from "../../../app/storage/types";

/**
 * Golden files written by the app before the stored and transmitted types got one schema each:
 * export files and share links out there must read exactly as they did. Each fixture holds
 * the encoding and what the app decoded from it at the time.
 */
const fixture = (name: string) =>
  readFileSync(new URL(`../../fixtures/formats/${name}`, import.meta.url), "utf8");

describe("export files written by earlier versions", () => {
  const text = fixture("export-v1.json");
  const expected: unknown = JSON.parse(fixture("export-v1.parsed.json"));

  it("import exactly as before: every field, cut-off replies marked, duplicates dropped", () => {
    expect(parseExport(text)).toEqual(expected);
  });

  it("write back the conversations they import, unchanged but for the cut-off reply", () => {
    const parsed = parseExport(text);
    if (!parsed.ok) throw new Error(parsed.reason);
    const original = JSON.parse(text) as { exportedAt: string; conversations: Conversation[] };
    const rewritten = toExportFile(parsed.conversations, new Date(original.exportedAt));
    // The file holds one duplicate and a streaming reply; the rest is kept as it was.
    const firstTwo = original.conversations.slice(0, 2);
    expect(JSON.stringify(rewritten.conversations.map((c) => c.id))).toBe(
      JSON.stringify(firstTwo.map((c) => c.id)),
    );
    expect(rewritten.conversations[1]).toEqual(firstTwo[1]);
    const streamed = firstTwo[0]?.messages.map((m) =>
      m.status === "streaming" ? { ...m, status: "interrupted" } : m,
    );
    expect(rewritten.conversations[0]).toEqual({ ...firstTwo[0], messages: streamed });
  });
});

describe("share links made by earlier versions", () => {
  const links = JSON.parse(fixture("share-links-v1.json")) as {
    fragment: string;
    decoded: unknown;
  }[];

  it("are all in the fixture", () => {
    expect(links.length).toBeGreaterThanOrEqual(5);
  });

  it("open exactly as before", () => {
    for (const { fragment, decoded } of links)
      expect(decodeShareFragment(fragment)).toEqual(decoded);
  });

  it("are made again character for character from what they open", () => {
    for (const { fragment } of links) {
      const result = decodeShareFragment(fragment);
      if (!result.ok) throw new Error(result.error.code);
      expect(encodeShareFragment(result.conversation)).toBe(fragment);
    }
  });
});
