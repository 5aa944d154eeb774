import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { outageSuite, startRedis, type RedisServer } from '@armor/test-utils';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALGORITHMS, storeConformance } from '../test/conformance.js';
import { REDIS_STORE_TIMEOUT_MS } from './stores/redis.js';
import { consumeAll, createRateLimiter, memoryStore, redisStore, type Algorithm, type RateLimitResult, type RateLimitStore } from './index.js';

let redis: RedisServer;
let client: Redis;
beforeAll(async () => {
  redis = await startRedis();
  client = new Redis(redis.url, { maxRetriesPerRequest: 1 });
  await client.ping();
});
afterAll(async () => {
  client.disconnect();
  await redis.stop();
});

storeConformance('redisStore', () => redisStore({ client }));

const packageDir = fileURLToPath(new URL('..', import.meta.url));

function runWorker(algorithm: Algorithm, prefix: string, startAt: number): Promise<{ allowed: number; errors: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--conditions=@armor/source', '--import', 'tsx', 'test/redis-worker.ts', redis.url, algorithm, prefix, '1000', String(startAt)],
      { cwd: packageDir, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`worker exited with ${code}: ${err}`));
      else resolve(JSON.parse(out) as { allowed: number; errors: number });
    });
  });
}

/**
 * A third process that keeps both cores busy (two worker threads spinning) until killed, so the
 * workers and Redis compete for CPU like on a saturated host.
 */
function startCpuHog(): ChildProcess {
  const code = `
    const { Worker } = require('node:worker_threads');
    const spin = 'for (;;) { Math.sqrt(Math.random()); }';
    for (let i = 0; i < 2; i++) new Worker(spin, { eval: true });
    process.stdout.write('spinning');
  `;
  return spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'ignore'] });
}

describe('redisStore across processes', () => {
  let hog: ChildProcess | undefined;
  beforeAll(async () => {
    hog = startCpuHog();
    await new Promise<void>((resolve) => hog!.stdout!.once('data', () => resolve()));
  });
  afterAll(() => {
    hog?.kill('SIGKILL');
  });
  for (const algorithm of ALGORITHMS) {
    it(`${algorithm}: 2 processes × 1,000 concurrent consumes admit exactly 100 while a third process keeps both cores busy`, async () => {
      expect(hog?.exitCode).toBeNull();
      const prefix = `multi:${algorithm}:${Date.now()}:`;
      const startAt = Date.now() + 4_000;
      const [a, b] = await Promise.all([runWorker(algorithm, prefix, startAt), runWorker(algorithm, prefix, startAt)]);
      expect(a.errors + b.errors).toBe(0);
      expect(a.allowed + b.allowed).toBe(100);
      expect(hog?.exitCode).toBeNull(); // still spinning throughout
    }, 120_000);
  }
});

