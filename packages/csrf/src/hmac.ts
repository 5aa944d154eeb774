/**
 * HMAC-SHA256 from `@noble/hashes` (audited, dependency-free, runs in every runtime), with
 * the key's inner and outer states computed once, so signing is synchronous and cheap.
 *
 * @module
 */
import { _HMAC } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';

const encoder = new TextEncoder();

/** A secret prepared for HMAC-SHA256. */
export type HmacKey = _HMAC<ReturnType<typeof sha256.create>>;

/** Precomputes the HMAC-SHA256 state of `secret`. */
export function prepareHmacKey(secret: Uint8Array): HmacKey {
  return new _HMAC(sha256, secret);
}

let scratch: HmacKey | undefined;

/** HMAC-SHA256 of `message` (UTF-8) under a prepared key: 32 new bytes. */
export function hmacSha256(key: HmacKey, message: string): Uint8Array {
  // Copy the prepared state into one reused instance (synchronous: no interleaving).
  const h = key._cloneInto(scratch);
  scratch = h;
  return h.update(encoder.encode(message)).digest();
}
