import { ConfigurationError, ConflictError, InternalError, ValidationError, isArmorError } from '@armor/errors';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ApiKeyError,
  BASE62,
  checksumOf,
  crc32,
  createApiKeyVerifier,
  generateApiKey,
  hashApiKey,
  parseApiKey,
  rotateApiKey,
  verifyApiKey,
  type ApiKeyRecord,
} from './index.js';

const PEPPER = 'pepper-pepper-pepper-pepper-pepper-1234';

async function failure(promise: Promise<unknown>): Promise<ApiKeyError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ApiKeyError);
    return error as ApiKeyError;
  }
  throw new Error('expected a rejection');
}

function db(records: Record<string, ApiKeyRecord>) {
  return { lookup: (id: string) => records[id] };
}

const hexOf = (bytes: ArrayBuffer) => Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, '0')).join('');
const webDigest = async (text: string) => hexOf(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
const webHmac = async (pepper: Uint8Array<ArrayBuffer>, text: string) =>
  hexOf(await crypto.subtle.sign('HMAC', await crypto.subtle.importKey('raw', pepper, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']), new TextEncoder().encode(text)));

describe('hashing', () => {
  it('hashApiKey and generateApiKey give the Web Crypto hash (stored hashes stay valid)', async () => {
    const plain = await generateApiKey();
    expect(plain.hash).toBe(await webDigest(plain.key));
    expect(await hashApiKey(plain.key)).toBe(await webDigest(plain.key));
    const peppered = await generateApiKey({ pepper: PEPPER });
    expect(peppered.hash).toBe(await webHmac(new TextEncoder().encode(PEPPER), peppered.key));
    const bytes = new Uint8Array(40).fill(7);
    expect(await hashApiKey(plain.key, { pepper: bytes })).toBe(await webHmac(bytes, plain.key));
  });

  it('a stored hash matches case-insensitively and only as 64 hex digits', async () => {
    const a = await generateApiKey();
    await expect(verifyApiKey(a.key, db({ [a.id]: { hash: a.hash.toUpperCase() } }))).resolves.toMatchObject({ id: a.id });
    for (const hash of [a.hash.slice(1), `${a.hash}0`, `${a.hash.slice(0, 63)}\u0130`, a.hash.replace(/[a-f]/, 'g'), a.hash.replace(/[0-9]/, (d) => String.fromCharCode(d.charCodeAt(0) - 0x20))]) {
      expect((await failure(verifyApiKey(a.key, db({ [a.id]: { hash } })))).details).toBeUndefined();
    }
  });

  it('parseApiKey checks the checksum of <prefix>_<random> (typos anywhere fail)', async () => {
    const { key } = await generateApiKey({ prefix: 'armor_live' });
    expect(parseApiKey(key)?.checksumValid).toBe(true);
    for (let i = 0; i < key.length; i++) {
      if (key[i] === '_') continue;
      const typo = `${key.slice(0, i)}${key[i] === 'x' ? 'y' : 'x'}${key.slice(i + 1)}`;
      expect(parseApiKey(typo)?.checksumValid ?? false).toBe(false);
    }
  });
});

describe('format', () => {
  it('crc32 matches the standard check value', () => {
    expect(crc32('123456789')).toBe(0xcbf43926);
    expect(crc32('')).toBe(0);
  });

  it('checksumOf with an end index checksums that prefix of the body (no slice needed)', () => {
    const body = 'armor_live_0123456789abcdefghijklmn';
    expect(checksumOf(body)).toMatch(/^[0-9A-Za-z]{6}$/);
    expect(checksumOf(`${body}_xxxxxx`, body.length)).toBe(checksumOf(body));
    expect(checksumOf(body, 5)).toBe(checksumOf('armor'));
  });

  it('generateApiKey → <prefix>_<40 base62>_<6 base62> with id and hash', async () => {
    const generated = await generateApiKey({ prefix: 'armor_live' });
    expect(generated.key).toMatch(/^armor_live_[0-9A-Za-z]{40}_[0-9A-Za-z]{6}$/);
    expect(generated.id).toBe(generated.key.slice('armor_live_'.length, 'armor_live_'.length + 12));
    expect(generated.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(generated.hash).toBe(await hashApiKey(generated.key));
    expect(generated.algorithm).toBe('sha256');
    expect(generated.hint).toBe(`armor_live_${generated.id}…`);
    expect(parseApiKey(generated.key)).toMatchObject({ prefix: 'armor_live', id: generated.id, checksumValid: true });
  });

  it('random part is uniformly drawn from base62', async () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 100; i++) {
      for (const ch of (await generateApiKey({ length: 64 })).key.split('_')[1]!) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    }
    expect(counts.size).toBe(62);
    for (const ch of counts.keys()) expect(BASE62).toContain(ch);
  });

  it('with a pepper the hash is an HMAC', async () => {
    const generated = await generateApiKey({ pepper: PEPPER });
    expect(generated.algorithm).toBe('hmac-sha256');
    expect(generated.hash).not.toBe(await hashApiKey(generated.key));
    expect(generated.hash).toBe(await hashApiKey(generated.key, { pepper: PEPPER }));
  });

  it('property: any single flipped character fails the checksum (or the format)', async () => {
    const { key } = await generateApiKey({ prefix: 'armor_test' });
    const start = 'armor_test_'.length;
    fc.assert(
      fc.property(fc.integer({ min: start, max: key.length - 1 }), fc.constantFrom(...BASE62), (at, ch) => {
        fc.pre(key[at] !== ch && key[at] !== '_');
        const flipped = key.slice(0, at) + ch + key.slice(at + 1);
        const parsed = parseApiKey(flipped);
        expect(parsed === undefined || !parsed.checksumValid).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});

describe('verifyApiKey', () => {
  it('accepts a valid key and returns its record and scopes', async () => {
    const { key, id, hash } = await generateApiKey({ prefix: 'armor_live', pepper: PEPPER });
    const verified = await verifyApiKey(key, { ...db({ [id]: { hash, scopes: ['projects:read'], owner: 'u1' } as ApiKeyRecord }), pepper: PEPPER, requireScopes: ['projects:read'] });
    expect(verified).toMatchObject({ id, prefix: 'armor_live', scopes: ['projects:read'], record: { owner: 'u1' } });
  });

  it('flipped character fails the checksum without a lookup', async () => {
    const { key, id, hash } = await generateApiKey();
    let lookups = 0;
    const last = key.at(-1)!;
    const flipped = key.slice(0, -1) + (last === 'a' ? 'b' : 'a');
    const error = await failure(verifyApiKey(flipped, { lookup: () => (lookups++, { hash }) }));
    expect(error).toMatchObject({ code: 'API_KEY_INVALID', status: 401, details: { reason: 'checksum' } });
    expect(lookups).toBe(0);
    expect(id).toBeTruthy();
  });

  it('wrong hash fails (stored hash of another key, or pepper mismatch)', async () => {
    const a = await generateApiKey();
    const b = await generateApiKey();
    expect((await failure(verifyApiKey(a.key, db({ [a.id]: { hash: b.hash } })))).details).toBeUndefined();
    const peppered = await generateApiKey({ pepper: PEPPER });
    expect((await failure(verifyApiKey(peppered.key, db({ [peppered.id]: { hash: peppered.hash } })))).code).toBe('API_KEY_INVALID');
  });

  // issue 18 #4: a forged key answered reason "hash", an unknown id "unknown"
  it('an unknown id and a wrong secret give the very same error (nothing tells whether the id exists)', async () => {
    const a = await generateApiKey();
    const b = await generateApiKey();
    const unknown = await failure(verifyApiKey(a.key, db({})));
    const forged = await failure(verifyApiKey(a.key, db({ [a.id]: { hash: b.hash } })));
    const noHash = await failure(verifyApiKey(a.key, db({ [a.id]: {} as never })));
    for (const error of [unknown, forged, noHash]) {
      expect(error).toMatchObject({ code: 'API_KEY_INVALID', status: 401, message: 'Invalid API key' });
      expect(error.details).toBeUndefined();
      expect(JSON.stringify(error.toJSON())).toBe(JSON.stringify(unknown.toJSON()));
    }
  });

  it('scopes are hierarchical: projects:* covers projects:read and deeper, not projects or projectsx:*', async () => {
    const a = await generateApiKey();
    const verify = createApiKeyVerifier({ lookup: () => ({ hash: a.hash, scopes: ['projects:*', 'billing:read'] }) });
    await expect(verify(a.key, { requireScopes: ['projects:read', 'projects:42:write', 'billing:read'] })).resolves.toMatchObject({ id: a.id });
    for (const scope of ['projects', 'projectsx:read', 'billing:write', 'billing:*']) {
      expect(await failure(verify(a.key, { requireScopes: [scope] }))).toMatchObject({ code: 'INSUFFICIENT_SCOPE', details: { missing: [scope] } });
    }
  });

  it('refuses unknown options with the closest known name', async () => {
    await expect(generateApiKey({ prefx: 'armor' } as never)).rejects.toThrow(/did you mean "prefix"/);
    expect(() => createApiKeyVerifier({ lookup: () => undefined, requiredScopes: ['a'] } as never)).toThrow(/did you mean "requireScopes"/);
    await expect(rotateApiKey({ hash: 'x' }, { overlap: 5 } as never)).rejects.toThrow(/did you mean "overlapMs"/);
  });

  it('unknown id, bad format and missing key', async () => {
    const a = await generateApiKey();
    expect((await failure(verifyApiKey(a.key, db({})))).details).toBeUndefined();
    for (const bad of ['nope', 'Armor_x_y_z', `${a.key}x`, 'a'.repeat(500), 42, {}]) {
      expect((await failure(verifyApiKey(bad, db({})))).details).toEqual({ reason: 'format' });
    }
    for (const missing of [undefined, null, '']) expect((await failure(verifyApiKey(missing, db({})))).code).toBe('UNAUTHENTICATED');
  });

  it('revoked and expired keys fail', async () => {
    const now = 1_800_000_000_000;
    const clock = { now: () => now };
    const a = await generateApiKey();
    const revoked = await failure(verifyApiKey(a.key, { ...db({ [a.id]: { hash: a.hash, revokedAt: new Date(now - 1) } }), clock }));
    expect(revoked).toMatchObject({ code: 'API_KEY_REVOKED', status: 401, details: { keyId: a.id } });
    const expired = await failure(verifyApiKey(a.key, { ...db({ [a.id]: { hash: a.hash, expiresAt: now } }), clock }));
    expect(expired).toMatchObject({ code: 'API_KEY_EXPIRED', status: 401 });
    await expect(verifyApiKey(a.key, { ...db({ [a.id]: { hash: a.hash, expiresAt: now + 1, revokedAt: now + 5 } }), clock })).resolves.toBeTruthy();
  });

  it('scopes: all required scopes must be granted; "*" grants all', async () => {
    const a = await generateApiKey();
    const verify = createApiKeyVerifier({ ...db({ [a.id]: { hash: a.hash, scopes: ['projects:read'] } }) });
    const error = await failure(verify(a.key, { requireScopes: ['projects:read', 'projects:write'] }));
    expect(error).toMatchObject({ code: 'INSUFFICIENT_SCOPE', status: 403, details: { missing: ['projects:write'] } });
    const admin = createApiKeyVerifier({ ...db({ [a.id]: { hash: a.hash, scopes: ['*'] } }), requireScopes: ['anything'] });
    await expect(admin(a.key)).resolves.toMatchObject({ scopes: ['*'] });
  });

  it('prefix allowlist', async () => {
    const test = await generateApiKey({ prefix: 'armor_test' });
    const error = await failure(verifyApiKey(test.key, { ...db({ [test.id]: { hash: test.hash } }), prefixes: ['armor_live'] }));
    expect(error.details).toEqual({ reason: 'prefix' });
  });

  it('rotation: the old key works during the overlap window, then fails', async () => {
    let now = 1_800_000_000_000;
    const clock = { now: () => now };
    const old = await generateApiKey({ prefix: 'armor_live' });
    const records: Record<string, ApiKeyRecord> = { [old.id]: { hash: old.hash, scopes: ['a'] } };
    const { next, nextRecord, previous } = await rotateApiKey(records[old.id]!, { prefix: 'armor_live', overlapMs: 60_000, clock });
    records[old.id] = previous;
    records[next.id] = nextRecord;
    const verify = createApiKeyVerifier({ ...db(records), clock });
    await expect(verify(old.key)).resolves.toMatchObject({ replacedBy: next.id });
    await expect(verify(next.key)).resolves.toMatchObject({ id: next.id });
    now += 60_000;
    expect(await failure(verify(old.key))).toMatchObject({ code: 'API_KEY_EXPIRED', details: { reason: 'rotated' } });
    await expect(verify(next.key)).resolves.toBeTruthy();
  });

  it('a malformed stored record fails closed with INTERNAL (500), never as "valid forever" or "all scopes"', async () => {
    const a = await generateApiKey();
    const cases: [Record<string, unknown>, string][] = [
      [{ scopes: 'projects:read,*' }, 'scopes'],
      [{ scopes: [1] }, 'scopes'],
      [{ expiresAt: '2020-01-01T00:00:00Z' }, 'expiresAt'],
      [{ expiresAt: new Date(Number.NaN) }, 'expiresAt'],
      [{ expiresAt: Number.NaN }, 'expiresAt'],
      [{ revokedAt: '2020-01-01' }, 'revokedAt'],
      [{ revokedAt: {} }, 'revokedAt'],
    ];
    for (const [fields, field] of cases) {
      let thrown: unknown;
      try {
        await verifyApiKey(a.key, { lookup: () => ({ hash: a.hash, ...fields }) as ApiKeyRecord, requireScopes: ['projects:write'] });
      } catch (error) {
        thrown = error;
      }
      expect(thrown, field).toBeInstanceOf(InternalError);
      expect(thrown).toMatchObject({ code: 'INTERNAL', status: 500, expose: false, details: { keyId: a.id, field } });
    }
    // null scopes/expiry/revocation mean "none"/"never".
    await expect(verifyApiKey(a.key, { lookup: () => ({ hash: a.hash, scopes: null, expiresAt: null, revokedAt: null }) as unknown as ApiKeyRecord })).resolves.toMatchObject({ scopes: [] });
  });

  it('errors never contain the key', async () => {
    const a = await generateApiKey();
    const b = await generateApiKey();
    const secretPart = a.key.split('_')[1]!.slice(12);
    const errors = [
      await failure(verifyApiKey(a.key, db({ [a.id]: { hash: b.hash } }))),
      await failure(verifyApiKey(a.key, { ...db({ [a.id]: { hash: a.hash } }), requireScopes: ['x'] })),
      await failure(verifyApiKey(`${a.key.slice(0, -1)}0`, db({}))),
    ];
    for (const error of errors) {
      const text = `${error.message} ${JSON.stringify(error)} ${String(error.stack)}`;
      expect(text).not.toContain(secretPart);
    }
  });
});

describe('rotateApiKey', () => {
  const now = 1_800_000_000_000;
  const clock = { now: () => now };

  it('carries scopes, owner, name, expiry, prefix and other fields to the new record by default', async () => {
    const old = await generateApiKey({ prefix: 'armor_live', pepper: PEPPER });
    const expiresAt = new Date(now + 30 * 86_400_000);
    const record = {
      id: old.id,
      hash: old.hash,
      prefix: old.prefix,
      hint: old.hint,
      algorithm: old.algorithm,
      scopes: ['projects:read', 'projects:write'],
      expiresAt,
      revokedAt: null,
      owner: 'u1',
      name: 'ci',
      meta: { team: 'core' },
    };
    const { next, nextRecord, previous } = await rotateApiKey(record, { pepper: PEPPER, clock, overlapMs: 60_000 });
    expect(next.prefix).toBe('armor_live');
    expect(nextRecord).toEqual({
      id: next.id,
      hash: next.hash,
      prefix: 'armor_live',
      hint: next.hint,
      algorithm: 'hmac-sha256',
      scopes: ['projects:read', 'projects:write'],
      expiresAt,
      revokedAt: null,
      owner: 'u1',
      name: 'ci',
      meta: { team: 'core' },
    });
    expect(nextRecord).not.toHaveProperty('replacedBy');
    // Copies, not shared references into the old record.
    expect(nextRecord.scopes).not.toBe(record.scopes);
    expect(nextRecord.expiresAt).not.toBe(expiresAt);
    expect(previous).toMatchObject({ ...record, expiresAt: now + 60_000, replacedBy: next.id });
    expect(record).not.toHaveProperty('replacedBy'); // not mutated

    // The stored successor verifies with the same scopes and metadata.
    const verified = await verifyApiKey(next.key, { lookup: (id) => (id === next.id ? nextRecord : undefined), pepper: PEPPER, clock, prefixes: ['armor_live'], requireScopes: ['projects:write'] });
    expect(verified).toMatchObject({ id: next.id, scopes: ['projects:read', 'projects:write'], record: { owner: 'u1', name: 'ci' } });
  });

  it('records without optional fields stay that shape; the prefix option still wins over the default', async () => {
    const old = await generateApiKey();
    const { next, nextRecord } = await rotateApiKey({ hash: old.hash }, { clock });
    expect(next.prefix).toBe('armor');
    expect(nextRecord).toEqual({ hash: next.hash });
    const renamed = await rotateApiKey({ hash: old.hash, prefix: 'armor_test' } as ApiKeyRecord, { prefix: 'armor_live', clock });
    expect(renamed.next.prefix).toBe('armor_live');
    expect(renamed.nextRecord.prefix).toBe('armor_live');
  });

  it('scopes, expiresAt and fields override what is carried', async () => {
    const old = await generateApiKey();
    const record = { hash: old.hash, scopes: ['a', 'b'], expiresAt: now + 1000, owner: 'u1', name: 'ci', createdAt: 1, lastUsedAt: 2 as number | null };
    const newExpiry = now + 90 * 86_400_000;
    const { next, nextRecord, previous } = await rotateApiKey(record, {
      clock,
      scopes: ['a'],
      expiresAt: newExpiry,
      fields: { name: 'ci (rotated)', createdAt: now, lastUsedAt: null },
    });
    expect(nextRecord).toEqual({ hash: next.hash, scopes: ['a'], expiresAt: newExpiry, owner: 'u1', name: 'ci (rotated)', createdAt: now, lastUsedAt: null });
    expect(previous.expiresAt).toBe(now + 1000); // the old key never outlives its own expiry
    const never = await rotateApiKey(record, { clock, expiresAt: null });
    expect(never.nextRecord.expiresAt).toBeNull();
  });

  it('property: every field of an arbitrary record is carried, except replacedBy and the new key\'s own fields', async () => {
    const old = await generateApiKey();
    const reserved = new Set(['hash', 'replacedBy', 'id', 'prefix', 'hint', 'algorithm', 'scopes', 'expiresAt', 'revokedAt', '__proto__']);
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }).filter((k) => !reserved.has(k)), fc.jsonValue(), { maxKeys: 8 }),
        fc.option(fc.array(fc.string({ minLength: 1, maxLength: 8 }), { maxLength: 4 }), { nil: undefined }),
        async (extra, scopes) => {
          const record: ApiKeyRecord = { ...extra, hash: old.hash, ...(scopes ? { scopes } : {}) };
          const { next, nextRecord } = await rotateApiKey(record, { clock });
          expect(nextRecord).toEqual({ ...extra, hash: next.hash, ...(scopes ? { scopes } : {}) });
        },
      ),
      { numRuns: 50 },
    );
  });

  it.each([
    ['revoked', { revokedAt: now - 1 }],
    ['revoked', { revokedAt: new Date(now) }],
    ['rotated', { replacedBy: 'abcdefghijkl', expiresAt: now + 1000 }],
    ['expired', { expiresAt: now }],
  ])('refuses a %s key with ConflictError (409, details.reason)', async (reason, fields) => {
    const old = await generateApiKey();
    let thrown: unknown;
    try {
      await rotateApiKey({ hash: old.hash, ...fields }, { clock });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConflictError);
    expect(thrown).toMatchObject({ code: 'CONFLICT', status: 409, details: { reason } });
  });

  it('re-issues an expired key when given a new expiresAt; a key revoked in the future keeps that date', async () => {
    const old = await generateApiKey();
    const { nextRecord, previous } = await rotateApiKey({ hash: old.hash, expiresAt: now - 5, scopes: ['a'] }, { clock, expiresAt: now + 1000 });
    expect(nextRecord).toMatchObject({ scopes: ['a'], expiresAt: now + 1000 });
    expect(previous.expiresAt).toBe(now - 5);
    const scheduled = await rotateApiKey({ hash: old.hash, revokedAt: now + 1000 }, { clock });
    expect(scheduled.nextRecord.revokedAt).toBe(now + 1000);
  });

  it('a record hashed with a pepper cannot be rotated without one', async () => {
    const old = await generateApiKey({ pepper: PEPPER });
    await expect(rotateApiKey({ hash: old.hash, algorithm: 'hmac-sha256' }, { clock })).rejects.toMatchObject({ name: 'ConfigurationError', option: 'pepper' });
    await expect(rotateApiKey({ hash: old.hash, algorithm: 'hmac-sha256' }, { clock, pepper: PEPPER })).resolves.toMatchObject({ next: { algorithm: 'hmac-sha256' } });
  });

  it.each([
    [null, ''],
    ['armor_x', ''],
    [[], ''],
    [{ hash: 'x', scopes: 'a,b' }, '/scopes'],
    [{ hash: 'x', scopes: [1] }, '/scopes'],
    [{ hash: 'x', expiresAt: '2030-01-01' }, '/expiresAt'],
    [{ hash: 'x', revokedAt: new Date(Number.NaN) }, '/revokedAt'],
  ])('a malformed record %j is a ValidationError (invalid_type at %j), not a TypeError', async (record, path) => {
    let thrown: unknown;
    try {
      await rotateApiKey(record as never, { clock });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ValidationError);
    expect(isArmorError(thrown, 'VALIDATION_FAILED')).toBe(true);
    expect((thrown as ValidationError).issues).toEqual([expect.objectContaining({ path, code: 'invalid_type' })]);
  });
});

describe('bad input values', () => {
  it('hashApiKey rejects a non-string key with ValidationError instead of hashing "undefined"/""', async () => {
    for (const bad of [undefined, null, 42, {}, ['a']]) {
      const error = await hashApiKey(bad as never).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues[0]).toMatchObject({ code: 'invalid_type' });
    }
  });

  it('verifyApiKey rejects (never throws synchronously) for bad options', async () => {
    let promise: Promise<unknown> | undefined;
    expect(() => (promise = verifyApiKey('x', { lookup: 'nope' as never }))).not.toThrow();
    await expect(promise).rejects.toBeInstanceOf(ConfigurationError);
  });
});

describe('bad options', () => {
  it.each([
    [() => generateApiKey({ prefix: 'Bad-Prefix' }), 'prefix'],
    [() => generateApiKey({ prefix: 'a'.repeat(40) }), 'prefix'],
    [() => generateApiKey({ length: 8 }), 'length'],
    [() => generateApiKey({ pepper: 'short' }), 'pepper'],
    [() => verifyApiKey('x', { lookup: 'nope' as never }), 'lookup'],
    [() => verifyApiKey('x', { lookup: () => undefined, requireScopes: [''] }), 'requireScopes'],
    [() => rotateApiKey({ hash: 'x' }, { overlapMs: -1 }), 'overlapMs'],
    // null is not "use the default"
    [() => generateApiKey(null as never), 'options'],
    [() => generateApiKey({ prefix: null as never }), 'prefix'],
    [() => generateApiKey({ length: null as never }), 'length'],
    [() => generateApiKey({ pepper: null as never }), 'pepper'],
    [() => generateApiKey({ pepper: 42 as never }), 'pepper'],
    [() => hashApiKey('k', { pepper: 42 as never }), 'pepper'],
    [() => hashApiKey('k', { pepper: 'short' }), 'pepper'],
    [() => hashApiKey('k', null as never), 'options'],
    [() => verifyApiKey('x', null as never), 'options'],
    [() => verifyApiKey('x', { lookup: () => undefined, requireScopes: 'a' as never }), 'requireScopes'],
    [() => verifyApiKey('x', { lookup: () => undefined, requireScopes: null as never }), 'requireScopes'],
    [() => verifyApiKey('x', { lookup: () => undefined, prefixes: 'armor_live' as never }), 'prefixes'],
    [() => verifyApiKey('x', { lookup: () => undefined, prefixes: ['Armor'] }), 'prefixes'],
    [() => verifyApiKey('x', { lookup: () => undefined, clock: {} as never }), 'clock'],
    [() => createApiKeyVerifier({ lookup: () => undefined })('x', { requireScopes: 'a' as never }), 'requireScopes'],
    [() => createApiKeyVerifier({ lookup: () => undefined })('x', null as never), 'options'],
    [() => rotateApiKey({ hash: 'x' }, null as never), 'options'],
    [() => rotateApiKey({ hash: 'x' }, { overlapMs: null as never }), 'overlapMs'],
    [() => rotateApiKey({ hash: 'x' }, { clock: { now: 1 } as never }), 'clock'],
    [() => rotateApiKey({ hash: 'x' }, { scopes: ['a', ''] }), 'scopes'],
    [() => rotateApiKey({ hash: 'x' }, { expiresAt: 1 }), 'expiresAt'],
    [() => rotateApiKey({ hash: 'x' }, { expiresAt: '2030-01-01' as never }), 'expiresAt'],
    [() => rotateApiKey({ hash: 'x' }, { fields: { hash: 'y' } as never }), 'fields.hash'],
    [() => rotateApiKey({ hash: 'x' }, { fields: 'x' as never }), 'fields'],
    [() => rotateApiKey({ hash: 'x', prefix: 'Bad' }), 'prefix'],
  ])('%#', async (call, option) => {
    let thrown: unknown;
    try {
      await call();
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigurationError);
    expect((thrown as ConfigurationError).option).toBe(option);
  });
});
