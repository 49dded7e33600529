import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { fileSlug } from "../../../app/features/export/download";
import { renderMarkdown } from "../../../app/ui/markdown/engine";
import { linkHostToShow, showBidiControls } from "../../../app/ui/text-safety";

const html = (source: string) =>
  renderToStaticMarkup(createElement("div", null, ...renderMarkdown(source, true)));

describe("no spoofing by text", () => {
  it("shows bidi overrides in titles as visible marks, keeping the text otherwise", () => {
    expect(showBidiControls("invoice \u202Efdp.exe\u202C")).toBe("invoice ⟨RLO⟩fdp.exe⟨PDF⟩");
    expect(showBidiControls("a\u2066b\u2069 \u200Fשלום")).toBe("a⟨LRI⟩b⟨PDI⟩ \u200Fשלום");
  });

  it("neutralises bidi overrides in link text", () => {
    const out = html("[invoice \u202Efdp.exe\u202C](https://files.example/x)");
    expect(out).not.toContain("\u202E");
    expect(out).toContain("⟨RLO⟩fdp.exe");
  });

  it("keeps bidi controls out of export file names", () => {
    expect(fileSlug("invoice \u202Efdp.exe")).not.toMatch(/[\u202A-\u202E\u2066-\u2069]/);
  });

  it("shows the real host when link text reads as another address", () => {
    const out = html("[https://paypal.com/login](https://evil.example/steal)");
    expect(out).toContain('data-testid="link-host"');
    expect(out).toContain("evil.example");
    expect(out).toContain('title="https://evil.example/steal"');
    expect(html("[paypal.com](https://evil.example/)")).toContain("evil.example</bdi>");
  });

  it("shows punycode for a look-alike host, also in autolinks", () => {
    // Cyrillic "а" in "аpple.com": the text matches the host letter for letter.
    const out = html("see https://\u0430pple.com/account");
    expect(out).toContain("xn--pple-43d.com</bdi>");
    expect(html("[\u0430pple.com](https://\u0430pple.com/)")).toContain("xn--pple-43d.com");
  });

  it("adds nothing to honest links", () => {
    for (const source of [
      "[the docs](https://example.com/docs)",
      "[example.com](https://example.com/a)",
      "[www.example.com/a](https://example.com/a)",
      "https://example.com/x",
      "[v1.2](https://example.com/releases)",
    ]) {
      expect(html(source), source).not.toContain("link-host");
    }
  });

  it("decides from the URL API, not from look-alike text", () => {
    expect(linkHostToShow("example.com", "https://example.com.evil.example/")).toBe(
      "example.com.evil.example",
    );
    expect(linkHostToShow("user@example.com", "mailto:user@example.com")).toBeUndefined();
    expect(linkHostToShow("EXAMPLE.com", "https://example.com/")).toBeUndefined();
  });
});
