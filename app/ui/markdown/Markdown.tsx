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
 * Chunks per group. A finished group is one box the browser may skip while it is off screen
 * (content-visibility: auto in markdown.css). Groups rather than single chunks: every box that
 * newly gets content-visibility, and every one that crosses the edge of the view, costs the
 * browser an extra frame to decide whether to skip it, and a streamed reply finishes chunks
 * many times a second.
 */
const GROUP_SIZE = 8;

/**
 * Markdown as React elements, chunk by chunk. Finished chunks keep their string identity
 * between updates (see blocks.ts) and are memoized on it, so while a reply streams only the
 * chunk being written is parsed and rendered again.
 */
export const Markdown = memo(function Markdown({ text, streaming, cacheKey }: Props) {
  const blocks = splitFor(cacheKey, text);
  const groups: { start: number; sources: readonly string[] }[] = [];
  for (let start = 0; start < blocks.length; start += GROUP_SIZE) {
    groups.push({ start, sources: blocks.slice(start, start + GROUP_SIZE) });
  }
  return (
    <div className="md">
      {groups.map(({ start, sources }) => (
        <MarkdownGroup
          // Index keys are right here: chunks only ever get appended.
          key={start}
          sources={sources}
          // The chunk being written is the last one of the last group.
          writing={streaming && start + sources.length === blocks.length}
        />
      ))}
    </div>
  );
});

interface GroupProps {
  sources: readonly string[];
  /** Holds the chunk being written. */
  writing: boolean;
}

const MarkdownGroup = memo(function MarkdownGroup({ sources, writing }: GroupProps) {
  // Only a group that can no longer change may be skipped: a growing box would be re-measured
  // (and its skipping reconsidered) on every update.
  return (
    <div className="md-group" data-settled={!writing}>
      {sources.map((source, i) => (
        <MarkdownChunk key={i} source={source} complete={!writing || i < sources.length - 1} />
      ))}
    </div>
  );
}, sameGroup);

/** `sources` is a fresh slice each update; its chunks keep their identity (see blocks.ts). */
function sameGroup(a: GroupProps, b: GroupProps): boolean {
  return (
    a.writing === b.writing &&
    a.sources.length === b.sources.length &&
    a.sources.every((source, i) => source === b.sources[i])
  );
}

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
  return nodes ? <>{nodes}</> : <p className="whitespace-pre-wrap">{source}</p>;
});