describe('redisStore details', () => {
  it('falls back to EVAL after NOSCRIPT (script cache flushed, e.g. a Redis restart)', async () => {
    const limiter = createRateLimiter({ algorithm: 'fixed-window', limit: 2, windowMs: 60_000, store: redisStore({ client }), name: `noscript-${Date.now()}` });
    expect((await limiter.consume('k')).allowed).toBe(true);
    await client.script('FLUSH');
    const after = await limiter.consume('k');
    expect(after).toMatchObject({ allowed: true, remaining: 0, reason: undefined });
    expect(limiter.stats().storeErrors).toBe(0);
  });

  it('fast consume path: windows keep the key expiring at the window end (fixed: PXAT, sliding: KEEPTTL), buckets refresh it', async () => {
    const store = redisStore({ client });
    const id = Date.now();
    const windowMs = 3_600_000;
    const fixed = createRateLimiter({ algorithm: 'fixed-window', limit: 10, windowMs, store, name: `ttl-fixed-${id}` });
    const sliding = createRateLimiter({ algorithm: 'sliding-window', limit: 10, windowMs, store, name: `ttl-sliding-${id}` });
    const bucket = createRateLimiter({ algorithm: 'token-bucket', limit: 10, windowMs, store, name: `ttl-bucket-${id}` });
    for (let n = 0; n < 3; n++) await Promise.all([fixed.consume('k'), sliding.consume('k'), bucket.consume('k')]);
    const [sec, usec] = (await client.time()) as [string | number, string | number];
    const now = Number(sec) * 1000 + Number(usec) / 1000;
    const windowEnd = Math.floor(now / windowMs) * windowMs + windowMs;
    expect(Math.abs((await client.pttl(`${fixed.prefix}k`)) - (windowEnd - now))).toBeLessThan(1_000);
    expect(Math.abs((await client.pttl(`${sliding.prefix}k`)) - (windowEnd + windowMs - now))).toBeLessThan(1_000);
    // Bucket: 3 of 10 points used, back to full in 3 × 360 s.
    expect(Math.abs((await client.pttl(`${bucket.prefix}k`)) - 3 * (windowMs / 10))).toBeLessThan(1_000);
  });

  it('uses the Redis clock: limiters with skewed local clocks share one window', async () => {
    const store = redisStore({ client });
    const name = `clock-${Date.now()}`;
    const early = createRateLimiter({ algorithm: 'gcra', limit: 3, windowMs: 3_600_000, store, name, clock: { now: () => 0 } });
    const late = createRateLimiter({ algorithm: 'gcra', limit: 3, windowMs: 3_600_000, store, name, clock: { now: () => 9e12 } });
    await early.consume('k');
    await late.consume('k');
    await early.consume('k');
    expect((await late.consume('k')).allowed).toBe(false);
  });

  it('runs consumeAll as one script (all-or-nothing under concurrency)', async () => {
    const store = redisStore({ client });
    const id = Date.now();
    const a = createRateLimiter({ algorithm: 'sliding-window', limit: 50, windowMs: 3_600_000, store, name: `all-a-${id}` });
    const b = createRateLimiter({ algorithm: 'token-bucket', limit: 30, windowMs: 3_600_000, store, name: `all-b-${id}` });
    const results = await Promise.all(Array.from({ length: 200 }, () => consumeAll([a, b], 'k')));
    expect(results.filter((r) => r.allowed)).toHaveLength(30);
    expect((await a.peek('k')).remaining).toBe(20);
  });

  it('matches the JavaScript engine on random operation sequences (Lua port parity, fast consume scripts and the general script, with the local block cache on as users run it)', async () => {
    const op = fc.record({
      kind: fc.constantFrom('consume', 'consume', 'consume', 'consume', 'peek', 'penalize', 'reward', 'reset'),
      key: fc.constantFrom('x', 'y'),
      cost: fc.integer({ min: 0, max: 4 }),
    });
    // Every request through this store carries an extra `peek` of a scratch key, so even a
    // single `consume` runs the general script instead of the per-algorithm fast script.
    const generalOnly = (inner: RateLimitStore): RateLimitStore => ({
      async apply(request) {
        const scratch = { ...request.ops[0]!, key: `${request.ops[0]!.key}:scratch`, kind: 'peek' as const };
        return (await inner.apply({ ...request, ops: [...request.ops, scratch] })).slice(0, request.ops.length);
      },
    });
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ALGORITHMS), fc.boolean(), fc.array(op, { maxLength: 25 }), async (algorithm, blocks, ops) => {
        const name = `parity-${Date.now()}-${run++}`;
        // The Redis limiters keep their default local block cache (on for Redis): what they
        // answer from it must be what the store would answer. The memory limiter is the engine.
        const options = { algorithm, limit: 4, windowMs: 3_600_000, ...(blocks ? { blockDurationMs: 3_600_000, blockGrowth: 2 } : {}) };
        const viaFast = createRateLimiter({ ...options, name: `${name}-fast`, store: redisStore({ client }) });
        const viaGeneral = createRateLimiter({ ...options, name: `${name}-general`, store: generalOnly(redisStore({ client })) });
        const viaMemory = createRateLimiter({ ...options, name, store: memoryStore() });
        for (const { kind, key, cost } of ops) {
          const call = (l: typeof viaFast) =>
            kind === 'reset' ? l.reset(key).then(() => null) : kind === 'consume' || kind === 'peek' ? l[kind](key, cost) : l[kind](key, cost);
          const [f, g, m] = await Promise.all([call(viaFast), call(viaGeneral), call(viaMemory)]);
          if (f === null || g === null || m === null) continue;
          const summary = (r: typeof f) => ({ allowed: r.allowed, remaining: r.remaining, reason: r.reason, waits: r.retryAfterMs > 0, blocked: r.blockedMs !== undefined });
          expect(summary(f)).toEqual(summary(m));
          expect(summary(g)).toEqual(summary(m));
          // One host, calls a few ms apart: every path agrees on the times (Redis TIME and the
          // limiter's clock are the same clock here).
          for (const r of [f, g]) {
            expect(Math.abs(r.resetMs - m.resetMs)).toBeLessThan(1_000);
            expect(Math.abs(r.retryAfterMs - m.retryAfterMs)).toBeLessThan(1_000);
            expect(Math.abs((r.blockedMs ?? 0) - (m.blockedMs ?? 0))).toBeLessThan(1_000);
          }
        }
      }),
      { numRuns: 80 },
    );
  }, 120_000);

  describe('one round trip per call', () => {
    // MONITOR lists every command Redis runs, with its source: the client's address, or `lua`
    // for the commands a script runs. The calls under test are the only traffic on `client`.
    let monitor: Redis;
    const feed: string[][] = [];
    beforeAll(async () => {
      const clientAddr = /\baddr=(\S+)/.exec((await client.call('CLIENT', 'INFO')) as string)![1]!;
      monitor = await client.monitor();
      monitor.on('monitor', (_time: string, args: string[], source: string) => {
        if (source === clientAddr) feed.push(args);
      });
    });
    afterAll(() => monitor.disconnect());

    /** The commands (names, lower case) `client` sent to Redis while `fn` ran. */
    const commandsDuring = async (fn: () => Promise<unknown>): Promise<string[]> => {
      // The feed comes on another connection and can lag behind the replies to `client`, so
      // markers sent on `client` itself delimit the measurement.
      const id = `${Date.now()}-${Math.random()}`;
      const at = (which: string) => feed.findIndex(([name, arg]) => name?.toLowerCase() === 'echo' && arg === `${which}-${id}`);
      await client.echo(`start-${id}`);
      await fn();
      await client.echo(`end-${id}`);
      await expect.poll(() => at('end')).toBeGreaterThan(0);
      expect(at('start')).toBeGreaterThanOrEqual(0);
      return feed.slice(at('start') + 1, at('end')).map(([name]) => name!.toLowerCase());
    };

    it('a single-key consume (fast path) is exactly one EVALSHA', async () => {
      const id = Date.now();
      for (const algorithm of ALGORITHMS) {
        for (const blocks of [false, true]) {
          const limiter = createRateLimiter({
            algorithm,
            limit: 5,
            windowMs: 60_000,
            store: redisStore({ client }),
            name: `trips-${algorithm}-${blocks}-${id}`,
            ...(blocks ? { blockDurationMs: 60_000 } : {}),
          });
          await limiter.consume('warm'); // loads the script into Redis (NOSCRIPT, then EVAL) once
          expect(await commandsDuring(() => limiter.consume('k'))).toEqual(['evalsha']);
          expect(await commandsDuring(() => limiter.consume('k', 3))).toEqual(['evalsha']);
        }
      }
    });

    it('a key over its limit is refused from the local block cache: no Redis command at all', async () => {
      const limiter = createRateLimiter({ algorithm: 'fixed-window', limit: 1, windowMs: 60_000, store: redisStore({ client }), name: `local-block-${Date.now()}` });
      await limiter.consume('k');
      expect((await limiter.consume('k')).reason).toBe('limit');
      const results: RateLimitResult[] = [];
      expect(await commandsDuring(async () => { for (let i = 0; i < 50; i++) results.push(await limiter.consume('k')); })).toEqual([]);
      expect(results.every((r) => !r.allowed && r.reason === 'limit' && r.retryAfterMs > 0)).toBe(true);
      const blocks = createRateLimiter({ algorithm: 'gcra', limit: 1, windowMs: 60_000, store: redisStore({ client }), name: `local-blocked-${Date.now()}`, blockDurationMs: 60_000 });
      await blocks.consume('k');
      await blocks.consume('k');
      expect(await commandsDuring(() => blocks.consume('k'))).toEqual([]);
      expect(await blocks.consume('k')).toMatchObject({ allowed: false, reason: 'blocked' });
    });

    it('consumeAll of 3 limiters is exactly one EVALSHA', async () => {
      const store = redisStore({ client });
      const id = Date.now();
      const limiters = [
        createRateLimiter({ algorithm: 'fixed-window', limit: 10, windowMs: 60_000, store, name: `trips-all-a-${id}` }),
        createRateLimiter({ algorithm: 'token-bucket', limit: 10, windowMs: 60_000, store, name: `trips-all-b-${id}` }),
        createRateLimiter({ algorithm: 'gcra', limit: 10, windowMs: 60_000, store, name: `trips-all-c-${id}`, blockDurationMs: 60_000 }),
      ];
      await consumeAll(limiters, 'warm');
      const outcome: { allowed?: boolean } = {};
      const trips = await commandsDuring(async () => (outcome.allowed = (await consumeAll(limiters, 'k')).allowed));
      expect(trips).toEqual(['evalsha']);
      expect(outcome.allowed).toBe(true);
      expect((await limiters[2]!.peek('k')).remaining).toBe(9);
    });
  });

  it('rejects a client that is not an ioredis client', () => {
    expect(() => redisStore({ client: {} as never })).toThrow('"client"');
    expect(() => redisStore({ client, timeoutMs: 0 })).toThrow('"timeoutMs"');
  });
});

