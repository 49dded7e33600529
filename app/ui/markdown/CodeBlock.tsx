import { useStrings } from "../../i18n/i18n";
import { CopyButton } from "../CopyButton";
import { cachedHighlight, highlightLater } from "./lazy";
import { useWorkerHtml } from "./use-worker-html";

interface Props {
  code: string;
  language: string;
  /** False while the block is still streaming: highlighting waits for the closing fence. */
  complete: boolean;
}

const LANGUAGE_ALIASES: ReadonlyMap<string, string> = new Map(
  Object.entries({
    js: "javascript",
    jsx: "javascript",
    ts: "typescript",
    tsx: "typescript",
    py: "python",
    sh: "bash",
    shell: "bash",
    zsh: "bash",
    html: "xml",
    "c++": "cpp",
    rs: "rust",
    yml: "yaml",
    md: "markdown",
  }),
);

/**
 * The highlight.js name for a fence's info word. A Map, not an object: a fence named
 * "constructor" or "__proto__" must not find Object.prototype's members.
 */
export function highlightLanguage(info: string): string {
  const name = info.toLowerCase();
  return LANGUAGE_ALIASES.get(name) ?? name;
}

export function CodeBlock({ code, language, complete }: Props) {
  const t = useStrings();
  const lang = highlightLanguage(language);
  const shown = useWorkerHtml(
    `${lang}\u0000${code}`,
    lang ? cachedHighlight(code, lang) : undefined,
    complete && lang !== "",
    () => highlightLater(code, lang),
  );

  return (
    <div className="md-code" data-testid="code-block">
      <div className="md-code-bar">
        <span>{language || t.codeBlock}</span>
        <CopyButton text={code} label={t.copyCode} />
      </div>
      <pre>
        {shown !== undefined ? (
          // highlight.js output: the code escaped, wrapped in <span class="hljs-…"> only.
          <code className="hljs" dangerouslySetInnerHTML={{ __html: shown }} />
        ) : (
          <code>{code}</code>
        )}
      </pre>
    </div>
  );
}
