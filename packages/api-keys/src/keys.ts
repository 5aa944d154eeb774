/**
 * Generating, hashing, verifying and rotating API keys.
 *
 * @module
 */
import { checkClock as checkClockOption, checkInt, checkMs, checkOptions as checkKnownOptions } from '@armor/core';
import { ConfigurationError, ConflictError, InternalError, invalidType } from '@armor/errors';
import { ApiKeyError } from './errors.js';
import { ID_LENGTH, PREFIX_PATTERN, checksumOf, parseApiKey, randomBase62 } from './format.js';
import { hmacSha256Key, nativeHmacSha256Hex, nativeSha256Hex, type HmacSha256Key } from '@armor/core/hmac';

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

/**
 * What your storage returns for a key id. Extra fields (owner, name, …) are kept, and
 * {@link rotateApiKey} copies them to the successor.
 *
 * A record is your server's data, so a malformed one is a server bug: the verifier fails
 * closed with an `INTERNAL` (500) error rather than guessing (e.g. `scopes` that is not an
 * array, or an `expiresAt` that is not a valid number or Date).
 */
export interface ApiKeyRecord {
  /** The stored hash (from {@link GeneratedApiKey.hash}). */
  hash: string;
  /** Granted scopes, e.g. `['projects:read']`; `'*'` grants all. Must be an array of strings. @default [] */
  scopes?: readonly string[] | undefined;
  /** When the key stops working (epoch ms or Date); `null`/absent = never. */
  expiresAt?: number | Date | null | undefined;
  /** When the key was revoked (epoch ms or Date); `null`/absent = not revoked. */
  revokedAt?: number | Date | null | undefined;
  /** Id of the key that replaced this one (set by {@link rotateApiKey}). */
  replacedBy?: string | undefined;
  /** The key's prefix, if you store it; {@link rotateApiKey} gives the successor the same prefix. */
  prefix?: string | undefined;
  /** The hash algorithm, if you store it; {@link rotateApiKey} refuses to rotate an `'hmac-sha256'` key without a `pepper`. */
  algorithm?: 'sha256' | 'hmac-sha256' | undefined;
}