describe('Redis outage', () => {
  for (const mode of ['insurance', 'allow', 'deny'] as const) {
    it(`${mode}: no unhandled rejection, configured behavior during the outage, limits resume after`, async () => {
      const server = await startRedis();
      const outageClient = new Redis(server.url, { maxRetriesPerRequest: 1, enableOfflineQueue: false, retryStrategy: () => 50 });
      const unhandled: unknown[] = [];
      const onUnhandled = (reason: unknown) => unhandled.push(reason);
      process.on('unhandledRejection', onUnhandled);
      try {
        if (outageClient.status !== 'ready') await new Promise((r) => outageClient.once('ready', r));
        const store: RateLimitStore = redisStore({ client: outageClient, timeoutMs: 300 });
        const limiter = createRateLimiter({
          algorithm: 'fixed-window',
          limit: 5,
          windowMs: 3_600_000,
          store,
          name: `outage-${mode}`,
          // The keys refused before the outage would be answered by the local block cache
          // (correctly, without Redis); this test is about what the store failure answers.
          blockCache: false,
          ...(mode === 'insurance' ? { insurance: memoryStore() } : { onStoreError: mode }),
        });
        const storeErrors: unknown[] = [];
        limiter.on('storeError', (e) => storeErrors.push(e.error));
        // Before: Redis counts.
        for (let i = 0; i < 3; i++) expect((await limiter.consume('k')).allowed).toBe(true);
        // Outage mid-run, with calls in flight.
        const inFlight = Array.from({ length: 20 }, () => limiter.consume('k'));
        await server.stop();
        const during = [...(await Promise.all(inFlight)), ...(await Promise.all(Array.from({ length: 10 }, () => limiter.consume('k'))))];
        const failed = during.filter((r) => r.reason === 'store-error');
        expect(failed.length).toBeGreaterThanOrEqual(10);
        expect(storeErrors.length).toBe(failed.length);
        if (mode === 'allow') expect(failed.every((r) => r.allowed)).toBe(true);
        if (mode === 'deny') expect(failed.every((r) => !r.allowed)).toBe(true);
        if (mode === 'insurance') {
          // Per-process limit of 5 continues in memory.
          expect(failed.filter((r) => r.allowed).length).toBeLessThanOrEqual(5);
          expect(failed.filter((r) => !r.allowed).length).toBeGreaterThan(0);
        }
        // Redis returns (empty: no persistence); limits resume from Redis.
        await server.start();
        await expect.poll(async () => (await limiter.consume('fresh')).reason, { timeout: 10_000, interval: 100 }).toBeUndefined();
        const resumed = [];
        for (let i = 0; i < 6; i++) resumed.push(await limiter.consume('after'));
        expect(resumed.map((r) => r.allowed)).toEqual([true, true, true, true, true, false]);
        expect(resumed.every((r) => r.reason !== 'store-error')).toBe(true);
        await new Promise((r) => setTimeout(r, 50));
        expect(unhandled).toEqual([]);
      } finally {
        process.off('unhandledRejection', onUnhandled);
        outageClient.disconnect();
        await server.stop();
      }
    }, 30_000);
  }
});

