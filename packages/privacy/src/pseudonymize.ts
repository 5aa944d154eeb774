/**
 * Keyed pseudonyms (HMAC-SHA256 via Web Crypto).
 *
 * @module
 */
import { checkInt, checkOptions } from '@armor/core';
import { ConfigurationError, invalidType } from '@armor/errors';

const encoder = new TextEncoder();
const keys = new Map<string, Promise<CryptoKey>>();

/** Options of {@link pseudonymize}. */
export interface PseudonymizeOptions {
  /** Hex characters returned (4 bits each). @default 32 (128 bits) */
  length?: number | undefined;
}

/**
 * A stable pseudonym for `id`: hex HMAC-SHA256 under `secret`, truncated to `length` hex
 * characters. The same id and secret always give the same pseudonym (so you can still count
 * and join); without the secret it cannot be reversed or recomputed from a list of ids.
 * Rotate the secret to unlink old pseudonyms. Asynchronous because it uses
 * `crypto.subtle` (works in Node, Convex and edge runtimes); the imported key is cached.
 *
 * Rejects with a `ConfigurationError` for a missing or short `secret` or a bad `length`
 * (server configuration), and with a `ValidationError` (`VALIDATION_FAILED`, 400; one issue
 * with code `invalid_type`) when `id` is not a string (bad input). Convert numeric ids
 * yourself (`String(user.id)`) so `42` and `'42'` are a deliberate choice.
 *
 * @example
 * ```ts
 * await pseudonymize('user_42', process.env.PSEUDONYM_SECRET!); // '9f2c…' (32 hex chars)
 * ```
 */
export async function pseudonymize(id: string, secret: string, options: PseudonymizeOptions = {}): Promise<string> {
  if (typeof secret !== 'string' || encoder.encode(secret).length < 32) {
    throw new ConfigurationError('secret', 'must be a string of at least 32 bytes', { received: typeof secret === 'string' ? `${secret.length} characters` : secret });
  }
  checkOptions('pseudonymize', options, ['length']);
  checkInt('length', options.length, 8, { max: 64 });
  const length = options.length ?? 32;
  if (typeof id !== 'string') {
    // A bad input value, not a bad option: 400, so a handler passing request data through answers the client.
    throw invalidType('pseudonymize expects id to be a string', 'a string', id);
  }
  let key = keys.get(secret);
  if (!key) {
    if (keys.size >= 16) keys.clear();
    key = crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    keys.set(secret, key);
  }
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', await key, encoder.encode(id)));
  let out = '';
  for (let i = 0; i < mac.length && out.length < length; i++) out += mac[i]!.toString(16).padStart(2, '0');
  return out.slice(0, length);
}