/** Options of {@link verifyApiKey} / {@link createApiKeyVerifier}. */
export interface VerifyApiKeyOptions<R extends ApiKeyRecord = ApiKeyRecord> {
  /** Finds the stored record by public id; `undefined`/`null` when unknown. */
  lookup: (id: string) => R | undefined | null | Promise<R | undefined | null>;
  /** The pepper the keys were hashed with (if any). */
  pepper?: Pepper | undefined;
  /**
   * Scopes the caller must hold (all of them). A granted `*` covers every scope; a granted
   * `projects:*` covers `projects:read`, `projects:42:write`, ... @default []
   */
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
const keyCache = new Map<string, HmacSha256Key>();
const bytesKeyCache = new WeakMap<Uint8Array, HmacSha256Key>();

function checkPepper(option: string, pepper: unknown): void {
  if (pepper === undefined) return;
  const bytes = typeof pepper === 'string' ? encoder.encode(pepper) : pepper instanceof Uint8Array ? pepper : undefined;
  if (!bytes) throw new ConfigurationError(option, 'must be a string or a Uint8Array', { received: pepper });
  if (bytes.length < 32) throw new ConfigurationError(option, 'must be at least 32 bytes of secret material', { received: `${bytes.length} bytes` });
}

const GENERATE_OPTIONS = ['prefix', 'length', 'pepper'] as const;
const VERIFY_OPTIONS = ['lookup', 'pepper', 'requireScopes', 'prefixes', 'clock'] as const;
const ROTATE_OPTIONS = [...GENERATE_OPTIONS, 'overlapMs', 'clock', 'scopes', 'expiresAt', 'fields'] as const;

function checkScopes(option: string, scopes: unknown): void {
  if (!Array.isArray(scopes) || scopes.some((s) => typeof s !== 'string' || s === '')) {
    throw new ConfigurationError(option, 'must be an array of non-empty strings', { received: scopes });
  }
}

const typeName = (value: unknown): string => (value === null ? 'null' : Array.isArray(value) ? 'array' : value instanceof Date ? 'Date' : typeof value);

/** A bad argument value (not an option): `VALIDATION_FAILED` (400) with one `invalid_type` issue. */
const invalidArgument = (fn: string, argument: string, expected: string, value: unknown, path = '') =>
  invalidType(`${fn} expects ${argument} to be ${expected}`, expected, value, path);

/** The pepper's prepared HMAC key, one per pepper. */
function hmacKeyOf(pepper: Pepper): HmacSha256Key {
  if (typeof pepper === 'string') {
    let key = keyCache.get(pepper);
    if (!key) {
      if (keyCache.size >= 16) keyCache.clear();
      keyCache.set(pepper, (key = hmacSha256Key(encoder.encode(pepper))));
    }
    return key;
  }
  let key = bytesKeyCache.get(pepper);
  if (!key) bytesKeyCache.set(pepper, (key = hmacSha256Key(pepper)));
  return key;
}

/**
 * The hash to store for a key: lowercase hex SHA-256, or HMAC-SHA256 under `pepper`
 * (the same bytes in every runtime; the pepper's key is prepared once). A non-string `key` rejects with a
 * `ValidationError` (`VALIDATION_FAILED`, issue code `invalid_type`); a bad `pepper` with a
 * `ConfigurationError`.
 *
 * @example
 * ```ts
 * await hashApiKey(key, { pepper: process.env.API_KEY_PEPPER }); // '3f1c…' (64 hex chars)
 * ```
 */
export async function hashApiKey(key: string, options: { pepper?: Pepper | undefined } = {}): Promise<string> {
  checkKnownOptions('hashApiKey', options, ['pepper']);
  checkPepper('pepper', options.pepper);
  if (typeof key !== 'string') throw invalidArgument('hashApiKey', 'key', 'a string', key);
  return hashWith(key, options.pepper);
}

/**
 * {@link hashApiKey} without argument checks (callers have validated the pepper): SHA-256 /
 * HMAC-SHA256 from `@armor/core/hmac`, a string synchronously from `node:crypto` under the
 * `node` export condition (no Web Crypto call queued to the thread pool on every verification),
 * a `Promise` from Web Crypto elsewhere.
 */
function hashWith(key: string, pepper: Pepper | undefined): string | Promise<string> {
  return pepper === undefined ? nativeSha256Hex(key) : nativeHmacSha256Hex(hmacKeyOf(pepper), key);
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
  checkKnownOptions('generateApiKey', options, GENERATE_OPTIONS);
  return generate(options);
}

async function generate(options: GenerateApiKeyOptions): Promise<GeneratedApiKey> {
  const prefix: unknown = options.prefix === undefined ? 'armor' : options.prefix;
  if (typeof prefix !== 'string' || prefix.length > 32 || !PREFIX_PATTERN.test(prefix)) {
    throw new ConfigurationError('prefix', 'must be lowercase letters/digits in "_"-separated words, starting with a letter, at most 32 characters', { received: prefix });
  }
  checkInt('length', options.length, 24, { max: 64 });
  const length = options.length ?? 40;
  checkPepper('pepper', options.pepper);
  const random = randomBase62(length);
  const body = `${prefix}_${random}`;
  const key = `${body}_${checksumOf(body)}`;
  const id = random.slice(0, ID_LENGTH);
  return {
    key,
    id,
    prefix,
    hash: await hashWith(key, options.pepper),
    algorithm: options.pepper === undefined ? 'sha256' : 'hmac-sha256',
    hint: `${prefix}_${id}…`,
  };
}

/**
 * Whether the computed lowercase hex `hash` equals the stored one, ignoring the case of the
 * stored hex digits (`A`–`F`), in time independent of where they differ.
 */
function timingSafeEqualHex(hash: string, stored: string): boolean {
  if (hash.length !== stored.length) return false;
  let diff = 0;
  for (let i = 0; i < hash.length; i++) {
    const c = stored.charCodeAt(i);
    diff |= hash.charCodeAt(i) ^ (c >= 65 && c <= 70 ? c + 32 : c);
  }
  return diff === 0;
}

/** A record timestamp in epoch ms; `undefined` for null/absent, `NaN` when it is not a number or a valid Date. */
function toMs(value: unknown): number | undefined {
  if (value === null || value === undefined) return undefined;
  if (value instanceof Date) return value.getTime();
  return typeof value === 'number' ? value : NaN;
}

const NONE: readonly string[] = Object.freeze([]);

/** Stands in for the stored hash of an unknown id (never equal to a 64-hex-digit hash). */
const UNKNOWN_HASH = '0'.repeat(63) + 'x';

/**
 * Whether granted `scopes` cover `required`. Scopes are `:`-separated paths; a granted `*`
 * covers everything, and a granted scope ending in `:*` covers every scope below it
 * (`projects:*` covers `projects:read` and `projects:42:write`, not `projects` itself or
 * `projectsx:read`).
 */
export function scopeGranted(scopes: readonly string[], required: string): boolean {
  for (const scope of scopes) {
    if (scope === required || scope === '*') return true;
    if (scope.endsWith(':*') && required.length > scope.length - 1 && required.startsWith(scope.slice(0, -1))) return true;
  }
  return false;
}

function isStringArray(value: unknown): value is string[] {
  if (!Array.isArray(value)) return false;
  for (let i = 0; i < value.length; i++) {
    // Like `every`, holes of a sparse array are skipped.
    if (typeof value[i] !== 'string' && i in value) return false;
  }
  return true;
}

/** A malformed stored record: a server bug, so fail closed with a 500 that is not shown to clients. */
const badRecord = (field: string, keyId: string, expected: string, value: unknown) =>
  new InternalError(`API key record has an invalid "${field}": expected ${expected}, received ${typeName(value)}`, { details: { keyId, field } });

/**
 * Validates options once and returns a verifier. Throws `ConfigurationError` for bad
 * options (including a bad per-call `requireScopes`, which rejects). See
 * {@link verifyApiKey} for the checks.
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
  checkKnownOptions('createApiKeyVerifier', options, VERIFY_OPTIONS);
  if (typeof options.lookup !== 'function') throw new ConfigurationError('lookup', 'must be a function (id) => record | undefined', { received: options.lookup });
  checkPepper('pepper', options.pepper);
  const baseScopes: readonly string[] = options.requireScopes === undefined ? [] : options.requireScopes;
  checkScopes('requireScopes', baseScopes);
  if (options.prefixes !== undefined) {
    if (!Array.isArray(options.prefixes) || options.prefixes.some((p) => typeof p !== 'string' || p.length > 32 || !PREFIX_PATTERN.test(p))) {
      throw new ConfigurationError('prefixes', 'must be an array of key prefixes such as ["armor_live"]', { received: options.prefixes });
    }
  }
  const prefixes = options.prefixes === undefined ? undefined : new Set(options.prefixes);
  checkClockOption(options.clock, 'clock');
  const clock = options.clock ?? Date;
  const invalid = (reason: string) => new ApiKeyError('API_KEY_INVALID', 'Invalid API key', { details: { reason } });
  const pepperKey = options.pepper === undefined ? undefined : hmacKeyOf(options.pepper);
  /**
   * One error for "no such id" and "wrong secret": same code, message and (absent) details, so
   * a client cannot tell whether a key id exists. Both paths run the same hash comparison.
   */
  const refused = () => new ApiKeyError('API_KEY_INVALID', 'Invalid API key');

