/**
 * Key format helpers: base62, CRC-32 checksums, and parsing `<prefix>_<random>_<checksum>`.
 *
 * @module
 */

/** The base62 alphabet used for the random part and the checksum. */
export const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** `length` uniformly random base62 characters from `crypto.getRandomValues` (rejection sampling, no modulo bias). */
export function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    const bytes = crypto.getRandomValues(new Uint8Array(length * 2));
    for (let i = 0; i < bytes.length && out.length < length; i++) {
      const b = bytes[i]!;
      if (b < 248) out += BASE62[b % 62]!;
    }
  }
  return out;
}

const CRC_TABLE = (() => {
  const table = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c;
  }
  return table;
})();

/** CRC-32 (IEEE 802.3, as in zlib and GitHub's token checksums) of an ASCII/UTF-16 string's code units (low byte). */
export function crc32(text: string): number {
  return crc32Of(text, text.length);
}

/** {@link crc32} of `text.slice(0, end)`, without making the slice. */
function crc32Of(text: string, end: number): number {
  let crc = -1;
  for (let i = 0; i < end; i++) crc = CRC_TABLE[(crc ^ text.charCodeAt(i)) & 0xff]! ^ (crc >>> 8);
  return (crc ^ -1) >>> 0;
}

/** Unsigned integer → base62, left-padded with `0` to `width` characters. */
export function toBase62(value: number, width: number): string {
  let out = '';
  let n = value;
  do {
    out = BASE62[n % 62]! + out;
    n = Math.floor(n / 62);
  } while (n > 0);
  return out.padStart(width, '0');
}

/**
 * Checksum of `<prefix>_<random>`: CRC-32 in 6 base62 characters. With `end` (0 to
 * `body.length`), the checksum of `body.slice(0, end)`, without making the slice.
 */
export function checksumOf(body: string, end = body.length): string {
  return toBase62(crc32Of(body, end), 6);
}

/** Allowed prefixes: lowercase letters/digits in `_`-separated words, starting with a letter, at most 32 characters. */
export const PREFIX_PATTERN = /^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$/;

/** Length of the public id (the first characters of the random part). */
export const ID_LENGTH = 12;

/** A key split into its parts. */
export interface ParsedApiKey {
  /** e.g. `armor_live`. */
  prefix: string;
  /** The random part (secret). */
  random: string;
  /** Public id: the first 12 characters of the random part, safe to log and show. */
  id: string;
  /** The 6-character checksum. */
  checksum: string;
  /** Whether the checksum matches (typos and truncation are caught here, without a lookup). */
  checksumValid: boolean;
}

const KEY_PATTERN = /^([a-z][a-z0-9]*(?:_[a-z0-9]+)*)_([0-9A-Za-z]{24,64})_([0-9A-Za-z]{6})$/;

/**
 * Splits a presented key into its parts, or returns `undefined` when it is not in Armor's
 * format. Does not throw.
 *
 * @example
 * ```ts
 * parseApiKey('armor_live_0aB…_1x9QzL')?.checksumValid; // true | false
 * ```
 */
export function parseApiKey(presented: unknown): ParsedApiKey | undefined {
  if (typeof presented !== 'string' || presented.length > 200) return undefined;
  const match = KEY_PATTERN.exec(presented);
  if (!match) return undefined;
  const [, prefix, random, checksum] = match as unknown as [string, string, string, string];
  if (prefix.length > 32) return undefined;
  // The checksummed body `<prefix>_<random>` is the key up to its last `_`.
  return { prefix, random, id: random.slice(0, ID_LENGTH), checksum, checksumValid: checksumOf(presented, presented.length - checksum.length - 1) === checksum };
}
