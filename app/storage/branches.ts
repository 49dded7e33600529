import type { ChatMessage } from "./types";

/**
 * Versions of a conversation (Edit and Regenerate keep the earlier one, like ChatGPT's ‹ 1 / 2 ›).
 *
 * A conversation's `messages` is always the branch shown, so the prompt, export, share links
 * and every other reader of it see one line of messages and need not know about versions. The
 * message where the shown branch parts from other versions carries them in `alternatives`:
 * each is the rest of the conversation as it was in that version (a "tail"), its first message
 * this message's sibling. Tails are lines of the same kind, so a message inside one can carry
 * versions of its own. Invariants kept here:
 *
 * - Only the shown version's first message carries a version group; the first message of a
 *   tail in `alternatives` carries none (its siblings are this group).
 * - A message id appears once in the whole structure.
 * - Switching versions moves tails between `messages` and `alternatives`; no message is
 *   dropped, so a switch never looks like a deletion to a merge (branch-merge.ts).
 */

/** A line of messages: the conversation's, or one version's rest of it. */
export type Line = ChatMessage[];

/**
 * The most versions one message keeps. Each Regenerate adds one; beyond this the oldest goes,
 * so a record stays bounded however often the user asks again.
 */
export const MAX_VERSIONS = 20;

/**
 * How deep versions may nest (a version that holds versions of its own is one level deeper).
 * Reads refuse deeper records before the schema's recursive check could overflow the stack on
 * a damaged or hostile one; the app never writes one (branchAt and showVersion keep within).
 * Real chats stay far below it: each level is a branch point passed on a path to a message.
 */
export const MAX_VERSION_DEPTH = 200;

/**
 * Whether the versions in `messages` (anything read: a record's `messages`, an imported
 * file's) nest no deeper than MAX_VERSION_DEPTH. Walks without recursion.
 */
export function versionsWithinDepth(messages: unknown): boolean {
  const stack: [unknown, number][] = [[messages, 0]];
  for (let next = stack.pop(); next; next = stack.pop()) {
    const [line, depth] = next;
    if (!Array.isArray(line)) continue;
    if (depth > MAX_VERSION_DEPTH) return false;
    for (const message of line as unknown[]) {
      const alternatives = (message as { alternatives?: unknown } | null)?.alternatives;
      if (!Array.isArray(alternatives)) continue;
      for (const tail of alternatives as unknown[]) stack.push([tail, depth + 1]);
    }
  }
  return true;
}

/** Every message id in the line, its versions included. */
export function allMessageIds(line: readonly ChatMessage[], into = new Set<string>()): Set<string> {
  for (const m of line) {
    into.add(m.id);
    for (const tail of m.alternatives ?? []) allMessageIds(tail, into);
  }
  return into;
}

/**
 * When the newest message of any version was written (undefined: no messages). Choosing
 * another version does not change it, so the chat list keeps its order.
 */
export function lastMessageTime(line: readonly ChatMessage[]): number | undefined {
  let latest = line.at(-1)?.createdAt;
  for (const m of line) {
    for (const tail of m.alternatives ?? []) {
      const time = lastMessageTime(tail);
      if (time !== undefined && (latest === undefined || time > latest)) latest = time;
    }
  }
  return latest;
}

/** Whether any message of the line has other versions. */
export function hasVersions(line: readonly ChatMessage[]): boolean {
  return line.some((m) => (m.alternatives?.length ?? 0) > 0);
}

/** The message without its version group. */
export function bare(message: ChatMessage): ChatMessage {
  if (message.alternatives === undefined) return message;
  const { alternatives: _alternatives, ...rest } = message;
  return rest;
}

/** A tail shown with `others` as its sibling versions. */
export function withVersions(tail: Line, others: Line[]): Line {
  const [first, ...rest] = tail;
  if (!first) return [];
  return [others.length > 0 ? { ...bare(first), alternatives: others } : bare(first), ...rest];
}

