import { allMessageIds, bare, chronological, withVersions, type Line } from "./branches";
import type { ChatMessage } from "./types";

/**
 * How two tabs' copies of a conversation with versions (branches.ts) are united: every version
 * of both is kept, matched by message id wherever it sits, and the branch shown is the one
 * chosen last. The merge without versions (cross-tab.ts) is the special case of a single line.
 */

/** Which copy of one message to keep (cross-tab.ts's newerMessage, mine first). */
export type PickCopy = (mine: ChatMessage, theirs: ChatMessage) => ChatMessage;

/** A line as the merge sees it: plain messages, then (maybe) the versions of the rest. */
interface Split {
  prefix: Line;
  /** The versions of the rest of the line, the shown one first; undefined: the line ended. */
  versions: Line[] | undefined;
}

function split(line: Line, at: number): Split {
  const message = line[at];
  if (!message) return { prefix: line, versions: undefined };
  return {
    prefix: line.slice(0, at),
    versions: [[bare(message), ...line.slice(at + 1)], ...(message.alternatives ?? [])],
  };
}

function idsOf(versions: Line[] | undefined): Set<string> {
  const ids = new Set<string>();
  for (const version of versions ?? []) allMessageIds(version, ids);
  return ids;
}

/**
 * Where the two copies' lines must be split so that neither plain part holds a message the
 * other copy has among versions: a message one copy shows plainly but the other keeps as a
 * version (a tab that has not seen an Edit or Regenerate yet) starts a version there too.
 */
function aligned(mine: Line, theirs: Line): [Split, Split] {
  let mineAt = firstBranch(mine);
  let theirsAt = firstBranch(theirs);
  for (;;) {
    const mineSplit = split(mine, mineAt);
    const theirsSplit = split(theirs, theirsAt);
    const mineIds = idsOf(mineSplit.versions);
    const theirsIds = idsOf(theirsSplit.versions);
    const mineMoved = mineSplit.prefix.findIndex((m) => theirsIds.has(m.id));
    const theirsMoved = theirsSplit.prefix.findIndex((m) => mineIds.has(m.id));
    if (mineMoved === -1 && theirsMoved === -1) return [mineSplit, theirsSplit];
    // Each round only moves a split earlier, so this ends.
    if (mineMoved !== -1) mineAt = mineMoved;
    if (theirsMoved !== -1) theirsAt = theirsMoved;
  }
}

function firstBranch(line: Line): number {
  const index = line.findIndex((m) => (m.alternatives?.length ?? 0) > 0);
  return index === -1 ? line.length : index;
}

/**
 * Unites two copies of the same line of messages (the conversation's, or one version's).
 * Plain messages are united by id in creation order, as they always were; versions are
 * matched by the messages they share and merged the same way, and versions only one copy has
 * are kept. The version shown is the one `mineLeads` says (the copy whose branch was chosen
 * last); where that copy's line ends there, the other's.
 */
export function mergeLines(mine: Line, theirs: Line, mineLeads: boolean, pick: PickCopy): Line {
  const [a, b] = aligned(mine, theirs);
  const prefix = mergePlain(a.prefix, b.prefix, pick).line;
  if (!a.versions && !b.versions) return prefix;
  const versions = [...(a.versions ?? [])];
  for (const theirsVersion of b.versions ?? []) {
    const ids = allMessageIds(theirsVersion);
    const match = versions.findIndex((v) => shares(v, ids));
    if (match === -1) versions.push(theirsVersion);
    else versions[match] = mergeLines(versions[match] ?? [], theirsVersion, mineLeads, pick);
  }
  const lead = mineLeads ? (a.versions ?? b.versions) : (b.versions ?? a.versions);
  const leadFirst = lead?.[0]?.[0]?.id;
  const shown =
    versions.find((v) => leadFirst !== undefined && v[0]?.id === leadFirst) ??
    versions.find((v) => leadFirst !== undefined && allMessageIds(v).has(leadFirst)) ??
    versions[0] ??
    [];
  return [...prefix, ...withVersions(shown, chronological(versions.filter((v) => v !== shown)))];
}

function shares(version: Line, ids: ReadonlySet<string>): boolean {
  for (const id of allMessageIds(version)) if (ids.has(id)) return true;
  return false;
}

/**
 * Plain messages (no versions) of both copies united by id, in the order they were created
 * (ties keep `mine`'s order, then `theirs'`), less those in `removed`. `changed`: the result
 * differs from `mine`; when it does not, `line` is `mine` itself, in its own order.
 */
export function mergePlain(
  mine: Line,
  theirs: Line,
  pick: PickCopy,
  removed: ReadonlySet<string> = new Set(),
): { line: Line; changed: boolean } {
  const theirsById = new Map(theirs.map((m) => [m.id, m]));
  const mineIds = new Set(mine.map((m) => m.id));
  let changed = false;
  const merged: ChatMessage[] = [];
  for (const m of mine) {
    if (removed.has(m.id)) {
      changed = true;
      continue;
    }
    const other = theirsById.get(m.id);
    const kept = other ? pick(m, other) : m;
    if (kept !== m) changed = true;
    merged.push(kept);
  }
  for (const m of theirs) {
    if (mineIds.has(m.id) || removed.has(m.id)) continue;
    merged.push(m);
    changed = true;
  }
  if (!changed) return { line: mine, changed };
  // A stable sort keeps the order within each tab's messages when clocks agree.
  const order = new Map(merged.map((m, i) => [m.id, i]));
  merged.sort(
    (x, y) => x.createdAt - y.createdAt || (order.get(x.id) ?? 0) - (order.get(y.id) ?? 0),
  );
  return { line: merged, changed };
}

/** Whether two lines hold the same messages in the same versions (field order aside). */
export function sameLines(a: readonly ChatMessage[], b: readonly ChatMessage[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((m, i) => {
    const o = b[i];
    if (!o) return false;
    if (m === o) return true;
    const mAlt = m.alternatives ?? [];
    const oAlt = o.alternatives ?? [];
    return (
      sameFields(bare(m), bare(o)) &&
      mAlt.length === oAlt.length &&
      mAlt.every((tail, j) => sameLines(tail, oAlt[j] ?? []))
    );
  });
}

function sameFields(a: ChatMessage, b: ChatMessage): boolean {
  const keys = Object.keys(a) as (keyof ChatMessage)[];
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((k) =>
    typeof a[k] === "object" ? JSON.stringify(a[k]) === JSON.stringify(b[k]) : a[k] === b[k],
  );
}
