/**
 * API keys for the service. TEMPORARY local implementation until @armor/api-keys lands:
 * `ak_<lookup>_<secret>`; only SHA-256 of the whole key is stored.
 *
 * @module
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export interface IssuedKey { key: string; lookup: string; hash: string }

export function issueKey(): IssuedKey {
  const lookup = randomBytes(6).toString('hex');
  const key = `ak_${lookup}_${randomBytes(24).toString('base64url')}`;
  return { key, lookup, hash: hashKey(key) };
}

export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** The lookup part of a well-formed key, else undefined. */
export function parseKey(key: string): { lookup: string } | undefined {
  const m = /^ak_([0-9a-f]{12})_[A-Za-z0-9_-]{32}$/.exec(key);
  return m ? { lookup: m[1]! } : undefined;
}

export function verifyKey(key: string, hash: string): boolean {
  const a = Buffer.from(hashKey(key), 'hex');
  const b = Buffer.from(hash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}