/** Versions in the order they were made: the number the ‹ k / n › switch shows. */
export function chronological(versions: Line[]): Line[] {
  return [...versions].sort((a, b) => madeBefore(a[0], b[0]));
}

function madeBefore(a: ChatMessage | undefined, b: ChatMessage | undefined): number {
  return (a?.createdAt ?? 0) - (b?.createdAt ?? 0) || (a?.id ?? "").localeCompare(b?.id ?? "");
}

/** Every version at `index` (the one shown among them), oldest first. */
function versionsAt(line: readonly ChatMessage[], index: number): { all: Line[]; shown: Line } {
  const message = line[index];
  if (!message) return { all: [], shown: [] };
  const shown = [bare(message), ...line.slice(index + 1)];
  return { all: chronological([shown, ...(message.alternatives ?? [])]), shown };
}

/**
 * Which version of the conversation from this message on shows: `current` of `count`, from 1
 * and oldest first. A message of the branch shown without other versions is 1 of 1.
 */
export function versionOf(message: ChatMessage): { current: number; count: number } {
  const others = message.alternatives ?? [];
  const older = others.filter((tail) => madeBefore(tail[0], message) < 0).length;
  return { current: older + 1, count: others.length + 1 };
}

/**
 * Starts a new version from `index`: `tail` (the edited question, or the new reply) takes
 * the place of the messages from `index` on, which are kept as a version beside it. Beyond
 * MAX_VERSIONS the oldest version goes (the caller's save tombstones its ids).
 */
export function branchAt(line: readonly ChatMessage[], index: number, tail: Line): Line {
  const { all } = versionsAt(line, index);
  const kept = all.slice(Math.max(0, all.length + 1 - MAX_VERSIONS));
  const branched = [...line.slice(0, index), ...withVersions(tail, kept)];
  // Only a pathological chat gets here: the new version then replaces the old one.
  return versionsWithinDepth(branched) ? branched : [...line.slice(0, index), ...tail];
}

/** Shows version `version` (from 1, oldest first) of the conversation from `index` on. */
export function showVersion(line: readonly ChatMessage[], index: number, version: number): Line {
  const { all, shown } = versionsAt(line, index);
  const chosen = all[version - 1];
  if (!chosen || chosen === shown) return [...line];
  const switched = [
    ...line.slice(0, index),
    ...withVersions(
      chosen,
      all.filter((v) => v !== chosen),
    ),
  ];
  // The version left moves one level down; where that is too deep, the switch is refused.
  return versionsWithinDepth(switched) ? switched : [...line];
}

/**
 * The line without the messages `ids` names, in its versions too. A removed message's version
 * group passes to the message that takes its place; where none does (it ended the branch
 * shown), the newest remaining version shows. A version left empty goes.
 */
export function removeMessages(line: readonly ChatMessage[], ids: ReadonlySet<string>): Line {
  const out: Line = [];
  let carried: Line[] = [];
  for (const m of line) {
    const own = (m.alternatives ?? [])
      .map((tail) => removeMessages(tail, ids))
      .filter((tail) => tail.length > 0);
    if (ids.has(m.id)) {
      carried.push(...own);
      continue;
    }
    const versions = [...carried, ...own];
    carried = [];
    out.push(versions.length > 0 ? { ...bare(m), alternatives: versions } : bare(m));
  }
  if (carried.length > 0) {
    const ordered = chronological(carried);
    const newest = ordered.at(-1) ?? [];
    out.push(...withVersions(newest, ordered.slice(0, -1)));
  }
  return out;
}

/** A line whose messages `ids` names get new ids (Undo brings removed messages back). */
export function renameMessages(
  line: readonly ChatMessage[],
  ids: ReadonlyMap<string, string>,
): Line {
  return line.map((m) => {
    const id = ids.get(m.id) ?? m.id;
    const alternatives = m.alternatives?.map((tail) => renameMessages(tail, ids));
    return { ...m, id, ...(alternatives && { alternatives }) };
  });
}
