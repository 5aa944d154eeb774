import { ConfigurationError } from '@armor/errors';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ApiKeyError,
  BASE62,
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

describe('format', () => {
  it('crc32 matches the standard check value', () => {
    expect(crc32('123456789')).toBe(0xcbf43926);
    expect(crc32('')).toBe(0);
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
    expect((await failure(verifyApiKey(a.key, db({ [a.id]: { hash: b.hash } })))).details).toEqual({ reason: 'hash' });
    const peppered = await generateApiKey({ pepper: PEPPER });
    expect((await failure(verifyApiKey(peppered.key, db({ [peppered.id]: { hash: peppered.hash } })))).code).toBe('API_KEY_INVALID');
  });

  it('unknown id, bad format and missing key', async () => {
    const a = await generateApiKey();
    expect((await failure(verifyApiKey(a.key, db({})))).details).toEqual({ reason: 'unknown' });
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
    const { next, previous } = await rotateApiKey(records[old.id]!, { prefix: 'armor_live', overlapMs: 60_000, clock });
    records[old.id] = previous;
    records[next.id] = { hash: next.hash, scopes: ['a'] };
    const verify = createApiKeyVerifier({ ...db(records), clock });
    await expect(verify(old.key)).resolves.toMatchObject({ replacedBy: next.id });
    await expect(verify(next.key)).resolves.toMatchObject({ id: next.id });
    now += 60_000;
    expect(await failure(verify(old.key))).toMatchObject({ code: 'API_KEY_EXPIRED', details: { reason: 'rotated' } });
    await expect(verify(next.key)).resolves.toBeTruthy();
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

describe('bad options', () => {
  it.each([
    [() => generateApiKey({ prefix: 'Bad-Prefix' }), 'prefix'],
    [() => generateApiKey({ prefix: 'a'.repeat(40) }), 'prefix'],
    [() => generateApiKey({ length: 8 }), 'length'],
    [() => generateApiKey({ pepper: 'short' }), 'pepper'],
    [() => verifyApiKey('x', { lookup: 'nope' as never }), 'lookup'],
    [() => verifyApiKey('x', { lookup: () => undefined, requireScopes: [''] }), 'requireScopes'],
    [() => rotateApiKey({ hash: 'x' }, { overlapMs: -1 }), 'overlapMs'],
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