  return async (presented, perCall = {}) => {
    checkKnownOptions('verify', perCall, ['requireScopes']);
    if (perCall.requireScopes !== undefined) checkScopes('requireScopes', perCall.requireScopes);
    if (presented === undefined || presented === null || presented === '') throw new ApiKeyError('UNAUTHENTICATED', 'API key required');
    const parsed = parseApiKey(presented);
    if (!parsed) throw invalid('format');
    if (!parsed.checksumValid) throw invalid('checksum');
    if (prefixes && !prefixes.has(parsed.prefix)) throw invalid('prefix');
    // Hash before the lookup so known and unknown ids take the same time up to the lookup.
    const hashed = pepperKey === undefined ? nativeSha256Hex(presented as string) : nativeHmacSha256Hex(pepperKey, presented as string);
    const hash = typeof hashed === 'string' ? hashed : await hashed;
    const record = await options.lookup(parsed.id);
    const known = record !== undefined && record !== null;
    // Unknown id: compare against a stand-in hash, so both refusals take the same path.
    const stored = known && typeof record.hash === 'string' ? record.hash : UNKNOWN_HASH;
    const matches = timingSafeEqualHex(hash, stored);
    if (!known || !matches || stored === UNKNOWN_HASH) throw refused();
    const details = { keyId: parsed.id };
    const now = clock.now();
    // A malformed record fails closed (500): an unreadable revocation or expiry must never mean "valid forever".
    const revokedAt = toMs(record.revokedAt);
    if (Number.isNaN(revokedAt)) throw badRecord('revokedAt', parsed.id, 'epoch milliseconds, a Date or null', record.revokedAt);
    const expiresAt = toMs(record.expiresAt);
    if (Number.isNaN(expiresAt)) throw badRecord('expiresAt', parsed.id, 'epoch milliseconds, a Date or null', record.expiresAt);
    const scopes: unknown = record.scopes === undefined || record.scopes === null ? [] : record.scopes;
    if (!isStringArray(scopes)) throw badRecord('scopes', parsed.id, 'an array of strings', record.scopes);
    if (revokedAt !== undefined && revokedAt <= now) throw new ApiKeyError('API_KEY_REVOKED', 'API key revoked', { details });
    if (expiresAt !== undefined && expiresAt <= now) {
      throw new ApiKeyError('API_KEY_EXPIRED', record.replacedBy ? 'API key was rotated and its overlap window has ended' : 'API key expired', {
        details: record.replacedBy ? { ...details, reason: 'rotated' } : details,
      });
    }
    const required = perCall.requireScopes ? [...baseScopes, ...perCall.requireScopes] : baseScopes;
    const missing = required.length === 0 ? NONE : required.filter((scope) => !scopeGranted(scopes, scope));
    if (missing.length) {
      throw new ApiKeyError('INSUFFICIENT_SCOPE', `API key lacks required scope${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`, {
        details: { ...details, missing },
      });
    }
    const verified: VerifiedApiKey<R> = { id: parsed.id, prefix: parsed.prefix, scopes: scopes as readonly string[], record };
    if (record.replacedBy !== undefined) verified.replacedBy = record.replacedBy;
    return verified;
  };
}

