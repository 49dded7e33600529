import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import MarkdownIt from "markdown-it";
import { describe, expect, it } from "vitest";
import { plainClassFields } from "../../../vite.config";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const dist = readFileSync(`${root}node_modules/markdown-it/dist/markdown-it.mjs`, "utf8");

/** Source of the Token class's constructor. */
const tokenConstructor = (code: string) =>
  /var Token = class \{\s*constructor\([^)]*\) \{([\s\S]*?)\n\t\}/.exec(code)?.[1] ?? "";

describe("the build's markdown-it has plain class fields", () => {
  it("writes the Token's fields as assignments, not _defineProperty calls", () => {
    expect(tokenConstructor(dist)).toContain("_defineProperty");
    const plain = tokenConstructor(plainClassFields(dist));
    expect(plain).not.toContain("_defineProperty");
    expect(plain.match(/this\.\w+ = [^;]+;/g)).toHaveLength(13);
  });

  it("parses to the same tokens as markdown-it as shipped", async () => {
    // Inside node_modules, so that markdown-it's own imports resolve.
    const dir = `${root}node_modules/.cache/markdown-it-fields`;
    mkdirSync(dir, { recursive: true });
    writeFileSync(`${dir}/markdown-it.mjs`, plainClassFields(dist));
    const { default: Plain } = (await import(`${dir}/markdown-it.mjs`)) as {
      default: typeof MarkdownIt;
    };
    const text =
      "# a\n\n- [x] b *c* `d`\n\n| e | f |\n|---|---|\n| 1 | 2 |\n\n```js\ng\n```\n\n> [h](https://i.example) <j> &amp;\n";
    const options = { linkify: true } as const;
    const tokens = (md: InstanceType<typeof MarkdownIt>) => JSON.stringify(md.parse(text, {}));
    expect(tokens(new Plain(options))).toBe(tokens(new MarkdownIt(options)));
    expect(new Plain(options).render(text)).toBe(new MarkdownIt(options).render(text));
  });

  it("refuses a markdown-it whose Token class it does not recognise", () => {
    expect(() => plainClassFields(dist.replace("var Token = class", "var Tok = class"))).toThrow(
      /Token class changed/,
    );
  });
});
