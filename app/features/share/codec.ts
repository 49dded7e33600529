/**
 * Shareable chat links: the whole conversation travels in the URL fragment, which browsers
 * never send to a server. The format is documented in FORMAT.md next to this file.
 *
 * Invariants:
 * - Everything decoded from a link is untrusted. `decodeShareFragment` never throws; every
 *   failure is a `{code, message}` whose message tells the user what to do next.
 * - No link can make us hold more than `MAX_DECOMPRESSED_BYTES` of decompressed data (plus one
 *   inflate slice, see bounded-inflate.ts).
 * - Text is kept exactly, HTML included: this module does not sanitise. Rendering shared
 *   content safely is the markdown layer's job.
 * - Every conversation `encodeShareFragment` accepts decodes again (it runs the same schema and
 *   size checks), so the app never hands out a link it would refuse to open.
 */
import { deflateSync } from "fflate";
import { z } from "zod/mini";
import { decodeBase64Url, encodeBase64Url } from "./base64url";
import { inflateBounded } from "./bounded-inflate";
import { decodeCompactText, encodeCompactText } from "./compact-text";

export const SHARE_FORMAT_VERSION = 1;
/** Above this many characters in the whole link, warn: many messengers cut long links. */
export const SHARE_WARN_LENGTH = 8192;
/**
 * Hard limit in characters, for the whole link when creating one and for the fragment when
 * opening one; longer fragments are rejected before any decoding work.
 */
export const SHARE_HARD_LIMIT = 256 * 1024;
/** Decompression stops beyond this many bytes (a decompression bomb never costs more). */
export const MAX_DECOMPRESSED_BYTES = 1024 * 1024;

export const SHARE_LIMITS = {
  titleChars: 200,
  modelIdChars: 128,
  settingsKeys: 32,
  settingKeyChars: 64,
  settingStringChars: 1000,
  messages: 500,
  messageChars: 100_000,
} as const;

const SETTING_KEY = new RegExp(`^[A-Za-z][A-Za-z0-9_.-]{0,${SHARE_LIMITS.settingKeyChars - 1}}$`);
const MODEL_ID = /^[A-Za-z0-9][A-Za-z0-9._\-/:+@]*$/;

export const SharedMessageV1 = z.strictObject({
  role: z.enum(["user", "assistant"]),
  content: z.string().check(z.maxLength(SHARE_LIMITS.messageChars)),
  /** The reply was stopped before it finished. Links carry only `true`; `false` is dropped. */
  interrupted: z.optional(z.boolean()),
});

export const SharedConversationV1 = z.strictObject({
  v: z.literal(SHARE_FORMAT_VERSION),
  title: z.string().check(z.maxLength(SHARE_LIMITS.titleChars)),
  modelId: z
    .string()
    .check(z.minLength(1), z.maxLength(SHARE_LIMITS.modelIdChars), z.regex(MODEL_ID)),
  // z.record silently drops a `__proto__` key (JSON.parse makes it an own property); refuse it
  // instead, so that what a link shows is everything the link holds.
  settings: z.pipe(
    z.custom<object>(
      (value) =>
        typeof value === "object" &&
        value !== null &&
        !Array.isArray(value) &&
        !Object.hasOwn(value, "__proto__"),
    ),
    z
      .record(
        z.string().check(z.regex(SETTING_KEY)),
        z.union([
          z.string().check(z.maxLength(SHARE_LIMITS.settingStringChars)),
          z.number(),
          z.boolean(),
        ]),
      )
      .check(
        z.refine((settings) => Object.keys(settings).length <= SHARE_LIMITS.settingsKeys, {
          message: `at most ${SHARE_LIMITS.settingsKeys} settings`,
        }),
      ),
  ),
  messages: z.array(SharedMessageV1).check(z.minLength(1), z.maxLength(SHARE_LIMITS.messages)),
});

export type SharedMessage = z.infer<typeof SharedMessageV1>;
export type SharedConversation = z.infer<typeof SharedConversationV1>;

