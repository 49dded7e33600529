/**
 * "Compact text": the byte form of the link's JSON before deflate.
 *
 * Why not UTF-8: a Chinese character takes 3 bytes in UTF-8, and deflate's byte-wise Huffman
 * coding then pays for two continuation bytes drawn from the same 64 values as every other
 * character's. Giving the CJK ideographs (and the punctuation that surrounds them) a 2-byte form
 * whose lead bytes never occur in ASCII makes links of Chinese chats about 8 % shorter, which is
 * what puts the codec clearly ahead of lz-string (see FORMAT.md and the share-link bench).
 *
 * The encoding, per Unicode scalar value `cp`:
 * - `cp < 0x80`: one byte, `cp` (ASCII, as in UTF-8).
 * - `cp` in one of the 256-code-point BMP blocks listed in `TWO_BYTE_BLOCKS` at index `i`:
 *   two bytes, `0x80 + i`, `cp & 0xff`. Lead bytes run 0x80..0xDF.
 * - anything else (emoji, Hangul, other scripts): four bytes, `0xFF`, then `cp` as 3 bytes
 *   big-endian.
 * Lead bytes 0xE0..0xFE are reserved. Every scalar value has exactly one encoding: the decoder
 * rejects longer forms of values that have a shorter one, surrogates and values past U+10FFFF,
 * so encoding is a bijection between strings of scalar values and valid byte strings.
 */

/** High bytes of the BMP blocks with a 2-byte form. Frozen: part of link format v1. */
const TWO_BYTE_BLOCKS: readonly number[] = [
  // Latin-1 (only U+0080..U+00FF; ASCII has the 1-byte form), Latin Extended, IPA, Greek,
  // Cyrillic.
  0x00,
  0x01,
  0x02,
  0x03,
  0x04,
  // General punctuation (“ ” — …), letterlike symbols, arrows, maths, technical.
  0x20,
  0x21,
  0x22,
  0x23,
  // Box drawing, geometric shapes, miscellaneous symbols, dingbats (✓ ★).
  0x25,
  0x26,
  0x27,
  // CJK symbols and punctuation (。、《》), hiragana, katakana.
  0x30,
  // CJK unified ideographs U+4E00..U+9FFF.
  ...Array.from({ length: 0xa0 - 0x4e }, (_, i) => 0x4e + i),
  // Halfwidth and fullwidth forms (，：（）！？).
  0xff,
];

const FIRST_LEAD = 0x80;
const LAST_LEAD = FIRST_LEAD + TWO_BYTE_BLOCKS.length - 1;
const ESCAPE = 0xff;

const LEAD_FOR_BLOCK: Int16Array = (() => {
  const table = new Int16Array(256).fill(-1);
  TWO_BYTE_BLOCKS.forEach((block, i) => (table[block] = FIRST_LEAD + i));
  return table;
})();

export function encodeCompactText(text: string): Uint8Array {
  // At most 4 bytes per UTF-16 code unit (a BMP value outside the listed blocks).
  const out = new Uint8Array(text.length * 4);
  let o = 0;
  for (let i = 0; i < text.length; i++) {
    let cp = text.charCodeAt(i);
    if (cp < 0x80) {
      out[o++] = cp;
      continue;
    }
    if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < text.length) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
        i++;
      }
    }
    if (cp >= 0xd800 && cp <= 0xdfff) {
      // A lone surrogate has no scalar value; mirror TextEncoder and write U+FFFD. The share
      // codec never gets here: JSON.stringify escapes lone surrogates as `\udXXX`.
      cp = 0xfffd;
    }
    const lead = cp <= 0xffff ? LEAD_FOR_BLOCK[cp >> 8]! : -1;
    if (lead >= 0) {
      out[o++] = lead;
      out[o++] = cp & 0xff;
    } else {
      out[o++] = ESCAPE;
      out[o++] = cp >> 16;
      out[o++] = (cp >> 8) & 0xff;
      out[o++] = cp & 0xff;
    }
  }
  return out.slice(0, o);
}

/** Returns `null` when the bytes are not a valid (canonical) compact-text encoding. */
export function decodeCompactText(bytes: Uint8Array): string | null {
  const parts: string[] = [];
  let units: number[] = [];
  for (let i = 0; i < bytes.length;) {
    const b = bytes[i]!;
    if (b < 0x80) {
      units.push(b);
      i += 1;
    } else if (b <= LAST_LEAD) {
      if (i + 1 >= bytes.length) return null;
      const cp = (TWO_BYTE_BLOCKS[b - FIRST_LEAD]! << 8) | bytes[i + 1]!;
      if (cp < 0x80) return null;
      units.push(cp);
      i += 2;
    } else if (b === ESCAPE) {
      if (i + 3 >= bytes.length) return null;
      const cp = (bytes[i + 1]! << 16) | (bytes[i + 2]! << 8) | bytes[i + 3]!;
      if (cp < 0x80 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return null;
      if (cp <= 0xffff && LEAD_FOR_BLOCK[cp >> 8]! >= 0) return null;
      if (cp > 0xffff) {
        units.push(0xd800 + ((cp - 0x10000) >> 10), 0xdc00 + ((cp - 0x10000) & 0x3ff));
      } else {
        units.push(cp);
      }
      i += 4;
    } else {
      return null;
    }
    // fromCharCode takes its arguments on the stack; keep each call well below engine limits.
    if (units.length >= 8192) {
      parts.push(String.fromCharCode(...units));
      units = [];
    }
  }
  parts.push(String.fromCharCode(...units));
  return parts.join("");
}
