import { ConfigurationError, NotFoundError } from '@armor/errors';
import { describe, expect, it } from 'vitest';
import { createCache } from './cache.js';
import { createLoader, loaderScope } from './loader.js';

const users = new Map([
  ['1', { id: '1', name: 'Ada' }],
  ['2', { id: '2', name: 'Grace' }],
  ['3', { id: '3', name: 'Linus' }],
]);

const userBatch = (calls: string[][]) => async (ids: readonly string[]) => {
  calls.push([...ids]);
  return ids.map((id) => users.get(id) ?? new NotFoundError(`user ${id}`));
};

describe('createLoader', () => {
  it('turns N load calls in one tick into exactly one batch call', async () => {
    const calls: string[][] = [];
    const loader = createLoader(userBatch(calls));
    const ids = ['1', '2', '3', '1', '2'];
    const result = await Promise.all(ids.map((id) => loader.load(id)));
    expect(calls).toEqual([['1', '2', '3']]);
    expect(result.map((u) => u.name)).toEqual(['Ada', 'Grace', 'Linus', 'Ada', 'Grace']);
  });

  it('splits batches at maxBatchSize', async () => {
    const calls: string[][] = [];
    const loader = createLoader(userBatch(calls), { maxBatchSize: 2 });
    await Promise.all(['1', '2', '3'].map((id) => loader.load(id)));
    expect(calls).toEqual([['1', '2'], ['3']]);
  });

  it('rejects only the positions that failed', async () => {
    const loader = createLoader(userBatch([]));
    const [ok, missing] = await Promise.allSettled([loader.load('1'), loader.load('404')]);
    expect(ok).toMatchObject({ status: 'fulfilled', value: { name: 'Ada' } });
    expect(missing.status === 'rejected' && missing.reason).toBeInstanceOf(NotFoundError);
    const many = await loader.loadMany(['2', '404']);
    expect(many[0]).toMatchObject({ name: 'Grace' });
    expect(many[1]).toBeInstanceOf(NotFoundError);
  });

  it('memoizes per loader unless cache is false; key() normalizes keys', async () => {
    const calls: string[][] = [];
    const memo = createLoader<number, unknown>(async (ids) => (calls.push(ids.map(String)), ids.map((id) => users.get(String(id)))), {
      key: (id) => `u${id}`,
    });
    await memo.load(1);
    await memo.load(1);
    expect(calls).toEqual([['1']]);
    const noMemo = createLoader(userBatch(calls), { cache: false });
    await noMemo.load('2');
    await noMemo.load('2');
    expect(calls.slice(1)).toEqual([['2'], ['2']]);
  });

  it('reads through a shared Armor cache, sending only its misses to batchFn', async () => {
    const calls: string[][] = [];
    const shared = createCache<{ id: string; name: string }>({ ttlMs: 60_000, namespace: 'users' });
    await shared.set('2', { id: '2', name: 'Grace (cached)' });
    const first = createLoader(userBatch(calls), { cache: shared });
    const got = await Promise.all(['1', '2', '3'].map((id) => first.load(id)));
    expect(calls).toEqual([['1', '3']]);
    expect(got[1]!.name).toBe('Grace (cached)');
    const second = createLoader(userBatch(calls), { cache: shared }); // next request
    await Promise.all(['1', '3'].map((id) => second.load(id)));
    expect(calls).toEqual([['1', '3']]);
  });

  it('rejects every load when batchFn returns the wrong number of values', async () => {
    const loader = createLoader(async () => [1]);
    await expect(Promise.all([loader.load('a'), loader.load('b')])).rejects.toThrow(/one per key/);
  });

  it.each([
    ['batchFn', () => createLoader('x' as never)],
    ['maxBatchSize', () => createLoader(async () => [], { maxBatchSize: 0 })],
    ['key', () => createLoader(async () => [], { key: 1 as never })],
    ['cache', () => createLoader(async () => [], { cache: {} as never })],
    ['factories.a', () => loaderScope({ a: 1 as never })],
  ])('throws ConfigurationError for a bad %s', (option, make) => {
    expect(make).toThrow(ConfigurationError);
    expect(make).toThrow(`"${option}"`);
  });
});

describe('loaderScope', () => {
  it('creates fresh loaders per scope call, lazily', async () => {
    const calls: string[][] = [];
    let created = 0;
    const scope = loaderScope({
      user: () => (created++, createLoader(userBatch(calls))),
      unused: () => (created++, createLoader(userBatch(calls))),
    });
    const req1 = scope();
    const req2 = scope();
    expect(created).toBe(0);
    await Promise.all([req1.user.load('1'), req1.user.load('2')]);
    expect(req1.user).toBe(req1.user);
    await req2.user.load('1');
    expect(created).toBe(2);
    expect(calls).toEqual([['1', '2'], ['1']]);
    expect(Object.keys(req1)).toEqual(['user', 'unused']);
  });
});
