/**
 * SHA-256 and HMAC-SHA256 from `@noble/hashes` (audited, dependency-free, runs in every
 * runtime), synchronous so verification does not queue a Web Crypto call per request.
 *
 * @module
 */
import { _HMAC } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';

const encoder = new TextEncoder();

/** A secret prepared for HMAC-SHA256 (its inner and outer states, computed once). */
export type HmacKey = _HMAC<ReturnType<typeof sha256.create>>;

/** Precomputes the HMAC-SHA256 state of `secret`. */
export function prepareHmacKey(secret: Uint8Array): HmacKey {
  return new _HMAC(sha256, secret);
}

let scratch: HmacKey | undefined;

/** HMAC-SHA256 of `message` (UTF-8) under a prepared key, as 64 lowercase hex characters. */
export function hmacSha256Hex(key: HmacKey, message: string): string {
  // Copy the prepared state into one reused instance (synchronous: no interleaving).
  const h = key._cloneInto(scratch);
  scratch = h;
  return bytesToHex(h.update(encoder.encode(message)).digest());
}

/** SHA-256 of `message` (UTF-8) as 64 lowercase hex characters. */
export function sha256Hex(message: string): string {
  return bytesToHex(sha256(encoder.encode(message)));
}
