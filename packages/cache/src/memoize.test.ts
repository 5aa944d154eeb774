import { ConfigurationError } from '@armor/errors';
import { describe, expect, it } from 'vitest';
import { createCache } from './cache.js';
import { memoize } from './memoize.js';

describe('memoize', () => {
  it('caches results per arguments and coalesces concurrent calls', async () => {
    let calls = 0;
    const add = memoize(
      async (a: number, b: number) => {
        calls++;
        await new Promise((r) => setTimeout(r, 5));
        return a + b;
      },
      { ttlMs: 60_000 },
    );
    const results = await Promise.all([add(1, 2), add(1, 2), add(2, 1)]);
    expect(results).toEqual([3, 3, 3]);
    expect(calls).toBe(2);
    expect(await add(1, 2)).toBe(3);
    expect(calls).toBe(2);
    expect(await add.invalidate(1, 2)).toBe(true);
    await add(1, 2);
    expect(calls).toBe(3);
  });

  it('uses the key option and tags, and serves stale while revalidating', async () => {
    const clock = { t: 0, now: () => clock.t };
    let version = 0;
    const get = memoize(async (id: { id: string }) => `${id.id}@${++version}`, {
      key: (x) => x.id,
      ttlMs: 100,
      staleWhileRevalidateMs: 1_000,
      clock,
      tags: ([x]) => [`user:${x.id}`],
    });
    expect(await get({ id: 'a' })).toBe('a@1');
    clock.t = 200;
    expect(await get({ id: 'a' })).toBe('a@1');
    await expect.poll(() => get.cache.getSync('a')).toBe('a@2');
    expect(await get.cache.invalidateTag('user:a')).toBe(1);
    expect(await get({ id: 'a' })).toBe('a@3');
  });

  it('does not cache rejections', async () => {
    let n = 0;
    const flaky = memoize(async () => {
      if (n++ === 0) throw new Error('first fails');
      return 'ok';
    }, { ttlMs: 1_000 });
    await expect(flaky()).rejects.toThrow('first fails');
    expect(await flaky()).toBe('ok');
  });

  it('can share an existing cache', async () => {
    const cache = createCache<string>({ ttlMs: 1_000, namespace: 'm' });
    const f = memoize(async (s: string) => s.toUpperCase(), { ttlMs: 1_000, cache });
    await f('x');
    expect(cache.getSync('x')).toBe('X');
  });

  it.each([
    ['fn', () => memoize('x' as never, { ttlMs: 1 })],
    ['ttlMs', () => memoize(async () => 1, { ttlMs: 0 })],
    ['key', () => memoize(async () => 1, { ttlMs: 1, key: 'k' as never })],
    ['tags', () => memoize(async () => 1, { ttlMs: 1, tags: 't' as never })],
  ])('throws ConfigurationError for a bad %s', (option, make) => {
    expect(make).toThrow(ConfigurationError);
    expect(make).toThrow(`"${option}"`);
  });
});
