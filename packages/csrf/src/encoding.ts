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
