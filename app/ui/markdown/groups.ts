/**
 * Chunks per group. A finished group is one box the browser may skip while it is off screen
 * (content-visibility: auto in markdown.css). Groups rather than single chunks: every box that
 * newly gets content-visibility, and every one that crosses the edge of the view, costs the
 * browser an extra frame to decide whether to skip it, and a streamed reply finishes chunks
 * many times a second.
 */
export const GROUP_SIZE = 8;

/**
 * A group also ends once it holds this many characters, so that no group is much larger than
 * a slice of Markdown.tsx (a paragraph cut into pieces, blocks.ts, would otherwise be mounted
 * eight pieces at a time, in one task). Whether a chunk starts a group depends only on the
 * chunks before it, so the last chunk of a streaming reply never moves to another group as it
 * grows, and finished groups keep their chunks.
 */
export const GROUP_CHARS = 8_000;

export interface ChunkGroup {
  /** Index of its first chunk. */
  start: number;
  sources: readonly string[];
  /** Characters of source in it. */
  chars: number;
}

export function groupChunks(blocks: readonly string[]): ChunkGroup[] {
  const groups: ChunkGroup[] = [];
  let current: { start: number; sources: string[]; chars: number } | undefined;
  for (const [i, block] of blocks.entries()) {
    if (!current || current.sources.length >= GROUP_SIZE || current.chars >= GROUP_CHARS) {
      current = { start: i, sources: [], chars: 0 };
      groups.push(current);
    }
    current.sources.push(block);
    current.chars += block.length;
  }
  return groups;
}
