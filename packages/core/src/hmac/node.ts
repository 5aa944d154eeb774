/**
 * `@armor/core/hmac` under the `node` export condition: the same API as the portable build,
 * on `node:crypto`'s native SHA-256 (OpenSSL): the one-shot `crypto.hash` where the runtime has it
 * (Node >= 20.12), `createHmac`/`createHash` otherwise. Identical bytes.
 *
 * @module
 */
import * as nodeCrypto from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { HmacSha256Key } from '../hmac-key.js';

export type { HmacSha256Key } from '../hmac-key.js';

// `crypto.hash` (Node >= 20.12) is a one-shot digest without a Hash object.
const oneShot = (nodeCrypto as { hash?: (algorithm: string, data: string | Uint8Array, encoding: 'hex' | 'base64url' | 'latin1' | 'buffer') => string | Buffer }).hash as
  | ((algorithm: string, data: string | Uint8Array, encoding: 'hex' | 'base64url' | 'latin1') => string)
  | undefined;

/** Message bytes the one-shot path takes per call; longer messages use `createHmac`. */
const SCRATCH = 1024;

/**
 * A key's private state: the native `KeyObject` (for long messages and runtimes without
 * `crypto.hash`) and the RFC 2104 pads for the one-shot path.
 */
interface KeyState {
  readonly secret: KeyObject;
  /** `K ^ ipad` (64 bytes), then room for the message. */
  readonly inner: Buffer;
  /** `K ^ opad` (64 bytes), then the 32-byte inner digest. */
  readonly outer: Buffer;
  /** `inner` cut at 64 + the last message length (a message length rarely varies per key). */
  view: Buffer;
}

const keys = new WeakMap<HmacSha256Key, KeyState>();

/**
 * Prepares `secret` for {@link hmacSha256}: a native secret `KeyObject` and the HMAC pads,
 * computed once. The returned key keeps a private copy of the secret.
 *
 * @param secret - the key bytes (any length; at least 32 bytes is what Armor components require)
 */
export function hmacSha256Key(secret: Uint8Array): HmacSha256Key {
  const key: HmacSha256Key = Object.freeze({ algorithm: 'HMAC-SHA256' as const });
  // RFC 2104 §2: a key longer than the 64-byte block is hashed first; shorter ones are zero-padded.
  const block = secret.length > 64 ? nodeCrypto.createHash('sha256').update(secret).digest() : secret;
  const inner = Buffer.alloc(64 + SCRATCH);
  const outer = Buffer.alloc(64 + 32);
  for (let i = 0; i < 64; i++) {
    const k = block[i] ?? 0;
    inner[i] = k ^ 0x36;
    outer[i] = k ^ 0x5c;
  }
  keys.set(key, { secret: nodeCrypto.createSecretKey(Uint8Array.from(secret)), inner, outer, view: inner.subarray(0, 64) });
  return key;
}

function state(key: HmacSha256Key): KeyState {
  const found = keys.get(key);
  if (found === undefined) throw new TypeError('not an HMAC key from hmacSha256Key() of this runtime build');
  return found;
}

/**
 * HMAC-SHA256 as RFC 2104 spells it, `H(K ^ opad || H(K ^ ipad || message))`, over the one-shot
 * `crypto.hash` with the pads computed once per key. Written out because `createHmac` builds an
 * Hmac object, sets up the key and allocates a Buffer on every call: this is about 2x faster for
 * the short messages Armor signs (tokens, key ids). The inner digest travels as a latin1 string
 * (one byte per character), so no Buffer is allocated either. Checked byte for byte against
 * `createHmac` in `hmac-node.node.test.ts`. Returns `undefined` when the one-shot path does not
 * apply (no `crypto.hash`, or a message over {@link SCRATCH} bytes).
 */
function oneShotHmac(s: KeyState, message: string | Uint8Array, encoding: 'hex' | 'base64url' | 'latin1'): string | undefined {
  if (oneShot === undefined) return undefined;
  let n: number;
  if (typeof message === 'string') {
    // UTF-8 takes at most 3 bytes per UTF-16 code unit, so a message this short always fits.
    if (message.length > SCRATCH / 3) return undefined;
    n = s.inner.write(message, 64, 'utf8');
  } else {
    if (message.length > SCRATCH) return undefined;
    s.inner.set(message, 64);
    n = message.length;
  }
  if (s.view.length !== 64 + n) s.view = s.inner.subarray(0, 64 + n);
  s.outer.write(oneShot('sha256', s.view, 'latin1'), 64, 'latin1');
  s.inner.fill(0, 64, 64 + n); // the message does not outlive the call in the scratch
  return oneShot('sha256', s.outer, encoding);
}

/** HMAC-SHA256 of `message` (a string is UTF-8 encoded): 32 new bytes. Synchronous. */
export function hmacSha256(key: HmacSha256Key, message: string | Uint8Array): Uint8Array {
  const s = state(key);
  const fast = oneShotHmac(s, message, 'latin1');
  const mac = fast === undefined ? nodeCrypto.createHmac('sha256', s.secret).update(message).digest() : Buffer.from(fast, 'latin1');
  return new Uint8Array(mac.buffer, mac.byteOffset, mac.byteLength);
}

/** {@link hmacSha256} as 64 lowercase hex characters. */
export function hmacSha256Hex(key: HmacSha256Key, message: string | Uint8Array): string {
  const s = state(key);
  return oneShotHmac(s, message, 'hex') ?? nodeCrypto.createHmac('sha256', s.secret).update(message).digest('hex');
}

/** {@link hmacSha256} as 43 unpadded base64url characters (RFC 4648 §5). */
export function hmacSha256Base64url(key: HmacSha256Key, message: string | Uint8Array): string {
  const s = state(key);
  return oneShotHmac(s, message, 'base64url') ?? nodeCrypto.createHmac('sha256', s.secret).update(message).digest('base64url');
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
