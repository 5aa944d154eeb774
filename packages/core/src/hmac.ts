/**
 * `@armor/core/hmac`: synchronous HMAC-SHA256 and SHA-256, the one implementation CSRF tokens
 * and API keys share.
 *
 * This is the portable build (every runtime): `@noble/hashes`' public `hmac` and `sha256`
 * (audited, dependency-free), with the key's inner and outer states computed once per key.
 * Under the `node` export condition (Node, Deno, Bun and bundlers targeting them) the same
 * entry point resolves to `node:crypto`'s native `createHmac`/`createHash` instead; both give
 * identical bytes, so tokens signed in one runtime verify in the other.
 *
 * The `native*` functions ({@link nativeHmacSha256Base64url}, {@link nativeHmacSha256Hex},
 * {@link nativeSha256Hex}) use the runtime's own implementation only: a synchronous string
 * from `node:crypto` under the `node` condition, a `Promise` from Web Crypto (`crypto.subtle`)
 * elsewhere. Async callers (CSRF tokens, API-key hashing) use them, so their bundles for
 * browsers, edge runtimes and Convex leave `@noble/hashes` out; the synchronous functions load
 * it (the first use of a key computes its HMAC state).
 *
 * @example
 * ```ts
 * import { hmacSha256Key, hmacSha256, hmacSha256Hex, sha256Hex } from '@armor/core/hmac';
 *
 * const key = hmacSha256Key(new TextEncoder().encode('a secret of at least 32 bytes......'));
 * hmacSha256(key, 'message');    // Uint8Array(32)
 * hmacSha256Hex(key, 'message'); // 64 lowercase hex characters
 * sha256Hex('abc');              // 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'
 * ```
 *
 * @module
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import type { HmacSha256Key } from './hmac-key.js';

export type { HmacSha256Key } from './hmac-key.js';

const encoder = new TextEncoder();
type Prepared = ReturnType<typeof hmac.create>;
/** Each key's private copy of its secret. */
const secrets = new WeakMap<HmacSha256Key, Uint8Array<ArrayBuffer>>();
/** `@noble/hashes` HMAC states, computed on a key's first synchronous use. */
const states = new WeakMap<HmacSha256Key, Prepared>();
/** Web Crypto keys, imported on a key's first native use. */
const webKeys = new WeakMap<HmacSha256Key, Promise<CryptoKey>>();

/**
 * Prepares `secret` for {@link hmacSha256} and the `native*` functions. The HMAC key states are
 * computed once per key (on its first synchronous use), so each signature afterwards costs two
 * SHA-256 compressions of the message. The returned key keeps a private copy of the secret
 * (later changes to `secret` do not affect it).
 *
 * @param secret - the key bytes (any length; at least 32 bytes is what Armor components require)
 */
export function hmacSha256Key(secret: Uint8Array): HmacSha256Key {
  const key: HmacSha256Key = Object.freeze({ algorithm: 'HMAC-SHA256' as const });
  secrets.set(key, Uint8Array.from(secret));
  return key;
}

function secretOf(key: HmacSha256Key): Uint8Array<ArrayBuffer> {
  const secret = secrets.get(key);
  if (secret === undefined) throw new TypeError('not an HMAC key from hmacSha256Key() of this runtime build');
  return secret;
}

function prepared(key: HmacSha256Key): Prepared {
  let state = states.get(key);
  if (state === undefined) states.set(key, (state = hmac.create(sha256, secretOf(key))));
  return state;
}

/**
 * HMAC-SHA256 of `message` (a string is UTF-8 encoded) under a key from {@link hmacSha256Key}:
 * 32 new bytes. Synchronous.
 */
export function hmacSha256(key: HmacSha256Key, message: string | Uint8Array): Uint8Array {
  return prepared(key)
    .clone()
    .update(typeof message === 'string' ? encoder.encode(message) : message)
    .digest();
}

/** {@link hmacSha256} as 64 lowercase hex characters. */
export function hmacSha256Hex(key: HmacSha256Key, message: string | Uint8Array): string {
  return bytesToHex(hmacSha256(key, message));
}

/** {@link hmacSha256} as 43 unpadded base64url characters (RFC 4648 §5). */
export function hmacSha256Base64url(key: HmacSha256Key, message: string | Uint8Array): string {
  return base64url(hmacSha256(key, message));
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Unpadded base64url (RFC 4648 §5) of `bytes`. */
export function base64url(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const left = bytes.length - i;
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + (left > 1 ? ALPHABET[(n >> 6) & 63]! : '') + (left > 2 ? ALPHABET[n & 63]! : '');
  }
  return out;
}

/** SHA-256 of `message` (a string is UTF-8 encoded) as 64 lowercase hex characters. Synchronous. */
export function sha256Hex(message: string | Uint8Array): string {
  return bytesToHex(sha256(typeof message === 'string' ? encoder.encode(message) : message));
}

const bytes = (message: string | Uint8Array): Uint8Array<ArrayBuffer> =>
  typeof message === 'string' ? encoder.encode(message) : (message as Uint8Array<ArrayBuffer>);

function hex(buffer: ArrayBuffer): string {
  let out = '';
  for (const byte of new Uint8Array(buffer)) out += (byte < 16 ? '0' : '') + byte.toString(16);
  return out;
}

async function webHmac(key: HmacSha256Key, message: string | Uint8Array): Promise<ArrayBuffer> {
  let webKey = webKeys.get(key);
  if (webKey === undefined) {
    webKey = crypto.subtle.importKey('raw', secretOf(key), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    webKeys.set(key, webKey);
  }
  return crypto.subtle.sign('HMAC', await webKey, bytes(message));
}

/**
 * {@link hmacSha256Base64url} on the runtime's native HMAC: this portable build resolves it
 * with Web Crypto (`crypto.subtle`, the key imported once); the `node` build returns the string
 * synchronously. Never loads `@noble/hashes`. A key not from {@link hmacSha256Key} rejects with
 * a `TypeError`.
 */
export function nativeHmacSha256Base64url(key: HmacSha256Key, message: string | Uint8Array): string | Promise<string> {
  return webHmac(key, message).then((mac) => base64url(new Uint8Array(mac)));
}

/** {@link nativeHmacSha256Base64url} as 64 lowercase hex characters. */
export function nativeHmacSha256Hex(key: HmacSha256Key, message: string | Uint8Array): string | Promise<string> {
  return webHmac(key, message).then(hex);
}

/**
 * {@link sha256Hex} on the runtime's native SHA-256: Web Crypto (`crypto.subtle.digest`) in
 * this portable build, synchronous `node:crypto` in the `node` build. Never loads `@noble/hashes`.
 */
export function nativeSha256Hex(message: string | Uint8Array): string | Promise<string> {
  return crypto.subtle.digest('SHA-256', bytes(message)).then(hex);
}

/** Which implementation this build uses: `'portable'` (`@noble/hashes`) or `'node'` (`node:crypto`). */
export const hmacImplementation: 'portable' | 'node' = 'portable';
