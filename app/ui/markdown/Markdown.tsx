import { memo, useMemo, useSyncExternalStore } from "react";
import { NAIVE_RENDERING } from "../naive-rendering";
import { splitBlocks, type BlockSplit } from "./blocks";

type Engine = typeof import("./engine");

// markdown-it and the renderer are a chunk of their own (about 55 KB gzip) so the first
// screen does not wait for them: they load when the first reply is shown, which shows as
// plain text for that moment.
let engine: Engine | undefined;
let loading: Promise<void> | undefined;
const waiting = new Set<() => void>();

function loadEngine(): void {
  loading ??= import("./engine").then((module) => {
    engine = module;
    waiting.forEach((notify) => notify());
  });
}

function subscribe(notify: () => void): () => void {
  waiting.add(notify);
  loadEngine();
  return () => waiting.delete(notify);
}

const getEngine = () => engine;

interface Props {
  text: string;
  /** True while the text is still growing (a streaming reply). */
  streaming: boolean;
  /** Stable id of the text's owner (a message id): the split of its last version is reused. */
  cacheKey: string;
}

// The benchmark's baseline renders the whole text as one chunk per update.
const NAIVE = NAIVE_RENDERING;

const splits = new Map<string, BlockSplit>();
const MAX_SPLITS = 64;

function splitFor(key: string, text: string): readonly string[] {
  if (NAIVE) return [text];
  const split = splitBlocks(text, splits.get(key));
  splits.delete(key);
  if (splits.size >= MAX_SPLITS) {
    const oldest = splits.keys().next();
    if (!oldest.done) splits.delete(oldest.value);
  }
  splits.set(key, split);
  return split.blocks;
}

/**
 * Markdown as React elements, chunk by chunk. Finished chunks keep their string identity
 * between updates (see blocks.ts) and are memoized on it, so while a reply streams only the
 * chunk being written is parsed and rendered again.
 */
export const Markdown = memo(function Markdown({ text, streaming, cacheKey }: Props) {
  const blocks = splitFor(cacheKey, text);
  return (
    <div className="md">
      {blocks.map((source, i) => (
        <MarkdownChunk
          // Index keys are right here: chunks only ever get appended.
          key={i}
          source={source}
          complete={!streaming || i < blocks.length - 1}
        />
      ))}
    </div>
  );
});

const MarkdownChunk = memo(function MarkdownChunk({
  source,
  complete,
}: {
  source: string;
  complete: boolean;
}) {
  const md = useSyncExternalStore(subscribe, getEngine, getEngine);
  const nodes = useMemo(
    () => (md ? md.renderMarkdown(source, complete) : undefined),
    [md, source, complete],
  );
  // Each chunk is its own box so the browser can skip the ones scrolled out of view
  // (content-visibility in markdown.css): a long reply costs no more per frame than a short one.
  return <div className="md-chunk">{nodes ?? <p className="whitespace-pre-wrap">{source}</p>}</div>;
});