export type ShareErrorCode =
  | "bad-version"
  | "bad-encoding"
  | "bad-compression"
  | "too-large"
  | "link-too-long"
  | "bad-schema"
  | "bad-json";

export interface ShareErrorInfo {
  code: ShareErrorCode;
  message: string;
}

export type DecodeResult =
  { ok: true; conversation: SharedConversation } | { ok: false; error: ShareErrorInfo };

/** Thrown only when creating a link; opening one reports errors as values. */
export class ShareLinkError extends Error {
  override readonly name = "ShareLinkError";
  constructor(
    readonly code: ShareErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const ASK_AGAIN = "Ask the sender for the link again and make sure it is copied whole.";

const MESSAGES = {
  notAShareLink: `This doesn't look like a CuteGPT share link. ${ASK_AGAIN}`,
  newerVersion: (v: number) =>
    `This link was made by a newer version of CuteGPT Web (link format v${v}). ` +
    "Reload the app to update it, then open the link again.",
  unknownVersion: (v: string) =>
    `This link uses a link format this app doesn't know (${v}). ${ASK_AGAIN}`,
  badEncoding: `This link is damaged: it contains characters a share link can't have. ${ASK_AGAIN}`,
  badCompression: `This link is incomplete or damaged, so the conversation can't be unpacked. ${ASK_AGAIN}`,
  tooLarge:
    `This link unpacks to more than ${MAX_DECOMPRESSED_BYTES / (1024 * 1024)} MB, ` +
    "which is more than any shared conversation can be, so it was not opened.",
  linkTooLong:
    `This link is longer than ${SHARE_HARD_LIMIT / 1024} KB, more than any share link ` +
    "this app makes, so it was not opened.",
  badJson: `This link's contents are damaged and can't be read. ${ASK_AGAIN}`,
  badSchema: (detail: string) =>
    `This link doesn't hold a valid conversation (${detail}). ` +
    "It may have been edited or damaged; ask the sender to share it again.",
};

const VERSION_PREFIX = /^v(\d{1,9})\./;

/** Cheap test the router can use to decide whether a fragment is meant to be a share link. */
export function isShareFragment(fragment: string): boolean {
  return VERSION_PREFIX.test(stripHash(fragment));
}

/**
 * The JSON text a link carries. The short positional form keeps links short:
 * `[title, modelId, settings, [[flags, content], …]]`, flags bit 0 = assistant, bit 1 =
 * interrupted.
 */
export function shareWireJson(conv: SharedConversation): string {
  return JSON.stringify([
    conv.title,
    conv.modelId,
    conv.settings,
    conv.messages.map((m) => [
      (m.role === "assistant" ? 1 : 0) | (m.interrupted ? 2 : 0),
      m.content,
    ]),
  ]);
}

/**
 * The fragment text (without `#`): `v1.` + base64url(deflate-raw(compact-text(wire JSON))).
 * Throws `ShareLinkError` with `bad-schema` for a conversation a link can't carry and
 * `too-large` when it would unpack to more than `MAX_DECOMPRESSED_BYTES`.
 *
 * Strings are kept exactly, lone surrogates included: JSON.stringify writes them as `\udXXX`
 * escapes, which survive the trip as ASCII.
 */
export function encodeShareFragment(conv: SharedConversation): string {
  const parsed = SharedConversationV1.safeParse(conv);
  if (!parsed.success) {
    throw new ShareLinkError("bad-schema", MESSAGES.badSchema(describeIssue(parsed.error)));
  }
  const packed = encodeCompactText(shareWireJson(parsed.data));
  if (packed.length > MAX_DECOMPRESSED_BYTES) {
    throw new ShareLinkError(
      "too-large",
      "This conversation is too large to share as a link. Share only the last few turns instead.",
    );
  }
  // Level 9 with the largest window: links are made rarely and read by people, so spend the
  // CPU on length.
  const compressed = deflateSync(packed, { level: 9, mem: 12 });
  return `v${SHARE_FORMAT_VERSION}.${encodeBase64Url(compressed)}`;
}

/**
 * `baseUrl` with its fragment replaced by the conversation. Throws `ShareLinkError` like
 * `encodeShareFragment`, and with `link-too-long` when the link would exceed
 * `SHARE_HARD_LIMIT` (offer `lastTurns` then).
 */
export function shareLinkFor(baseUrl: string | URL, conv: SharedConversation): string {
  const url = new URL(baseUrl);
  url.hash = encodeShareFragment(conv);
  const link = url.href;
  if (link.length > SHARE_HARD_LIMIT) {
    throw new ShareLinkError(
      "link-too-long",
      `This conversation makes a link longer than ${SHARE_HARD_LIMIT / 1024} KB, which ` +
        "browsers and messengers won't carry. Share only the last few turns instead.",
    );
  }
  return link;
}

export type LinkLengthStatus = "ok" | "long" | "too-long";

/** `long`: warn that messengers may cut it; `too-long`: don't offer the link at all. */
export function linkLengthStatus(link: string): LinkLengthStatus {
  if (link.length > SHARE_HARD_LIMIT) return "too-long";
  if (link.length > SHARE_WARN_LENGTH) return "long";
  return "ok";
}

/** Never throws; see `ShareErrorCode` for the ways a link can be refused. */
export function decodeShareFragment(fragment: string): DecodeResult {
  try {
    return decodeUnsafe(fragment);
  } catch {
    // Every step below reports its own failures; this only guards against an engine-level
    // surprise (e.g. running out of stack) turning into an exception in the UI.
    return fail("bad-json", MESSAGES.badJson);
  }
}

function decodeUnsafe(rawFragment: string): DecodeResult {
  const fragment = stripHash(rawFragment);
  if (fragment.length > SHARE_HARD_LIMIT) return fail("link-too-long", MESSAGES.linkTooLong);

  const prefix = VERSION_PREFIX.exec(fragment);
  if (!prefix) return fail("bad-version", MESSAGES.notAShareLink);
  const versionText = prefix[1]!;
  const version = Number(versionText);
  if (versionText !== String(SHARE_FORMAT_VERSION)) {
    return version > SHARE_FORMAT_VERSION && !versionText.startsWith("0")
      ? fail("bad-version", MESSAGES.newerVersion(version))
      : fail("bad-version", MESSAGES.unknownVersion(`v${versionText}`));
  }

  const compressed = decodeBase64Url(fragment.slice(prefix[0].length));
  if (!compressed) return fail("bad-encoding", MESSAGES.badEncoding);

  const inflated = inflateBounded(compressed, MAX_DECOMPRESSED_BYTES);
  if (!inflated.ok) {
    return inflated.reason === "too-large"
      ? fail("too-large", MESSAGES.tooLarge)
      : fail("bad-compression", MESSAGES.badCompression);
  }

  const text = decodeCompactText(inflated.bytes);
  if (text === null) return fail("bad-json", MESSAGES.badJson);
  let wire: unknown;
  try {
    wire = JSON.parse(text);
  } catch {
    return fail("bad-json", MESSAGES.badJson);
  }

  const candidate = fromWire(wire);
  if (typeof candidate === "string") return fail("bad-schema", MESSAGES.badSchema(candidate));
  const parsed = SharedConversationV1.safeParse(candidate);
  if (!parsed.success) {
    return fail("bad-schema", MESSAGES.badSchema(describeIssue(parsed.error)));
  }
  return { ok: true, conversation: parsed.data };
}

/**
 * Undoes the positional wire form. Checks only the structure needed to rebuild the object
 * (returning a description of the first problem); the schema checks everything else, so its
 * error paths name fields rather than array positions.
 */
function fromWire(wire: unknown): unknown {
  if (!Array.isArray(wire) || wire.length !== 4) return "its contents have the wrong shape";
  const [title, modelId, settings, messages] = wire as unknown[];
  if (!Array.isArray(messages)) return "the message list is missing";
  if (messages.length > SHARE_LIMITS.messages) {
    return `it has more than ${SHARE_LIMITS.messages} messages`;
  }
  const rebuilt: unknown[] = [];
  for (const [i, message] of messages.entries()) {
    if (!Array.isArray(message) || message.length !== 2) return `message ${i + 1} is malformed`;
    const [flags, content] = message as unknown[];
    if (flags !== 0 && flags !== 1 && flags !== 2 && flags !== 3) {
      return `message ${i + 1} has an unknown role`;
    }
    rebuilt.push({
      role: flags & 1 ? "assistant" : "user",
      content,
      ...(flags & 2 ? { interrupted: true } : {}),
    });
  }
  return { v: SHARE_FORMAT_VERSION, title, modelId, settings, messages: rebuilt };
}

const FIELD_NAMES: Record<string, string> = {
  v: "the format version",
  title: "the title",
  modelId: "the model name",
  settings: "the settings",
  messages: "the message list",
};

/** A short English description of the first schema problem; never echoes link content. */
function describeIssue(error: z.core.$ZodError): string {
  const issue = error.issues[0];
  if (!issue) return "unknown problem";
  const [head, index, field] = issue.path;
  let what =
    typeof head === "string" ? (FIELD_NAMES[head] ?? "an unknown field") : "the conversation";
  if (head === "messages" && typeof index === "number") {
    what = `message ${index + 1}`;
    if (field === "role") what += "'s role";
    else if (field === "content") what += "'s text";
    else if (field === "interrupted") what += "'s interrupted flag";
  } else if (head === "settings" && index !== undefined) {
    what = "a setting";
  }
  const plural = what === FIELD_NAMES["settings"];
  const is = plural ? "are" : "is";
  switch (issue.code) {
    case "too_big":
      return `${what} ${is} too long`;
    case "too_small":
      return `${what} ${is} empty`;
    case "unrecognized_keys":
      return `${what} ${plural ? "have" : "has"} unexpected fields`;
    case "invalid_type":
      return `${what} ${plural ? "have" : "has"} the wrong type`;
    default:
      return `${what} ${is} not valid`;
  }
}

/** Number of turns: a turn starts at each user message (leading replies form their own). */
export function countTurns(conv: SharedConversation): number {
  return turnStarts(conv).length;
}

/** The conversation cut to its last `n` turns (a copy; `n` ≥ the turn count keeps all). */
export function lastTurns(conv: SharedConversation, n: number): SharedConversation {
  if (!Number.isInteger(n) || n < 1) throw new RangeError("lastTurns needs n ≥ 1");
  const starts = turnStarts(conv);
  const from = starts.length > n ? starts[starts.length - n]! : 0;
  return { ...conv, messages: conv.messages.slice(from) };
}

/**
 * The largest number of last turns whose link fits in `maxLength` characters, or 0 when not
 * even the last turn fits. Encodes O(log turns) times, so call it off the typing path.
 */
export function largestTurnCountWithin(
  baseUrl: string | URL,
  conv: SharedConversation,
  maxLength: number,
): number {
  const fits = (n: number): boolean => {
    try {
      return shareLinkFor(baseUrl, lastTurns(conv, n)).length <= maxLength;
    } catch {
      return false;
    }
  };
  let lo = 0;
  let hi = countTurns(conv);
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (fits(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * A stable id for a link (SHA-256 hex of the fragment without `#`), so opening the same link
 * twice finds the copy made the first time instead of adding another.
 */
export async function linkIdentity(fragment: string): Promise<string> {
  const digest = await crypto.subtle.digest(
    "SHA-256",
    new TextEncoder().encode(stripHash(fragment)),
  );
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

function turnStarts(conv: SharedConversation): number[] {
  const starts: number[] = [];
  conv.messages.forEach((m, i) => {
    if (m.role === "user" || i === 0) starts.push(i);
  });
  return starts;
}

function stripHash(fragment: string): string {
  return fragment.startsWith("#") ? fragment.slice(1) : fragment;
}

function fail(code: ShareErrorCode, message: string): DecodeResult {
  return { ok: false, error: { code, message } };
}
