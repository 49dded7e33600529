import { z } from "zod/mini";
import { ENGINE_ERROR_CODES, type ChatUsage } from "../protocol/worker-protocol";
import type { DecodingSettings } from "../prompt/decoding";

/**
 * One schema per type the app stores or sends between tabs; the TypeScript types are derived
 * from them (types.ts re-exports them), so the description a read checks against and the one
 * the code is written against cannot drift apart. Stored values come from older app versions
 * and other tabs, so every read checks them (conversation-shape.ts, summaries.ts,
 * tombstones.ts, cross-tab.ts); the export file's schema is these with its own size limits
 * (features/export/format.ts). Share links carry a different, smaller shape of their own
 * (features/share/codec.ts).
 *
 * Reads only check: they keep the stored object as it is (zod's parse would copy it and drop
 * fields a newer app version added, which a save here would then erase).
 */

// zod 4 numbers are finite already (no Infinity, no NaN).
const finite = z.number();

export const messageStatusSchema = z.enum(["done", "streaming", "stopped", "interrupted", "error"]);

export const usageSchema = z.object({
  promptTokens: finite,
  completionTokens: finite,
  prefillTokensPerSecond: finite,
  decodeTokensPerSecond: finite,
  finishReason: z.enum(["stop", "length", "abort"]),
  droppedTurns: z.exactOptional(z.int().check(z.nonnegative())),
});

const messageFields = {
  id: z.string(),
  role: z.enum(["user", "assistant"]),
  content: z.string(),
  /** CuteGPT's optional input field, sent as "问：{content}\n{input}\n答：". */
  input: z.exactOptional(z.string()),
  createdAt: finite,
  status: messageStatusSchema,
  modelId: z.exactOptional(z.string()),
  usage: z.exactOptional(usageSchema),
  /** What the user was told when the engine failed. */
  error: z.exactOptional(z.object({ code: z.enum(ENGINE_ERROR_CODES), message: z.string() })),
};

/** A stored message; written out because it contains itself (its versions). */
export type StoredMessage = z.infer<z.ZodMiniObject<typeof messageFields>> & {
  /**
   * The other versions of the conversation from this message on (storage/branches.ts): Edit
   * and Regenerate keep the earlier tail here, each an array of messages whose first is this
   * message's sibling. Only the message shown at a branch point carries them, so the
   * conversation's `messages` is always the branch shown. Absent on records without versions.
   */
  alternatives?: StoredMessage[][];
};

type MessageShape = typeof messageFields & {
  alternatives: z.ZodMiniExactOptional<
    z.ZodMiniArray<z.ZodMiniArray<z.ZodMiniType<StoredMessage>>>
  >;
};

export const messageSchema: z.ZodMiniObject<MessageShape> = z.object({
  ...messageFields,
  get alternatives() {
    return z.exactOptional(z.array(z.array(messageSchema)));
  },
});

export const promptLayoutSchema = z.enum(["training", "reference"]);

export const decodingSchema = z.object({
  preset: z.enum(["reference", "creative", "model", "custom"]),
  temperature: finite,
  topP: finite,
  repetitionPenalty: finite,
  maxTokens: z.int().check(z.positive()),
});

/** Per-conversation generation settings, saved with the conversation. */
export const conversationSettingsSchema = z.object({
  /** The meta prompt CuteGPT's prompts start with. */
  metaPrompt: z.string(),
  /** How many past question/answer pairs the prompt carries (the seed's memory_limit). */
  historyLimit: z.int().check(z.nonnegative()),
  /**
   * CuteGPT only: "training" (absent = the default) sends the layout the model was trained on
   * through the chat API, which reuses the KV cache across turns; "reference" sends the
   * reference scripts' prompt as one string, re-read in full every turn, with `historyLimit`.
   */
  promptLayout: z.exactOptional(promptLayoutSchema),
  decoding: decodingSchema,
});

export const conversationSchema = z.object({
  id: z.string(),
  title: z.string(),
  createdAt: finite,
  updatedAt: finite,
  /**
   * When the title, pin or settings last changed (`updatedAt` also moves with every message
   * and streamed token). Merges take those fields from the copy that changed them last
   * (cross-tab.ts). Absent on records written before it existed.
   */
  fieldsUpdatedAt: z.exactOptional(finite),
  modelId: z.exactOptional(z.string()),
  /** Pinned chats stay at the top of the list. */
  pinned: z.exactOptional(z.boolean()),
  /**
   * Ids of messages the user removed (delete, edit and resend, regenerate). Saves and other
   * tabs merge copies by message id; a merge must not bring these back.
   */
  removedMessageIds: z.exactOptional(z.array(z.string())),
  settings: z.exactOptional(conversationSettingsSchema),
  /**
   * When the user last chose which version of the conversation shows (Edit, Regenerate, the
   * ‹ › switch). Merges show the branch chosen last (storage/branches.ts). Absent on records
   * that never had versions.
   */
  branchesChangedAt: z.exactOptional(finite),
  messages: z.array(messageSchema),
});

/**
 * What the sidebar needs of one conversation. Summaries live in their own small store so the
 * list can be shown without reading every message; they are a cache derived from the
 * conversation records, which stay the truth (see repository.ts).
 */
export const summarySchema = z.object({
  id: z.string(),
  title: z.string(),
  pinned: z.boolean(),
  createdAt: z.number(),
  updatedAt: z.number(),
  /** When the last message was written (the conversation's createdAt if it has none). */
  lastActivity: z.number(),
  messageCount: z.number(),
});

/** What a deleted conversation leaves in its record's place (tombstones.ts). */
export const tombstoneSchema = z.object({
  kind: z.literal("deleted-conversation"),
  id: z.string(),
  deletedAt: z.number(),
});

/** A tab wrote or deleted this conversation; the others re-read it from IndexedDB. */
export const crossTabMessageSchema = z.object({ type: z.literal("changed"), id: z.string() });

/** True when `value` has the schema's shape; the value itself is used as it is. */
export function matches<T>(schema: z.ZodMiniType<T>, value: unknown): value is T {
  return schema.safeParse(value).success;
}

// The shapes other modules own must stay what these schemas say (a compile error otherwise).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameUsage: Same<z.infer<typeof usageSchema>, ChatUsage> = true;
const sameDecoding: Same<z.infer<typeof decodingSchema>, DecodingSettings> = true;
void sameUsage;
void sameDecoding;