/** The README's recommended client: fail fast while disconnected, no offline queue. */
const recommendedClient = (url: string) => new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy: () => 50 });

for (const onStoreError of ['allow', 'deny'] as const) {
  outageSuite(`rate-limit redisStore, onStoreError '${onStoreError}'`, {
    create: async (server) => {
      const c = recommendedClient(server.url);
      c.on('error', () => undefined);
      const limiter = createRateLimiter({
        algorithm: 'gcra',
        limit: 1_000_000,
        windowMs: 60_000,
        name: `outage-suite-${onStoreError}`,
        store: redisStore({ client: c, timeoutMs: 200, cooldownMs: 300 }),
        onStoreError,
      });
      let n = 0;
      return {
        call: () => limiter.consume(`k${n++ % 10}`),
        expectHealthy: (o) => {
          expect(o.status).toBe('fulfilled');
          expect((o as PromiseFulfilledResult<RateLimitResult>).value).toMatchObject({ allowed: true, reason: undefined });
        },
        expectOutage: (o) => {
          // consume never rejects: the configured fail-open / fail-closed answer, marked as a store error
          expect(o.status).toBe('fulfilled');
          const r = (o as PromiseFulfilledResult<RateLimitResult>).value;
          expect(r).toMatchObject({ allowed: onStoreError === 'allow', reason: 'store-error', source: 'onStoreError' });
        },
        timeoutMs: 200,
        close: async () => c.disconnect(),
      };
    },
  });
}

