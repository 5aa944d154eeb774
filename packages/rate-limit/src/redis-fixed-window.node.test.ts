/**
 * The fixed window on Redis: a key counting in this window is a plain integer whose expiry is
 * exactly the window's end, so the hot path (`INCRBY` + `PTTL`) needs no clock; everything
 * else (first hit of a window, refusals, blocks, fractional costs, the general script) reads
 * Redis `TIME` as before. These tests hold both formats to the engine's answers.
 */
import { startRedis, type RedisServer } from '@armor/test-utils';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consumeAll, createRateLimiter, memoryStore, redisStore, type RateLimiter, type RateLimitResult } from './index.js';

let redis: RedisServer;
let client: Redis;
let monitor: Redis;
/** Every command Redis ran, with its source (`lua` for a script's own commands). */
const feed: { name: string; arg: string | undefined; source: string }[] = [];
beforeAll(async () => {
  // A server of its own: the MONITOR feed below is this file's traffic only.
  redis = await startRedis();
  client = new Redis(redis.url, { maxRetriesPerRequest: 1 });
  await client.ping();
  monitor = await client.monitor();
  monitor.on('monitor', (_time: string, args: string[], source: string) => feed.push({ name: args[0]!.toLowerCase(), arg: args[1], source }));
});
afterAll(async () => {
  monitor.disconnect();
  client.disconnect();
  await redis.stop();
});

/** The commands the scripts ran (MONITOR source `lua`) while `fn` ran. */
async function scriptCommandsDuring(fn: () => Promise<unknown>): Promise<string[]> {
  const id = `${Date.now()}-${Math.random()}`;
  const at = (which: string) => feed.findIndex(({ name, arg }) => name === 'echo' && arg === `${which}-${id}`);
  await client.echo(`start-${id}`);
  await fn();
  await client.echo(`end-${id}`);
  await expect.poll(() => at('end')).toBeGreaterThan(0);
  return feed.slice(at('start') + 1, at('end')).filter((c) => c.source === 'lua').map((c) => c.name);
}

const redisNow = async (): Promise<number> => {
  const [sec, usec] = (await client.time()) as [string | number, string | number];
  return Number(sec) * 1000 + Number(usec) / 1000;
};
const HOUR = 3_600_000;
let seq = 0;
const unique = (label: string) => `${label}-${Date.now()}-${seq++}`;

