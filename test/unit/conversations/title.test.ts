import { describe, expect, it } from "vitest";
import { TITLE_LENGTH, titleFromQuestion } from "../../../app/features/conversations/title";

describe("titles from the first question", () => {
  it("keeps a plain question as it is", () => {
    expect(titleFromQuestion("What is a walrus?")).toBe("What is a walrus?");
    expect(titleFromQuestion("  介绍一下复旦大学  ")).toBe("介绍一下复旦大学");
  });

  it("takes the first sentence only", () => {
    expect(titleFromQuestion("Explain monads. Use Haskell examples, please.")).toBe(
      "Explain monads.",
    );
    expect(titleFromQuestion("写一首关于春天的诗。要求七言绝句。")).toBe("写一首关于春天的诗。");
    // A dot inside a word or number is not a sentence end.
    expect(titleFromQuestion("Is 3.14 close to pi?")).toBe("Is 3.14 close to pi?");
  });

  it("drops markdown syntax but keeps the words", () => {
    expect(titleFromQuestion("## Plan for **Monday**")).toBe("Plan for Monday");
    expect(titleFromQuestion("> quote me `code` and _this_")).toBe("quote me code and this");
    expect(titleFromQuestion("- [x] read [the docs](https://example.com/)")).toBe("read the docs");
    expect(titleFromQuestion("![chart](https://x/y.png) explained")).toBe("chart explained");
    expect(titleFromQuestion("What is $x^2$ here?")).toBe("What is x^2 here?");
  });

  it("drops directives: slash commands and #tags", () => {
    expect(titleFromQuestion("Tell me a long story #long:400 #rate:20")).toBe(
      "Tell me a long story",
    );
    expect(titleFromQuestion("#echo Bravo reply")).toBe("Bravo reply");
    expect(titleFromQuestion("/translate 你好世界")).toBe("你好世界");
  });

  it("prefers the words to a code block, and uses the code when there is nothing else", () => {
    expect(titleFromQuestion("```python\nprint('hi')\n```\nWhy does this fail?")).toBe(
      "Why does this fail?",
    );
    expect(titleFromQuestion("```js\nconsole.log(1)\n```")).toBe("console.log(1)");
  });

  it("cuts long titles by characters, with an ellipsis", () => {
    const long = "词".repeat(100);
    const title = titleFromQuestion(long);
    expect(Array.from(title)).toHaveLength(TITLE_LENGTH + 1);
    expect(title.endsWith("…")).toBe(true);
  });

  it("falls back to New chat when nothing readable is left", () => {
    expect(titleFromQuestion("#echo")).toBe("New chat");
    expect(titleFromQuestion("   ")).toBe("New chat");
  });
});
