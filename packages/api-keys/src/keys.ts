/**
 * Generating, hashing, verifying and rotating API keys.
 *
 * @module
 */
import { ConfigurationError } from '@armor/errors';
import { ApiKeyError } from './errors.js';
import { ID_LENGTH, PREFIX_PATTERN, checksumOf, parseApiKey, randomBase62 } from './format.js';

/** A server-side secret mixed into key hashes (HMAC-SHA256); at least 32 bytes. */
export type Pepper = string | Uint8Array;

/** Options of {@link generateApiKey}. */
export interface GenerateApiKeyOptions {
  /**
   * Identifies the key type to humans and secret scanners, e.g. `armor_live`, `armor_test`.
   * Lowercase words separated by `_`, at most 32 characters.
   * @default 'armor'
   */
  prefix?: string | undefined;
  /** Length of the random base62 part (the first 12 characters are the public id). @default 40 (≈ 238 bits) */
  length?: number | undefined;
  /** Hash with HMAC-SHA256 under this server secret instead of plain SHA-256. @default undefined */
  pepper?: Pepper | undefined;
}

/** A new key. Show `key` to its owner once; store `id`, `hash` and your metadata. */
export interface GeneratedApiKey {
  /** The full secret key, e.g. `armor_live_<40 base62>_<6 base62>`. Never store or log it. */
  key: string;
  /** Public id (first 12 characters of the random part): the lookup key, safe to log. */
  id: string;
  /** The prefix. */
  prefix: string;
  /** Lowercase hex SHA-256 (or HMAC-SHA256 with a pepper) of the key: what you store. */
  hash: string;
  /** `'sha256'` or `'hmac-sha256'`. */
  algorithm: 'sha256' | 'hmac-sha256';
  /** A display hint such as `armor_live_0aB3xYz9Qw12…`. */
  hint: string;
}

/** What your storage returns for a key id. Extra fields (owner, name, …) are kept. */
export interface ApiKeyRecord {
  /** The stored hash (from {@link GeneratedApiKey.hash}). */
  hash: string;
  /** Granted scopes, e.g. `['projects:read']`; `'*'` grants all. @default [] */
  scopes?: readonly string[] | undefined;
  /** When the key stops working (epoch ms or Date); `null`/absent = never. */
  expiresAt?: number | Date | null | undefined;
  /** When the key was revoked (epoch ms or Date); `null`/absent = not revoked. */
  revokedAt?: number | Date | null | undefined;
  /** Id of the key that replaced this one (set by {@link rotateApiKey}). */
  replacedBy?: string | undefined;
}

/** Options of {@link verifyApiKey} / {@link createApiKeyVerifier}. */
export interface VerifyApiKeyOptions<R extends ApiKeyRecord = ApiKeyRecord> {
  /** Finds the stored record by public id; `undefined`/`null` when unknown. */
  lookup: (id: string) => R | undefined | null | Promise<R | undefined | null>;
  /** The pepper the keys were hashed with (if any). */
  pepper?: Pepper | undefined;
  /** Scopes the caller must hold (all of them). @default [] */
  requireScopes?: readonly string[] | undefined;
  /** Accepted prefixes; others fail with `API_KEY_INVALID` (`reason: 'prefix'`). @default any */
  prefixes?: readonly string[] | undefined;
  /** Time source. @default Date */
  clock?: { now(): number } | undefined;
}

/** A verified key. */
export interface VerifiedApiKey<R extends ApiKeyRecord = ApiKeyRecord> {
  /** Public id. */
  id: string;
  /** Prefix. */
  prefix: string;
  /** Granted scopes. */
  scopes: readonly string[];
  /** The stored record. */
  record: R;
  /** Set while a rotated-out key is inside its overlap window: the id of its successor. */
  replacedBy?: string;
}

const encoder = new TextEncoder();
const keyCache = new Map<string, Promise<CryptoKey>>();
const bytesKeyCache = new WeakMap<Uint8Array, Promise<CryptoKey>>();

function checkPepper(option: string, pepper: unknown): void {
  if (pepper === undefined) return;
  const bytes = typeof pepper === 'string' ? encoder.encode(pepper) : pepper instanceof Uint8Array ? pepper : undefined;
  if (!bytes) throw new ConfigurationError(option, 'must be a string or a Uint8Array', { received: pepper });
  if (bytes.length < 32) throw new ConfigurationError(option, 'must be at least 32 bytes of secret material', { received: `${bytes.length} bytes` });
}

