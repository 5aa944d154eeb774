/**
 * `@armor/core/hmac` under the `node` export condition: the same API as the portable build,
 * on `node:crypto`'s native `createHmac`/`createHash` (OpenSSL). Identical bytes.
 *
 * @module
 */
import * as nodeCrypto from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { HmacSha256Key } from '../hmac-key.js';

export type { HmacSha256Key } from '../hmac-key.js';

const keys = new WeakMap<HmacSha256Key, KeyObject>();
// `crypto.hash` (Node >= 20.12) is a one-shot digest without a Hash object.
const oneShot = (nodeCrypto as { hash?: (algorithm: string, data: string | Uint8Array, encoding: 'hex') => string }).hash;

/**
 * Prepares `secret` for {@link hmacSha256}: a native secret `KeyObject`, imported once. The
 * returned key keeps a private copy of the secret.
 *
 * @param secret - the key bytes (any length; at least 32 bytes is what Armor components require)
 */
export function hmacSha256Key(secret: Uint8Array): HmacSha256Key {
  const key: HmacSha256Key = Object.freeze({ algorithm: 'HMAC-SHA256' as const });
  keys.set(key, nodeCrypto.createSecretKey(Uint8Array.from(secret)));
  return key;
}

function native(key: HmacSha256Key): KeyObject {
  const secret = keys.get(key);
  if (secret === undefined) throw new TypeError('not an HMAC key from hmacSha256Key() of this runtime build');
  return secret;
}

/** HMAC-SHA256 of `message` (a string is UTF-8 encoded): 32 new bytes. Synchronous. */
export function hmacSha256(key: HmacSha256Key, message: string | Uint8Array): Uint8Array {
  const mac = nodeCrypto.createHmac('sha256', native(key)).update(message).digest();
  return new Uint8Array(mac.buffer, mac.byteOffset, mac.byteLength);
}

/** {@link hmacSha256} as 64 lowercase hex characters. */
export function hmacSha256Hex(key: HmacSha256Key, message: string | Uint8Array): string {
  return nodeCrypto.createHmac('sha256', native(key)).update(message).digest('hex');
}

/** {@link hmacSha256} as 43 unpadded base64url characters (RFC 4648 §5). */
export function hmacSha256Base64url(key: HmacSha256Key, message: string | Uint8Array): string {
  return nodeCrypto.createHmac('sha256', native(key)).update(message).digest('base64url');
}

/** Unpadded base64url (RFC 4648 §5) of `bytes`. */
export function base64url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}

/** SHA-256 of `message` (a string is UTF-8 encoded) as 64 lowercase hex characters. Synchronous. */
export function sha256Hex(message: string | Uint8Array): string {
  return oneShot ? oneShot('sha256', message, 'hex') : nodeCrypto.createHash('sha256').update(message).digest('hex');
}

/**
 * {@link hmacSha256Base64url}, synchronously (the portable build of this entry point resolves
 * a `Promise` from Web Crypto instead). Callers that `await` the result work with both builds.
 */
export const nativeHmacSha256Base64url: (key: HmacSha256Key, message: string | Uint8Array) => string | Promise<string> = hmacSha256Base64url;

/** {@link hmacSha256Hex}, synchronously (a `Promise` from Web Crypto in the portable build). */
export const nativeHmacSha256Hex: (key: HmacSha256Key, message: string | Uint8Array) => string | Promise<string> = hmacSha256Hex;

/** {@link sha256Hex}, synchronously (a `Promise` from Web Crypto in the portable build). */
export const nativeSha256Hex: (message: string | Uint8Array) => string | Promise<string> = sha256Hex;

/** Which implementation this build uses: `'portable'` (`@noble/hashes`) or `'node'` (`node:crypto`). */
export const hmacImplementation: 'portable' | 'node' = 'node';
