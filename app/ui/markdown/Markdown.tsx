import { memo, useCallback, useEffect, useMemo, useState, useSyncExternalStore } from "react";
import { flushSync } from "react-dom";
import { useStrings } from "../../i18n/i18n";
import { NAIVE_RENDERING } from "../naive-rendering";
import type { BlockSplit } from "./blocks";
import type { References } from "./parser";
import { groupChunks } from "./groups";
import { RenderBoundary } from "./RenderBoundary";
import { nextTask } from "./slices";

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

function splitFor(md: Engine, key: string, text: string, streaming: boolean): BlockSplit {
  const split = md.splitBlocks(text, splits.get(key), streaming);
  splits.delete(key);
  if (splits.size >= MAX_SPLITS) {
    const oldest = splits.keys().next();
    if (!oldest.done) splits.delete(oldest.value);
  }
  splits.set(key, split);
  return split;
}

/**
 * A finished message is mounted a slice at a time: about this many characters of source at
 * first, and as many more in each later task, one message's slice per task. Opening a chat
 * (or a link) of many long replies would otherwise build all their DOM in one task, and the
 * page would stop answering for seconds.
 */
const SLICE_CHARS = 12_000;

/**
 * Until the markdown chunk has loaded a message shows as plain text; only its start, since
 * laying out 100,000 characters of short lines for that moment (five such messages in a link)
 * took the browser seconds.
 */
const PLACEHOLDER_CHARS = 4_000;

function placeholderText(text: string): string {
  return text.length > PLACEHOLDER_CHARS ? `${text.slice(0, PLACEHOLDER_CHARS)}…` : text;
}

/**
 * Source characters mounted in the current task, over all messages: the first slice of each
 * finished message comes out of it, so a chat or link of many long messages mounts about
 * `SLICE_CHARS` in its first task, not that much per message. Messages past it start
 * empty and get their slices in later tasks.
 */
let mountedInTask = 0;
let resetQueued = false;

/** The budget a finished message starts with: 0 when this task has mounted enough already. */
function claimFirstSlice(chars: number): number {
  if (mountedInTask >= SLICE_CHARS) return 0;
  mountedInTask += Math.min(chars, SLICE_CHARS);
  if (!resetQueued) {
    resetQueued = true;
    nextTask(() => {
      mountedInTask = 0;
      resetQueued = false;
    });
  }
  return SLICE_CHARS;
}

/**
 * Markdown as React elements, chunk by chunk. Finished chunks keep their string identity
 * between updates (see blocks.ts) and are memoized on it, so while a reply streams only the
 * chunk being written is parsed and rendered again.
 */
export const Markdown = memo(function Markdown({ text, streaming, cacheKey }: Props) {
  const t = useStrings();
  const md = useSyncExternalStore(subscribe, getEngine, getEngine);
  if (!md) return <p className="whitespace-pre-wrap">{placeholderText(text)}</p>;
  return (
    <RenderBoundary source={text} notice={t.renderFailed}>
      <MarkdownBody md={md} text={text} streaming={streaming} cacheKey={cacheKey} />
    </RenderBoundary>
  );
});

function MarkdownBody({ md, text, streaming, cacheKey }: Props & { md: Engine }) {
  const [budget, setBudget] = useState(() =>
    streaming ? Infinity : text.length > SLICE_CHARS ? 0 : claimFirstSlice(text.length),
  );
  if (streaming && budget !== Infinity) setBudget(Infinity);
  // A message that waits for a later task is not even split yet. One longer than a slice is
  // split in a task of its own, before the task that mounts its first slice: splitting reads
  // the whole text (100,000 characters of short lines took about as long as mounting a slice).
  const split = NAIVE || budget === 0 ? undefined : splitFor(md, cacheKey, text, streaming);
  const prepare = useCallback(() => {
    if (NAIVE || text.length <= SLICE_CHARS) return false;
    splitFor(md, cacheKey, text, false);
    return true;
  }, [md, cacheKey, text]);
  const blocks = split?.blocks ?? [text];
  const references = split?.references;
  const groups = groupChunks(blocks);
  const shown = useSlicedCount(groups, streaming, budget, setBudget, prepare);
  return (
    <div className="md">
      {groups.slice(0, shown).map(({ start, sources }) => (
        <MarkdownGroup
          // Index keys are right here: chunks only ever get appended.
          key={start}
          md={md}
          sources={sources}
          references={references}
          // The chunk being written is the last one of the last group.
          writing={streaming && start + sources.length === blocks.length}
        />
      ))}
    </div>
  );
}

/** How many groups to mount now; grows by `SLICE_CHARS` per task until all are there. */
function useSlicedCount(
  groups: readonly { chars: number }[],
  streaming: boolean,
  budget: number,
  setBudget: (update: (budget: number) => number) => void,
  /** Work to do in a task of its own before the first slice (splitting a long text): true if done. */
  prepare: () => boolean,
): number {
  // A streaming reply grows by a few characters an update: all of it is shown at once, and
  // stays shown when it finishes.
  let count = budget === Infinity ? groups.length : 0;
  for (let used = 0; count < groups.length && budget > 0; count++) {
    used += groups[count]!.chars;
    if (used > budget && count > 0) break;
  }
  const shown = streaming ? groups.length : count;
  const complete = shown >= groups.length;
  useEffect(() => {
    if (complete) return;
    let live = true;
    // One slice per task, rendered now: a later task would batch several slices into one.
    const grow = () => {
      if (live) flushSync(() => setBudget((b) => b + SLICE_CHARS));
    };
    nextTask(() => {
      if (!live) return;
      if (budget === 0 && prepare()) nextTask(grow);
      else grow();
    });
    return () => {
      live = false;
    };
  }, [complete, budget, setBudget, prepare]);
  return shown;
}

interface GroupProps {
  md: Engine;
  sources: readonly string[];
  references: References | undefined;
  /** Holds the chunk being written. */
  writing: boolean;
}

const MarkdownGroup = memo(function MarkdownGroup({
  md,
  sources,
  references,
  writing,
}: GroupProps) {
  // Only a group that can no longer change may be skipped: a growing box would be re-measured
  // (and its skipping reconsidered) on every update.
  // The frame is there from the start, so settling changes no element above the chunks.
  return (
    <div className="md-group-frame">
      <div className="md-group" data-settled={!writing}>
        {sources.map((source, i) => (
          <RenderBoundary key={i} source={source}>
            <MarkdownChunk
              md={md}
              source={source}
              references={references}
              complete={!writing || i < sources.length - 1}
            />
          </RenderBoundary>
        ))}
      </div>
    </div>
  );
}, sameGroup);

/** `sources` is a fresh slice each update; its chunks keep their identity (see blocks.ts). */
function sameGroup(a: GroupProps, b: GroupProps): boolean {
  return (
    a.md === b.md &&
    a.writing === b.writing &&
    a.references === b.references &&
    a.sources.length === b.sources.length &&
    a.sources.every((source, i) => source === b.sources[i])
  );
}

const MarkdownChunk = memo(function MarkdownChunk({
  md,
  source,
  references,
  complete,
}: {
  md: Engine;
  source: string;
  references: References | undefined;
  complete: boolean;
}) {
  const nodes = useMemo(
    () => md.renderMarkdown(source, complete, references),
    [md, source, complete, references],
  );
  return <>{nodes}</>;
});
