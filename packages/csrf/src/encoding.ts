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

/**
 * {@link timingSafeEqual} of two whole strings, four bytes at a time over scratch copies (a
 * native copy for ASCII; see {@link compareDoubleSubmit}). Strings that are not ASCII or longer
 * than 256 characters take the `charCodeAt` path. Still constant-time in the contents.
 */
export function timingSafeEqualWhole(a: string, b: string): boolean {
  return (compareDoubleSubmit(a, b, '', b.length) & 1) === 0;
}

// The double-submit scratch: the cookie, the submitted token and the expected token, one
// 256-byte region each of one buffer (so the expected token's head is a native copy within it).
const all = new Uint8Array(768);
const cookieBytes = all.subarray(0, 256);
const tokenBytes = all.subarray(256, 512);
const all32 = new Uint32Array(all.buffer);
/** Views of the expected region from each offset, created on first use (a token's MAC offset rarely varies). */
const tailViews: Uint8Array[] = [];

/**
 * The double-submit comparison in one pass, constant-time in the contents: `0` when `cookie`
 * equals `submitted` and `submitted.slice(from)` equals `expectedTail` (the MAC); bit `1` set when
 * the cookie differs, bit `2` set when the tail differs — or when `expectedMid` (the session tag)
 * is not at `midFrom` of `submitted`, if given (it must end before `from`). The three are copied into one scratch
 * buffer (native copies for ASCII; the expected token is the submitted head plus
 * `expectedTail`) and compared four bytes at a time in one loop. Not ASCII or longer than 256
 * characters: the `charCodeAt` path.
 */
export function compareDoubleSubmit(cookie: string, submitted: string, expectedTail: string, from: number, expectedMid = '', midFrom = 0): number {
  const n = submitted.length;
  if (
    n > 256 ||
    from < 0 ||
    from + expectedTail.length !== n ||
    cookie.length !== n ||
    encoder.encodeInto(cookie, cookieBytes).written !== n ||
    encoder.encodeInto(submitted, tokenBytes).written !== n ||
    encoder.encodeInto(expectedTail, (tailViews[from] ??= all.subarray(512 + from, 768))).written !== n - from ||
    midFrom < 0 ||
    midFrom + expectedMid.length > from
  ) {
    return slow(cookie, submitted, expectedTail, from, expectedMid, midFrom);
  }
  all.copyWithin(512, 256, 256 + from);
  if (expectedMid !== '' && encoder.encodeInto(expectedMid, (tailViews[midFrom] ??= all.subarray(512 + midFrom, 768))).written !== expectedMid.length) {
    return slow(cookie, submitted, expectedTail, from, expectedMid, midFrom);
  }
  let cookieDiff = 0;
  let tailDiff = 0;
  const words = n >>> 2;
  for (let i = 0; i < words; i++) {
    const token = all32[64 + i]!;
    cookieDiff |= all32[i]! ^ token;
    tailDiff |= all32[128 + i]! ^ token;
  }
  for (let i = words << 2; i < n; i++) {
    const token = all[256 + i]!;
    cookieDiff |= all[i]! ^ token;
    tailDiff |= all[512 + i]! ^ token;
  }
  return (cookieDiff === 0 ? 0 : 1) | (tailDiff === 0 ? 0 : 2);
}

function slow(cookie: string, submitted: string, expectedTail: string, from: number, expectedMid: string, midFrom: number): number {
  const mid = expectedMid === '' || (midFrom >= 0 && midFrom + expectedMid.length <= from && timingSafeEqual(expectedMid, submitted, midFrom, midFrom + expectedMid.length));
  return (timingSafeEqual(cookie, submitted) ? 0 : 1) | (timingSafeEqual(expectedTail, submitted, from) && mid ? 0 : 2);
}