describe('redisStore with the README client (enableOfflineQueue: false)', () => {
  it('counts the very first request, made while the client is still connecting (the guard waits for ready)', async () => {
    const c = recommendedClient(redis.url);
    try {
      const limiter = createRateLimiter({ algorithm: 'fixed-window', limit: 2, windowMs: 60_000, name: `first-${Date.now()}`, store: redisStore({ client: c }), onStoreError: 'deny' });
      expect(c.status).not.toBe('ready');
      const results = [await limiter.consume('k'), await limiter.consume('k'), await limiter.consume('k')];
      expect(results.map((r) => [r.allowed, r.reason])).toEqual([[true, undefined], [true, undefined], [false, 'limit']]);
      expect(limiter.stats().storeErrors).toBe(0);
    } finally {
      c.disconnect();
    }
  });

  it('concurrent first requests all wait for the connection', async () => {
    const c = recommendedClient(redis.url);
    try {
      const limiter = createRateLimiter({ algorithm: 'gcra', limit: 10, windowMs: 60_000, name: `first-many-${Date.now()}`, store: redisStore({ client: c }) });
      const results = await Promise.all(Array.from({ length: 15 }, () => limiter.consume('k')));
      expect(results.filter((r) => r.allowed)).toHaveLength(10);
      expect(results.every((r) => r.reason !== 'store-error')).toBe(true);
    } finally {
      c.disconnect();
    }
  });

  it('has a default timeout well above a busy healthy Redis (documented trade-off)', () => {
    expect(REDIS_STORE_TIMEOUT_MS).toBeGreaterThanOrEqual(2_000);
    expect(redisStore({ client }).guard.timeoutMs).toBe(REDIS_STORE_TIMEOUT_MS);
  });

  it('refuses unknown options', () => {
    expect(() => redisStore({ client, timeout: 5 } as never)).toThrow(/Unknown option "timeout" of redisStore \(did you mean "timeoutMs"\?\)/);
  });
});