describe('redisStore fixed window', () => {
  it('a consume of a key already counting in this window reads no clock: INCRBY and PTTL (with blocks, a GET first)', async () => {
    for (const blocks of [false, true]) {
      const limiter = createRateLimiter({ algorithm: 'fixed-window', limit: 100, windowMs: HOUR, store: redisStore({ client }), name: unique('hot'), ...(blocks ? { blockDurationMs: HOUR } : {}) });
      await limiter.consume('k'); // the first hit of the window reads the clock and creates the key
      const hot = blocks ? ['get', 'incrby', 'pttl'] : ['incrby', 'pttl'];
      expect(await scriptCommandsDuring(() => limiter.consume('k'))).toEqual(hot);
      expect(await scriptCommandsDuring(() => limiter.consume('k', 3))).toEqual(hot);
      expect((await limiter.consume('k')).remaining).toBe(94);
    }
  });

  it('keys expire exactly at their window end, written by the consume script and by the general script', async () => {
    const windowMs = 60_000;
    const store = redisStore({ client });
    const a = createRateLimiter({ algorithm: 'fixed-window', limit: 10, windowMs, store, name: unique('end-a') });
    const b = createRateLimiter({ algorithm: 'fixed-window', limit: 10, windowMs, store, name: unique('end-b') });
    const c = createRateLimiter({ algorithm: 'fixed-window', limit: 10, windowMs, store, name: unique('end-c') });
    const before = await redisNow();
    await a.consume('k');
    await consumeAll([b, c], 'k');
    await c.penalize('k', 2);
    const after = await redisNow();
    const ends = new Set([before, after].map((t) => Math.floor(t / windowMs) * windowMs + windowMs));
    for (const l of [a, b, c]) expect(ends).toContain(Number(await client.call('PEXPIRETIME', `${l.prefix}k`)));
    // the answers carry the same end: resetMs is the time left to it
    const r = await a.consume('k');
    const now = await redisNow();
    expect(Math.abs(now + r.resetMs - (Math.floor(now / windowMs) * windowMs + windowMs))).toBeLessThan(1_000);
  });

  it('an ended window is not carried into the next one (short windows, real clock)', async () => {
    const limiter = createRateLimiter({ algorithm: 'fixed-window', limit: 2, windowMs: 250, store: redisStore({ client }), name: unique('roll'), blockCache: false });
    let judged = 0;
    for (let round = 0; round < 6 && judged < 3; round++) {
      // start right after a window begins, so the three calls fall in one window
      const now = await redisNow();
      await new Promise((r) => setTimeout(r, 250 - (now % 250) + 5));
      const before = await redisNow();
      const results: RateLimitResult[] = [];
      for (let i = 0; i < 3; i++) results.push(await limiter.consume('k'));
      const after = await redisNow();
      // a loaded machine may cross a boundary mid-round: only a round within one window is judged
      if (Math.floor(before / 250) !== Math.floor(after / 250)) continue;
      judged++;
      expect(results.map((r) => [r.allowed, r.remaining])).toEqual([[true, 1], [true, 0], [false, 0]]);
      expect(results[0]!.resetMs).toBeLessThanOrEqual(250);
      expect(results[2]!.retryAfterMs).toBeLessThanOrEqual(250);
    }
    expect(judged).toBeGreaterThan(0);
  });

  it('fractional costs, peek, penalize, reward, reset and consumeAll answer like the memory store, across both key formats', async () => {
    const options = { algorithm: 'fixed-window' as const, limit: 6, windowMs: HOUR };
    for (const blocks of [false, true]) {
      const extra = blocks ? { blockDurationMs: HOUR } : {};
      const name = unique('mixed');
      const [rs, ms] = [redisStore({ client }), memoryStore()];
      const viaRedis = createRateLimiter({ ...options, ...extra, name, store: rs });
      const otherRedis = createRateLimiter({ ...options, ...extra, name: `${name}-other`, store: rs });
      const viaMemory = createRateLimiter({ ...options, ...extra, name, store: ms });
      const otherMemory = createRateLimiter({ ...options, ...extra, name: `${name}-other`, store: ms });
      const steps: ((l: RateLimiter, other: RateLimiter) => Promise<RateLimitResult | undefined>)[] = [
        (l) => l.consume('k'),
        (l) => l.consume('k', 0.5),
        (l) => l.consume('k'),
        (l) => l.consume('k', 1.5),
        (l) => l.peek('k'),
        (l) => l.consume('k'),
        (l) => l.reward('k', 1),
        (l) => l.consume('k', 2),
        (l, o) => consumeAll([l, o], 'k'),
        (l) => l.penalize('k', 1),
        (l) => l.consume('k'),
        (l) => l.consume('k', 0),
        (l) => l.reset('k').then(() => undefined),
        (l) => l.consume('k', 0),
        (l) => l.consume('k', 6),
        (l) => l.consume('k'),
        (l) => l.consume('k'),
      ];
      for (const [i, step] of steps.entries()) {
        const [r, m] = await Promise.all([step(viaRedis, otherRedis), step(viaMemory, otherMemory)]);
        if (r === undefined || m === undefined) continue;
        const summary = (x: RateLimitResult) => ({ step: i, allowed: x.allowed, remaining: x.remaining, reason: x.reason, blocked: x.blockedMs !== undefined, waits: x.retryAfterMs > 0 });
        expect(summary(r)).toEqual(summary(m));
        expect(Math.abs(r.resetMs - m.resetMs)).toBeLessThan(1_000);
      }
    }
  });

  it('no Redis error replies from the hot path: fractional costs skip it, and with blocks a struct state (strikes) is never INCRBY-ed', async () => {
    const failedIncrby = async () => Number(/cmdstat_incrby:.*failed_calls=(\d+)/.exec((await client.info('commandstats')) as string)?.[1] ?? 0);
    const before = await failedIncrby();
    const store = redisStore({ client });
    const fractional = createRateLimiter({ algorithm: 'fixed-window', limit: 10, windowMs: HOUR, store, name: unique('frac') });
    for (let i = 0; i < 5; i++) expect((await fractional.consume('k', 0.5)).allowed).toBe(true);
    expect((await fractional.consume('k', 0.5)).remaining).toBe(7);
    // blocks: a refusal leaves a strike (the 40-byte state) until the key expires
    const blocks = createRateLimiter({ algorithm: 'fixed-window', limit: 1, windowMs: HOUR, store, name: unique('strikes'), blockDurationMs: 1, blockCache: false });
    await blocks.consume('k');
    expect((await blocks.consume('k')).allowed).toBe(false);
    await new Promise((r) => setTimeout(r, 5)); // the 1 ms block ends; the strike stays
    for (let i = 0; i < 3; i++) expect((await blocks.consume('k')).allowed).toBe(false);
    expect(await failedIncrby()).toBe(before);
  });

  it('reads a key written by the previous release (struct state, relative expiry) and keeps counting in it', async () => {
    const windowMs = HOUR;
    const limiter = createRateLimiter({ algorithm: 'fixed-window', limit: 10, windowMs, store: redisStore({ client }), name: unique('legacy') });
    const now = await redisNow();
    const ws = Math.floor(now / windowMs) * windowMs;
    const state = Buffer.alloc(40);
    [ws, 4, 0, 0, 0].forEach((v, i) => state.writeDoubleLE(v, i * 8));
    await client.set(`${limiter.prefix}k`, state, 'PX', Math.ceil(ws + windowMs - now));
    expect(await limiter.consume('k')).toMatchObject({ allowed: true, remaining: 5 });
    expect(await limiter.consume('k')).toMatchObject({ allowed: true, remaining: 4 });
    expect(limiter.stats().storeErrors).toBe(0);
  });

  it('a plain count the hot path cannot date is recounted from Redis TIME: no expiry, or an expiry beyond one window', async () => {
    const windowMs = 60_000;
    const limiter = createRateLimiter({ algorithm: 'fixed-window', limit: 10, windowMs, store: redisStore({ client }), name: unique('undated') });
    const key = `${limiter.prefix}k`;
    const windowEnd = async () => Math.floor((await redisNow()) / windowMs) * windowMs + windowMs;
    // no expiry: not a count this store wrote; the script removes it and starts the window
    await client.set(key, '7');
    expect(await limiter.consume('k')).toMatchObject({ allowed: true, remaining: 9 });
    expect([await windowEnd(), (await windowEnd()) - windowMs]).toContain(Number(await client.call('PEXPIRETIME', key)));
    // an expiry two windows away (a longer window under the same name, or Redis's clock went
    // back): its window is not the current one, so the count starts again
    await client.set(key, '7', 'PX', 2 * windowMs);
    expect(await limiter.consume('k')).toMatchObject({ allowed: true, remaining: 9 });
    expect(await limiter.consume('k')).toMatchObject({ allowed: true, remaining: 8 });
    expect(Number(await client.call('PEXPIRETIME', key))).toBeLessThanOrEqual(await windowEnd());
  });

  it('the other algorithms never fail on a key holding a plain count (a name reused across algorithms)', async () => {
    const name = unique('shared');
    const store = redisStore({ client });
    const fixed = createRateLimiter({ algorithm: 'fixed-window', limit: 5, windowMs: HOUR, store, name });
    await fixed.consume('k');
    await fixed.consume('k');
    for (const algorithm of ['sliding-window', 'token-bucket', 'gcra'] as const) {
      const other = createRateLimiter({ algorithm, limit: 5, windowMs: HOUR, store, name });
      await fixed.consume('k');
      expect((await other.consume('k')).reason).not.toBe('store-error');
      expect((await other.peek('k')).reason).not.toBe('store-error');
      expect(other.stats().storeErrors).toBe(0);
      await fixed.reset('k');
    }
  });

  it('1,000 concurrent consumes of one key (mixed costs) take exactly the limit, and the key holds the count as a plain integer', async () => {
    const limiter = createRateLimiter({ algorithm: 'fixed-window', limit: 300, windowMs: HOUR, store: redisStore({ client }), name: unique('burst'), blockCache: false });
    const results = await Promise.all(Array.from({ length: 1_000 }, (_, i) => limiter.consume('k', i % 7 === 0 ? 2 : 1)));
    const taken = results.reduce((sum, r, i) => sum + (r.allowed ? (i % 7 === 0 ? 2 : 1) : 0), 0);
    expect(taken).toBeLessThanOrEqual(300);
    expect(taken).toBeGreaterThanOrEqual(299); // a refused cost of 2 may leave 1 point
    expect((await limiter.peek('k', 1)).remaining).toBe(300 - taken);
    expect(Number(await client.get(`${limiter.prefix}k`))).toBe(taken);
  });
});