/**
 * Verifies a presented key: format and checksum (no lookup needed for typos), prefix, the
 * record by public id, a timing-safe hash comparison, revocation, expiry (including the end
 * of a rotation overlap) and `requireScopes`. Rejects with {@link ApiKeyError}; errors never
 * contain the key. Bad options reject (never throw synchronously) with a `ConfigurationError`;
 * a malformed stored record rejects with an `INTERNAL` error (fail closed).
 *
 * @example
 * ```ts
 * const { id, record } = await verifyApiKey(req.headers['x-api-key'], { lookup: (id) => db.apiKeys.get(id), requireScopes: ['projects:read'] });
 * ```
 */
export async function verifyApiKey<R extends ApiKeyRecord>(presented: unknown, options: VerifyApiKeyOptions<R>): Promise<VerifiedApiKey<R>> {
  return createApiKeyVerifier(options)(presented);
}

/** Options of {@link rotateApiKey}. */
export interface RotateApiKeyOptions<R extends ApiKeyRecord = ApiKeyRecord> extends GenerateApiKeyOptions {
  /**
   * Prefix of the new key.
   * @default the old record's `prefix` if it has one, else `'armor'`
   */
  prefix?: string | undefined;
  /** How long the old key keeps working, in milliseconds. @default 86400000 (24 hours) */
  overlapMs?: number | undefined;
  /** Time source. @default Date */
  clock?: { now(): number } | undefined;
  /**
   * Scopes of the new key, e.g. to narrow them while rotating.
   * @default the old record's `scopes`
   */
  scopes?: readonly string[] | undefined;
  /**
   * When the new key expires (epoch ms or Date, in the future); `null` = never. Needed to
   * re-issue a key that has already expired.
   * @default the old record's `expiresAt` (rotation never extends a key's lifetime)
   */
  expiresAt?: number | Date | null | undefined;
  /**
   * Fields set on the new record after the old record's fields are copied, overriding them:
   * per-key bookkeeping such as `{ createdAt: Date.now(), lastUsedAt: null }`, or a new `name`.
   * Cannot set `hash`.
   * @default {}
   */
  fields?: Partial<Omit<R, 'hash'>> | undefined;
}

