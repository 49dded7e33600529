import { afterEach, describe, expect, it } from "vitest";
import { ENGINE_ERROR_CODES } from "../../../app/protocol/worker-protocol";
import { errorSentence } from "../../../app/i18n/error-text";
import { setLanguage, translate } from "../../../app/i18n/i18n";

afterEach(() => setLanguage("en"));

describe("error sentences", () => {
  it("words every engine error code in Chinese without English", () => {
    setLanguage("zh");
    for (const code of ENGINE_ERROR_CODES) {
      const sentence = errorSentence(translate, { code, message: "Raw English detail text here" });
      expect(sentence, code).toMatch(/[\u4e00-\u9fff]/);
      expect(sentence, code).not.toMatch(/[A-Za-z]{2,}(?:\s+[A-Za-z]{2,}){3,}/);
    }
  });

  it("never shows the stored English message, even for a code this version does not know", () => {
    setLanguage("zh");
    const sentence = errorSentence(translate, {
      code: "from-a-newer-version",
      message: "Something English",
    });
    expect(sentence).toBe(errorSentence(translate, { code: "unknown" }));
  });

  it("fills the sizes of a storage shortfall into the sentence", () => {
    setLanguage("en");
    const sentence = errorSentence(translate, {
      code: "quota-exceeded",
      params: { needed: 700, free: 12 },
    });
    expect(sentence).toContain("700 MB more");
    expect(sentence).toContain("only 12 MB more");
  });
});

describe("plurals", () => {
  it("uses the singular for one in English and one form in Chinese", () => {
    setLanguage("en");
    expect(translate("searchResults", { count: 1 })).toBe("1 chat matches");
    expect(translate("searchResults", { count: 3 })).toBe("3 chats match");
    expect(translate("loadingChat", { count: 1 })).toBe("Loading this chat (1 message)…");
    setLanguage("zh");
    expect(translate("searchResults", { count: 1 })).toBe("1 个对话匹配");
    expect(translate("searchResults", { count: 3 })).toBe("3 个对话匹配");
  });
});
