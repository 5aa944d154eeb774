/**
 * A small synchronous SHA-256 / HMAC-SHA256 (FIPS 180-4, RFC 2104) in plain JavaScript, shared
 * by `@armor/csrf` and `@armor/api-keys` (bundled into each at build time; this package is
 * private and never published).
 *
 * Why not only Web Crypto: in Node 20 every `crypto.subtle.digest` / `sign` is queued to the
 * libuv thread pool and costs tens of microseconds, 25x or more the cost of hashing a short
 * token, which made a CSRF check or an API-key verification the largest cost of a request.
 * `node:crypto` is not allowed in the runtime-agnostic cores (Convex, edge). This
 * implementation precomputes the inner and outer HMAC key states once per secret (the
 * equivalent of caching an imported key), so a short-message HMAC is three compression
 * rounds. It is checked against the FIPS/RFC 4231 vectors and against Web Crypto
 * (property test) in the tests of both packages.
 *
 * @module
 */

const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01,
  0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc,
  0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
  0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08,
  0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
  0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
const IV = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
const W = new Int32Array(64);

function compress(H: Int32Array, b: Uint8Array, off: number): void {
  for (let i = 0; i < 16; i++) {
    const j = off + i * 4;
    W[i] = (b[j]! << 24) | (b[j + 1]! << 16) | (b[j + 2]! << 8) | b[j + 3]!;
  }
  for (let i = 16; i < 64; i++) {
    const x = W[i - 15]!;
    const y = W[i - 2]!;
    const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
    const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
    W[i] = (W[i - 16]! + s0 + W[i - 7]! + s1) | 0;
  }
  let a = H[0]!, bb = H[1]!, c = H[2]!, d = H[3]!, e = H[4]!, f = H[5]!, g = H[6]!, h = H[7]!;
  for (let i = 0; i < 64; i++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (h + S1 + ((e & f) ^ (~e & g)) + K[i]! + W[i]!) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (S0 + ((a & bb) ^ (a & c) ^ (bb & c))) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = bb;
    bb = a;
    a = (t1 + t2) | 0;
  }
  H[0] = (H[0]! + a) | 0;
  H[1] = (H[1]! + bb) | 0;
  H[2] = (H[2]! + c) | 0;
  H[3] = (H[3]! + d) | 0;
  H[4] = (H[4]! + e) | 0;
  H[5] = (H[5]! + f) | 0;
  H[6] = (H[6]! + g) | 0;
  H[7] = (H[7]! + h) | 0;
}

let work = new Uint8Array(256);
const encoder = new TextEncoder();

/** Writes `message` into the work buffer (ASCII fast path) and returns its byte length. */
function load(message: string | Uint8Array, room: number): number {
  if (typeof message !== 'string') {
    if (work.length < message.length + room) work = new Uint8Array((message.length + room) * 2);
    work.set(message);
    return message.length;
  }
  const n = message.length;
  if (work.length < n * 3 + room) work = new Uint8Array((n * 3 + room) * 2);
  for (let i = 0; i < n; i++) {
    const code = message.charCodeAt(i);
    if (code > 127) return encoder.encodeInto(message, work).written;
    work[i] = code;
  }
  return n;
}

/** Pads the `length` loaded bytes (after `prefix` already-hashed bytes) and compresses them. */
function finish(H: Int32Array, length: number, prefix: number): void {
  let n = length;
  work[n++] = 0x80;
  while (n % 64 !== 56) work[n++] = 0;
  const bits = (length + prefix) * 8;
  const high = Math.floor(bits / 0x100000000);
  work[n++] = high >>> 24;
  work[n++] = (high >>> 16) & 255;
  work[n++] = (high >>> 8) & 255;
  work[n++] = high & 255;
  work[n++] = bits >>> 24;
  work[n++] = (bits >>> 16) & 255;
  work[n++] = (bits >>> 8) & 255;
  work[n++] = bits & 255;
  for (let off = 0; off < n; off += 64) compress(H, work, off);
}

function digestOf(H: Int32Array): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 8; i++) {
    const v = H[i]!;
    out[i * 4] = v >>> 24;
    out[i * 4 + 1] = (v >>> 16) & 255;
    out[i * 4 + 2] = (v >>> 8) & 255;
    out[i * 4 + 3] = v & 255;
  }
  return out;
}

/** SHA-256 of bytes or a string (UTF-8). */
export function sha256(message: string | Uint8Array): Uint8Array {
  const H = Int32Array.from(IV);
  finish(H, load(message, 72), 0);
  return digestOf(H);
}

/** A secret prepared for HMAC-SHA256: the inner and outer states after the padded key block. */
export interface HmacKey {
  readonly inner: Int32Array;
  readonly outer: Int32Array;
}

/** Precomputes an HMAC-SHA256 key (keys longer than 64 bytes are hashed first, per RFC 2104). */
export function prepareHmacKey(secret: Uint8Array): HmacKey {
  const key = secret.length > 64 ? sha256(secret) : secret;
  const ipad = new Uint8Array(64).fill(0x36);
  const opad = new Uint8Array(64).fill(0x5c);
  for (let i = 0; i < key.length; i++) {
    ipad[i]! ^= key[i]!;
    opad[i]! ^= key[i]!;
  }
  const inner = Int32Array.from(IV);
  compress(inner, ipad, 0);
  const outer = Int32Array.from(IV);
  compress(outer, opad, 0);
  return { inner, outer };
}

const state = new Int32Array(8);

/** Leaves HMAC-SHA256(`key`, `message`) in `state`. */
function hmacInto(key: HmacKey, message: string | Uint8Array): void {
  state.set(key.inner);
  finish(state, load(message, 72), 64);
  for (let i = 0; i < 8; i++) {
    const v = state[i]!;
    work[i * 4] = v >>> 24;
    work[i * 4 + 1] = (v >>> 16) & 255;
    work[i * 4 + 2] = (v >>> 8) & 255;
    work[i * 4 + 3] = v & 255;
  }
  state.set(key.outer);
  finish(state, 32, 64);
}

/** HMAC-SHA256 of `message` (a string is UTF-8 encoded). Returns 32 bytes. */
export function hmacSha256(key: HmacKey, message: string | Uint8Array): Uint8Array {
  hmacInto(key, message);
  return digestOf(state);
}

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function hexOf(H: Int32Array): string {
  let out = '';
  for (let i = 0; i < 8; i++) {
    const v = H[i]!;
    out += HEX[v >>> 24]! + HEX[(v >>> 16) & 255]! + HEX[(v >>> 8) & 255]! + HEX[v & 255]!;
  }
  return out;
}

/** SHA-256 of a string (UTF-8) as 64 lowercase hex characters. */
export function sha256Hex(message: string): string {
  state.set(IV);
  finish(state, load(message, 72), 0);
  return hexOf(state);
}

/** HMAC-SHA256 of a string (UTF-8) as 64 lowercase hex characters. */
export function hmacSha256Hex(key: HmacKey, message: string): string {
  hmacInto(key, message);
  return hexOf(state);
}
