/** Constant-time string comparisons (internal). @module */

/**
 * Whether `text.slice(from, to)` equals `expected`, in time that depends only on the lengths,
 * never on where they first differ (and without copying `text`).
 */
export function timingSafeEqual(expected: string, text: string, from = 0, to = text.length): boolean {
  // Lengths are not secret (token formats are public); contents are compared in full.
  const n = expected.length;
  if (to - from !== n) return false;
  let diff = 0;
  for (let i = 0; i < n; i++) diff |= expected.charCodeAt(i) ^ text.charCodeAt(from + i);
  return diff === 0;
}

const encoder = new TextEncoder();
// Scratch space for whole-token comparisons (synchronous use only). Tokens are <= 200 chars.
const left = new Uint8Array(256);
const right = new Uint8Array(256);
const left32 = new Uint32Array(left.buffer);
const right32 = new Uint32Array(right.buffer);

/**
 * {@link timingSafeEqual} of two whole strings, comparing four bytes at a time: both are
 * copied into scratch buffers (a native copy for ASCII) and compared word by word, about twice
 * as fast as `charCodeAt` pairs for a whole token. Strings that are not ASCII or longer than
 * 256 characters take the `charCodeAt` path. Still constant-time in the contents.
 */
export function timingSafeEqualWhole(a: string, b: string): boolean {
  const n = a.length;
  if (b.length !== n) return false;
  if (n > left.length || encoder.encodeInto(a, left).written !== n || encoder.encodeInto(b, right).written !== n) return timingSafeEqual(a, b);
  let diff = 0;
  const words = n >>> 2;
  for (let i = 0; i < words; i++) diff |= left32[i]! ^ right32[i]!;
  for (let i = words << 2; i < n; i++) diff |= left[i]! ^ right[i]!;
  return diff === 0;
}

const mac = new Uint8Array(256);

/**
 * The double-submit comparison in one pass, constant-time in the contents: `0` when `cookie`
 * equals `submitted` and `submitted.slice(from)` equals `expectedTail` (the MAC); bit `1` set when
 * the cookie differs, bit `2` set when the tail differs. All three are copied into scratch
 * buffers once (a native copy for ASCII), instead of a word compare of the whole tokens followed
 * by a `charCodeAt` walk of the MAC. Not ASCII or longer than 256 characters: the plain path.
 */
export function compareDoubleSubmit(cookie: string, submitted: string, expectedTail: string, from: number): number {
  const n = submitted.length;
  const m = expectedTail.length;
  if (n > left.length || from + m !== n || cookie.length !== n || encoder.encodeInto(cookie, left).written !== n || encoder.encodeInto(submitted, right).written !== n || encoder.encodeInto(expectedTail, mac).written !== m) {
    return (timingSafeEqualWhole(cookie, submitted) ? 0 : 1) | (timingSafeEqual(expectedTail, submitted, from) ? 0 : 2);
  }
  let cookieDiff = 0;
  const words = n >>> 2;
  for (let i = 0; i < words; i++) cookieDiff |= left32[i]! ^ right32[i]!;
  for (let i = words << 2; i < n; i++) cookieDiff |= left[i]! ^ right[i]!;
  let tailDiff = 0;
  for (let i = 0; i < m; i++) tailDiff |= mac[i]! ^ right[from + i]!;
  return (cookieDiff === 0 ? 0 : 1) | (tailDiff === 0 ? 0 : 2);
}
