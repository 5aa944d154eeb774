/** A constant-time string comparison (internal). @module */

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
