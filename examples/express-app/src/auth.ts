/**
 * Credentials: API keys (Bearer), cookie sessions and password hashing.
 *
 * @module
 */
import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

const scrypt = promisify(scryptCb) as (password: string, salt: Buffer, keylen: number) => Promise<Buffer>;

/** Who is calling. */
export interface Principal {
  userId: string;
  tenantId: string;
  /** The API key used, or `null` for a cookie session. */
  keyId: string | null;
  scopes: readonly string[];
  via: 'api-key' | 'admin-key' | 'session';
}

/** Every scope; the admin key has all of them. */
export const SCOPES = ['projects:read', 'projects:write', 'comments:read', 'comments:write', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

/** SHA-256 hex, for session ids (high-entropy, so no salt/stretching is needed). */
export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** A new opaque session id (256 bits). */
export const newSessionId = (): string => randomBytes(32).toString('base64url');

/** Hashes a password with scrypt: `scrypt$<salt>$<hash>` (base64url). */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scrypt(password.normalize('NFC'), salt, 32);
  return `scrypt$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

/** Checks a password against {@link hashPassword}'s output in constant time. */
export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  const [kind, salt, hash] = (stored ?? 'scrypt$AAAAAAAAAAAAAAAAAAAAAA$').split('$');
  if (kind !== 'scrypt' || salt === undefined || hash === undefined) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = await scrypt(password.normalize('NFC'), Buffer.from(salt, 'base64url'), 32);
  return stored !== null && expected.length === actual.length && timingSafeEqual(expected, actual);
}
