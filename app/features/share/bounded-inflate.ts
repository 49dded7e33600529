import { Inflate } from "fflate";

/**
 * Raw-deflate decompression that stops once the output passes `maxBytes`.
 *
 * A link is untrusted, and deflate expands up to 1032:1, so a 190 KB payload could ask for
 * about 200 MB. `inflateSync` would allocate all of it before we could look at the size.
 * Instead the input is fed to fflate's streaming inflater in slices small enough that one slice
 * can never expand past the remaining budget by more than `MIN_SLICE * MAX_DEFLATE_RATIO`
 * (≈ 66 KB), and we give up as soon as the running total crosses the limit.
 *
 * The stream must also end exactly at the last byte. fflate, like zlib's inflate, stops at the
 * final block and ignores whatever follows, so "link + junk" would open the same chat as the
 * link and count as another link. Dropping the last byte of a stream that ends there always
 * cuts into its final block (that byte holds at least one bit of it), so if the stream still
 * unpacks without its last byte, that byte was trailing data and the link is refused.
 */

/** Deflate's largest possible expansion: a 258-byte match coded in about 2 bits. */
const MAX_DEFLATE_RATIO = 1032;
const MIN_SLICE = 64;
const MAX_SLICE = 16 * 1024;

export type BoundedInflateResult =
  | { ok: true; bytes: Uint8Array }
  | { ok: false; reason: "too-large"; inflatedBytes: number }
  | { ok: false; reason: "corrupt" }
  | { ok: false; reason: "trailing-data" };

export function inflateBounded(data: Uint8Array, maxBytes: number): BoundedInflateResult {
  const result = inflateStream(data, maxBytes);
  if (!result.ok) return result;
  // Costs a second pass at most as long as the first (the shorter input unpacks no further).
  if (data.length > 1 && inflateStream(data.subarray(0, -1), maxBytes).ok) {
    return { ok: false, reason: "trailing-data" };
  }
  return result;
}

function inflateStream(data: Uint8Array, maxBytes: number): BoundedInflateResult {
  // fflate accepts an empty final push without complaint; an empty payload is not a stream.
  if (data.length === 0) return { ok: false, reason: "corrupt" };

  const chunks: Uint8Array[] = [];
  let total = 0;
  const inflater = new Inflate((chunk) => {
    total += chunk.length;
    if (total <= maxBytes) chunks.push(chunk);
  });

  try {
    for (let offset = 0; offset < data.length;) {
      const budgetSlice = Math.floor((maxBytes - total) / MAX_DEFLATE_RATIO);
      const end = Math.min(data.length, offset + clamp(budgetSlice, MIN_SLICE, MAX_SLICE));
      inflater.push(data.subarray(offset, end), end === data.length);
      offset = end;
      if (total > maxBytes) return { ok: false, reason: "too-large", inflatedBytes: total };
    }
  } catch {
    // fflate throws for invalid block types, bad Huffman tables, distances before the start of
    // the output and streams that end early (a truncated link).
    return { ok: false, reason: "corrupt" };
  }

  const bytes = new Uint8Array(total);
  let o = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, o);
    o += chunk.length;
  }
  return { ok: true, bytes };
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