/** The result of {@link rotateApiKey}. */
export interface RotatedApiKey<R extends ApiKeyRecord = ApiKeyRecord> {
  /** The new key: show `next.key` to its owner once. */
  next: GeneratedApiKey;
  /**
   * The record to store under `next.id`: every field of the old record (scopes, owner, name,
   * `expiresAt`, a future `revokedAt`, …), with `hash` (and `id`, `prefix`, `hint`,
   * `algorithm` when the old record has them) set to the new key's, then `options.scopes`,
   * `options.expiresAt` and `options.fields` applied. `replacedBy` is not copied.
   */
  nextRecord: R;
  /** The old record, updated: `expiresAt` = the end of the overlap window, `replacedBy` = `next.id`. Save it under the old id. */
  previous: R & { expiresAt: number; replacedBy: string };
}

const own = (value: object, key: string) => Object.prototype.hasOwnProperty.call(value, key);

/**
 * Rotates a key: generates its successor and returns the successor's record (a copy of the
 * old record's scopes, owner, name, expiry and other fields, so access is neither lost nor
 * extended) and the old record updated to expire at the end of the overlap window (or earlier
 * if it already expired sooner), with `replacedBy` set. Save both; clients switch to the new
 * key within the window.
 *
 * The successor keeps the old record's `prefix` (when stored) and `expiresAt` unless you pass
 * `prefix` / `expiresAt`; override scopes with `scopes` and any other field with `fields`.
 *
 * Refuses, with a `ConflictError` (`CONFLICT`, 409) whose `details.reason` names the problem,
 * to rotate a key that is revoked (`'revoked'`), already rotated (`'rotated'`: rotate its
 * successor instead), or expired (`'expired'`, unless you pass a new `expiresAt`). A record
 * that is not an object, or whose `scopes`/`expiresAt`/`revokedAt` have the wrong type,
 * rejects with a `ValidationError` (`VALIDATION_FAILED`, issue code `invalid_type`). Bad
 * options reject with a `ConfigurationError`, including a missing `pepper` when the record
 * says `algorithm: 'hmac-sha256'`.
 *
 * @example
 * ```ts
 * const { next, nextRecord, previous } = await rotateApiKey(oldRecord, { pepper, overlapMs: 7 * 86_400_000 });
 * await db.apiKeys.insert({ ...nextRecord, id: next.id }); // same scopes, owner, name, expiry
 * await db.apiKeys.update(oldId, previous);
 * return { key: next.key }; // shown once
 * ```
 *
 * @example Narrow the scopes and start a fresh 90-day lifetime
 * ```ts
 * await rotateApiKey(oldRecord, { scopes: ['projects:read'], expiresAt: Date.now() + 90 * 86_400_000, fields: { createdAt: Date.now() } });
 * ```
 */
