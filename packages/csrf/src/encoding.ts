/** base64url helpers and a constant-time comparison (internal). @module */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Unpadded base64url of bytes. */
export function base64url(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]! + ALPHABET[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]!;
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]!;
  }
  return out;
}

/**
 * Compares two strings in time that depends only on their lengths, never on where they
 * first differ.
 */
export function timingSafeEqual(a: string, b: string): boolean {
  // Lengths are not secret (token formats are public); contents are compared in full.
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

const CODES = new Uint8Array(64);
for (let i = 0; i < 64; i++) CODES[i] = ALPHABET.charCodeAt(i);

/**
 * Whether `text.slice(from)` is exactly the unpadded base64url encoding of `bytes`,
 * compared in constant time without building the encoded string.
 */
export function equalsBase64url(bytes: Uint8Array, text: string, from: number): boolean {
  const length = Math.ceil((bytes.length * 4) / 3);
  if (text.length - from !== length) return false;
  let diff = 0;
  let at = from;
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    diff |= text.charCodeAt(at) ^ CODES[n >> 18]!;
    diff |= text.charCodeAt(at + 1) ^ CODES[(n >> 12) & 63]!;
    diff |= text.charCodeAt(at + 2) ^ CODES[(n >> 6) & 63]!;
    diff |= text.charCodeAt(at + 3) ^ CODES[n & 63]!;
    at += 4;
  }
  const rest = bytes.length - i;
  if (rest > 0) {
    const n = (bytes[i]! << 16) | (rest === 2 ? bytes[i + 1]! << 8 : 0);
    diff |= text.charCodeAt(at) ^ CODES[n >> 18]!;
    diff |= text.charCodeAt(at + 1) ^ CODES[(n >> 12) & 63]!;
    if (rest === 2) diff |= text.charCodeAt(at + 2) ^ CODES[(n >> 6) & 63]!;
  }
  return diff === 0;
}