function importPepper(pepper: Pepper): Promise<CryptoKey> {
  const make = () =>
    crypto.subtle.importKey('raw', typeof pepper === 'string' ? encoder.encode(pepper) : new Uint8Array(pepper), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  if (typeof pepper === 'string') {
    let key = keyCache.get(pepper);
    if (!key) {
      if (keyCache.size >= 16) keyCache.clear();
      keyCache.set(pepper, (key = make()));
    }
    return key;
  }
  let key = bytesKeyCache.get(pepper);
  if (!key) bytesKeyCache.set(pepper, (key = make()));
  return key;
}

function hex(buffer: ArrayBuffer): string {
  const bytes = new Uint8Array(buffer);
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += bytes[i]!.toString(16).padStart(2, '0');
  return out;
}

/**
 * The hash to store for a key: lowercase hex SHA-256, or HMAC-SHA256 under `pepper`
 * (Web Crypto; the imported pepper key is cached).
 *
 * @example
 * ```ts
 * await hashApiKey(key, { pepper: process.env.API_KEY_PEPPER }); // '3f1c…' (64 hex chars)
 * ```
 */
export async function hashApiKey(key: string, options: { pepper?: Pepper | undefined } = {}): Promise<string> {
  const data = encoder.encode(key);
  if (options.pepper === undefined) return hex(await crypto.subtle.digest('SHA-256', data));
  return hex(await crypto.subtle.sign('HMAC', await importPepper(options.pepper), data));
}

/**
 * Creates a key `<prefix>_<random base62>_<CRC-32 checksum, 6 base62>` (GitHub-style: secret
 * scanners recognize it, typos fail the checksum without a lookup) with its public id and
 * the hash to store.
 *
 * @example
 * ```ts
 * const { key, id, hash } = await generateApiKey({ prefix: 'armor_live' });
 * await db.apiKeys.insert({ id, hash, scopes: ['projects:read'], ownerId });
 * return { key }; // shown once
 * ```
 */
export async function generateApiKey(options: GenerateApiKeyOptions = {}): Promise<GeneratedApiKey> {
  const prefix = options.prefix ?? 'armor';
  if (typeof prefix !== 'string' || prefix.length > 32 || !PREFIX_PATTERN.test(prefix)) {
    throw new ConfigurationError('prefix', 'must be lowercase letters/digits in "_"-separated words, starting with a letter, at most 32 characters', { received: prefix });
  }
  const length = options.length ?? 40;
  if (!Number.isInteger(length) || length < 24 || length > 64) throw new ConfigurationError('length', 'must be an integer from 24 to 64', { received: length });
  checkPepper('pepper', options.pepper);
  const random = randomBase62(length);
  const body = `${prefix}_${random}`;
  const key = `${body}_${checksumOf(body)}`;
  const id = random.slice(0, ID_LENGTH);
  return {
    key,
    id,
    prefix,
    hash: await hashApiKey(key, { pepper: options.pepper }),
    algorithm: options.pepper === undefined ? 'sha256' : 'hmac-sha256',
    hint: `${prefix}_${id}…`,
  };
}

function timingSafeEqualHex(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

const toMs = (value: number | Date | null | undefined): number | undefined =>
  value === null || value === undefined ? undefined : value instanceof Date ? value.getTime() : value;

/**
 * Validates options once and returns a verifier. Throws `ConfigurationError` for bad
 * options. See {@link verifyApiKey} for the checks.
 *
 * @example
 * ```ts
 * const verify = createApiKeyVerifier({ lookup: (id) => db.apiKeys.get(id), pepper });
 * const { record } = await verify(presented, { requireScopes: ['projects:write'] });
 * ```
 */
export function createApiKeyVerifier<R extends ApiKeyRecord>(
  options: VerifyApiKeyOptions<R>,
): (presented: unknown, perCall?: { requireScopes?: readonly string[] | undefined }) => Promise<VerifiedApiKey<R>> {
  if (typeof options !== 'object' || options === null) throw new ConfigurationError('options', 'must be an object', { received: options });
  if (typeof options.lookup !== 'function') throw new ConfigurationError('lookup', 'must be a function (id) => record | undefined', { received: options.lookup });
  checkPepper('pepper', options.pepper);
  const baseScopes: readonly string[] = options.requireScopes ?? [];
  if (!Array.isArray(baseScopes as unknown) || baseScopes.some((s) => typeof s !== 'string' || s === '')) {
    throw new ConfigurationError('requireScopes', 'must be an array of non-empty strings', { received: baseScopes });
  }
  const prefixes = options.prefixes === undefined ? undefined : new Set(options.prefixes);
  const clock = options.clock ?? Date;
  const invalid = (reason: string) => new ApiKeyError('API_KEY_INVALID', 'Invalid API key', { details: { reason } });

  return async (presented, perCall = {}) => {
    if (presented === undefined || presented === null || presented === '') throw new ApiKeyError('UNAUTHENTICATED', 'API key required');
    const parsed = parseApiKey(presented);
    if (!parsed) throw invalid('format');
    if (!parsed.checksumValid) throw invalid('checksum');
    if (prefixes && !prefixes.has(parsed.prefix)) throw invalid('prefix');
    // Hash before the lookup so known and unknown ids take the same time up to the lookup.
    const hash = await hashApiKey(presented as string, { pepper: options.pepper });
    const record = await options.lookup(parsed.id);
    if (record === undefined || record === null) throw invalid('unknown');
    if (typeof record.hash !== 'string' || !timingSafeEqualHex(hash, record.hash.toLowerCase())) throw invalid('hash');
    const details = { keyId: parsed.id };
    const now = clock.now();
    const revokedAt = toMs(record.revokedAt);
    if (revokedAt !== undefined && revokedAt <= now) throw new ApiKeyError('API_KEY_REVOKED', 'API key revoked', { details });
    const expiresAt = toMs(record.expiresAt);
    if (expiresAt !== undefined && expiresAt <= now) {
      throw new ApiKeyError('API_KEY_EXPIRED', record.replacedBy ? 'API key was rotated and its overlap window has ended' : 'API key expired', {
        details: record.replacedBy ? { ...details, reason: 'rotated' } : details,
      });
    }
    const scopes = record.scopes ?? [];
    const required = perCall.requireScopes ? [...baseScopes, ...perCall.requireScopes] : baseScopes;
    const missing = scopes.includes('*') ? [] : required.filter((scope) => !scopes.includes(scope));
    if (missing.length) {
      throw new ApiKeyError('INSUFFICIENT_SCOPE', `API key lacks required scope${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`, {
        details: { ...details, missing },
      });
    }
    const verified: VerifiedApiKey<R> = { id: parsed.id, prefix: parsed.prefix, scopes, record };
    if (record.replacedBy !== undefined) verified.replacedBy = record.replacedBy;
    return verified;
  };
}

/**
 * Verifies a presented key: format and checksum (no lookup needed for typos), prefix, the
 * record by public id, a timing-safe hash comparison, revocation, expiry (including the end
 * of a rotation overlap) and `requireScopes`. Rejects with {@link ApiKeyError}; errors never
 * contain the key.
 *
 * @example
 * ```ts
 * const { id, record } = await verifyApiKey(req.headers['x-api-key'], { lookup: (id) => db.apiKeys.get(id), requireScopes: ['projects:read'] });
 * ```
 */
export function verifyApiKey<R extends ApiKeyRecord>(presented: unknown, options: VerifyApiKeyOptions<R>): Promise<VerifiedApiKey<R>> {
  return createApiKeyVerifier(options)(presented);
}

/** Options of {@link rotateApiKey}. */
export interface RotateApiKeyOptions extends GenerateApiKeyOptions {
  /** How long the old key keeps working, in milliseconds. @default 86400000 (24 hours) */
  overlapMs?: number | undefined;
  /** Time source. @default Date */
  clock?: { now(): number } | undefined;
}

/**
 * Rotates a key: generates its successor and returns the old record updated to expire at
 * the end of the overlap window (or earlier if it already expired sooner), with
 * `replacedBy` set. Save both; clients switch to the new key within the window.
 *
 * @example
 * ```ts
 * const { next, previous } = await rotateApiKey(oldRecord, { prefix: 'armor_live', overlapMs: 7 * 86_400_000 });
 * await db.apiKeys.insert({ id: next.id, hash: next.hash, scopes: oldRecord.scopes });
 * await db.apiKeys.update(oldId, previous);
 * ```
 */
export async function rotateApiKey<R extends ApiKeyRecord>(
  record: R,
  options: RotateApiKeyOptions = {},
): Promise<{ next: GeneratedApiKey; previous: R & { expiresAt: number; replacedBy: string } }> {
  const overlapMs = options.overlapMs ?? 86_400_000;
  if (!Number.isFinite(overlapMs) || overlapMs < 0) throw new ConfigurationError('overlapMs', 'must be a number of milliseconds >= 0', { received: overlapMs });
  const now = (options.clock ?? Date).now();
  const next = await generateApiKey(options);
  const current = toMs(record.expiresAt);
  const end = current === undefined ? now + overlapMs : Math.min(current, now + overlapMs);
  return { next, previous: { ...record, expiresAt: end, replacedBy: next.id } };
}