export async function rotateApiKey<R extends ApiKeyRecord>(record: R, options: RotateApiKeyOptions<R> = {}): Promise<RotatedApiKey<R>> {
  checkKnownOptions('rotateApiKey', options, ROTATE_OPTIONS);
  checkMs('overlapMs', options.overlapMs);
  const overlapMs = options.overlapMs ?? 86_400_000;
  checkClockOption(options.clock, 'clock');
  if (options.scopes !== undefined) checkScopes('scopes', options.scopes);
  const fields: unknown = options.fields === undefined ? {} : options.fields;
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) throw new ConfigurationError('fields', 'must be an object of record fields', { received: fields });
  if (own(fields, 'hash')) throw new ConfigurationError('fields.hash', 'cannot be set: the new record always gets the new key\'s hash');
  const now = (options.clock ?? Date).now();
  const newExpiry = toMs(options.expiresAt);
  if (Number.isNaN(newExpiry) || (newExpiry !== undefined && newExpiry <= now)) {
    throw new ConfigurationError('expiresAt', 'must be a future time (epoch milliseconds or a Date) or null for never', { received: options.expiresAt });
  }

  if (typeof record !== 'object' || record === null || Array.isArray(record)) throw invalidArgument('rotateApiKey', 'record', 'an API key record object', record);
  const revokedAt = toMs(record.revokedAt);
  if (Number.isNaN(revokedAt)) throw invalidArgument('rotateApiKey', 'record.revokedAt', 'epoch milliseconds, a Date or null', record.revokedAt, '/revokedAt');
  const current = toMs(record.expiresAt);
  if (Number.isNaN(current)) throw invalidArgument('rotateApiKey', 'record.expiresAt', 'epoch milliseconds, a Date or null', record.expiresAt, '/expiresAt');
  if (record.scopes !== undefined && record.scopes !== null && !isStringArray(record.scopes)) {
    throw invalidArgument('rotateApiKey', 'record.scopes', 'an array of strings', record.scopes, '/scopes');
  }
  if (revokedAt !== undefined && revokedAt <= now) throw new ConflictError('Cannot rotate a revoked API key', { details: { reason: 'revoked' } });
  if (record.replacedBy !== undefined && record.replacedBy !== null) {
    throw new ConflictError('API key was already rotated; rotate its successor instead', { details: { reason: 'rotated', replacedBy: record.replacedBy } });
  }
  if (current !== undefined && current <= now && options.expiresAt === undefined) {
    throw new ConflictError('Cannot rotate an expired API key without a new expiresAt', { details: { reason: 'expired' } });
  }
  if (record.algorithm === 'hmac-sha256' && options.pepper === undefined) {
    throw new ConfigurationError('pepper', 'is required: the key being rotated was hashed with a pepper (record.algorithm is "hmac-sha256")');
  }
  const prefix = options.prefix === undefined && typeof record.prefix === 'string' ? record.prefix : options.prefix;
  const next = await generateApiKey({ prefix, length: options.length, pepper: options.pepper });

  const { replacedBy: _replacedBy, ...carried } = record as ApiKeyRecord & Record<string, unknown>;
  const nextRecord: Record<string, unknown> = { ...carried, hash: next.hash };
  for (const field of ['id', 'prefix', 'hint', 'algorithm'] as const) if (own(record, field)) nextRecord[field] = next[field];
  if (Array.isArray(record.scopes)) nextRecord.scopes = [...(record.scopes as readonly string[])];
  if (record.expiresAt instanceof Date) nextRecord.expiresAt = new Date(record.expiresAt.getTime());
  if (record.revokedAt instanceof Date) nextRecord.revokedAt = new Date(record.revokedAt.getTime());
  if (options.scopes !== undefined) nextRecord.scopes = [...options.scopes];
  if (options.expiresAt !== undefined) nextRecord.expiresAt = options.expiresAt instanceof Date ? new Date(options.expiresAt.getTime()) : options.expiresAt;
  Object.assign(nextRecord, fields);

  const end = current === undefined ? now + overlapMs : Math.min(current, now + overlapMs);
  return { next, nextRecord: nextRecord as R, previous: { ...record, expiresAt: end, replacedBy: next.id } };
}
