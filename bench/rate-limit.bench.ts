/**
 * @armor/rate-limit vs the anchors, same process, interleaved rounds:
 * - memory consume: `await limiter.consume(key)` vs rate-limiter-flexible
 *   `await RateLimiterMemory.consume(key)` (both async; 1,000 rotating keys, never limited).
 * - Redis consume, fixed window (the like-for-like of RateLimiterRedis, a per-key counter with
 *   a TTL): `await limiter.consume(key)` on `redisStore` (fixed-window, 1 point per call,
 *   limit never reached, 60 s window) vs `await RateLimiterRedis.consume(key)` (same points and
 *   60 s duration); same ioredis client, same real redis-server, 1,000 rotating keys for both,
 *   one awaited call at a time. Armor runs its dedicated fixed-window consume script: a key
 *   counting in this window is a plain integer expiring at the window's end, so the hot path is
 *   INCRBY + PTTL with no clock read (the first hit of a window reads Redis `TIME`; refused
 *   consumes take nothing); rate-limiter-flexible runs its SET NX + INCRBY + PTTL script. After
 *   the case, Redis's own CPU per call of each script (`INFO commandstats`, evalsha
 *   usec_per_call, median of 11 interleaved rounds of 2,000 calls) is printed as a `#` line.
 * - Redis consume, 100 concurrent: one op = 100 `consume` calls in flight at once (1,000 rotating
 *   keys, never limited), awaited together; same limiters as above. Shows the guard's per-call
 *   cost and the pipelining of both under concurrency.
 * - Blocked key: a key over its limit (fixed window, limit 1, 60 s window) on `redisStore`,
 *   `await consume(key)` with the local block cache (the default: answered in-process) vs the
 *   same limiter with `blockCache: false` (one EVALSHA round trip per refusal).
 * - Express middleware requests/s: `rateLimit()` vs express-rate-limit, both on a memory store
 *   with their default headers and a limit never reached; autocannon in-process, A B A B rounds.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import expressRateLimit from 'express-rate-limit';
import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
import { createRateLimiter, redisStore } from '@armor/rate-limit';
import { rateLimit } from '@armor/rate-limit/express';
import { startRedis } from '@armor/test-utils';
import { compare, compareHttp } from './lib.ts';

const KEYS = Array.from({ length: 1_000 }, (_, i) => `user:${i}`);
let i = 0;
let j = 0;
const HUGE = 1_000_000_000;

// ---------- memory ----------
{
  const armor = createRateLimiter({ algorithm: 'fixed-window', limit: HUGE, windowMs: 60_000 });
  const rlf = new RateLimiterMemory({ points: HUGE, duration: 60 });
  await compare(
    'rate-limit-memory-consume-async',
    () => armor.consume(KEYS[i++ % 1_000]!),
    'rate-limiter-flexible',
    () => rlf.consume(KEYS[j++ % 1_000]!),
    { rounds: 7 },
  );
}

// ---------- Redis ----------
{
  const redis = await startRedis();
  const client = new Redis(redis.url);
  await client.ping();
  const armor = createRateLimiter({ algorithm: 'fixed-window', limit: HUGE, windowMs: 60_000, store: redisStore({ client }) });
  const rlf = new RateLimiterRedis({ storeClient: client, points: HUGE, duration: 60, keyPrefix: 'rlf' });
  await armor.consume('warm');
  await rlf.consume('warm');
  await compare(
    'rate-limit-redis-fixed-window-consume-async',
    () => armor.consume(KEYS[i++ % 1_000]!),
    'rate-limiter-flexible',
    () => rlf.consume(KEYS[j++ % 1_000]!),
    { rounds: 7 },
  );
  // Redis's own CPU per call: 11 interleaved rounds of 2,000 calls per side, the median of each
  // side's evalsha usec_per_call (one quiet round of one side is not a measurement on this host).
  const usecPerCall = async (fn: () => Promise<unknown>) => {
    await client.config('RESETSTAT');
    for (let n = 0; n < 2_000; n++) await fn();
    return Number(/cmdstat_evalsha:.*usec_per_call=([\d.]+)/.exec(await client.info('commandstats'))![1]);
  };
  const usec: [number[], number[]] = [[], []];
  for (let round = 0; round < 11; round++) {
    usec[0].push(await usecPerCall(() => armor.consume(KEYS[i++ % 1_000]!)));
    usec[1].push(await usecPerCall(() => rlf.consume(KEYS[j++ % 1_000]!)));
  }
  const mid = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
  console.log(`# redis-cpu rate-limit-redis-fixed-window-consume usec_per_call armor=${mid(usec[0])} rate-limiter-flexible=${mid(usec[1])}`);
  const BATCH = 100;
  await compare(
    'rate-limit-redis-consume-100-concurrent',
    () => Promise.all(Array.from({ length: BATCH }, () => armor.consume(KEYS[i++ % 1_000]!))),
    'rate-limiter-flexible',
    () => Promise.all(Array.from({ length: BATCH }, () => rlf.consume(KEYS[j++ % 1_000]!))),
    { rounds: 5 },
  );

  const store = redisStore({ client });
  const cached = createRateLimiter({ algorithm: 'fixed-window', limit: 1, windowMs: 60_000, store, name: 'bench-blocked-cached' });
  const uncached = createRateLimiter({ algorithm: 'fixed-window', limit: 1, windowMs: 60_000, store, name: 'bench-blocked-uncached', blockCache: false });
  await cached.consume('attacker');
  await uncached.consume('attacker');
  if ((await cached.consume('attacker')).allowed || (await uncached.consume('attacker')).allowed) throw new Error('the blocked-key case needs a key over its limit');
  await compare('rate-limit-blocked-key-local', () => cached.consume('attacker'), 'redis-round-trip', () => uncached.consume('attacker'), { rounds: 5 });
  client.disconnect();
  await redis.stop();
}

// ---------- Express ----------
{
  const app = (middleware: express.RequestHandler) => {
    const a = express();
    a.use(middleware);
    a.get('/', (_req, res) => {
      res.send('ok');
    });
    return a;
  };
  const listen = (a: express.Express) =>
    new Promise<Server>((resolve) => {
      const s = a.listen(0, '127.0.0.1', () => resolve(s));
    });
  const ours = await listen(app(rateLimit({ algorithm: 'fixed-window', limit: HUGE, windowMs: 60_000 })));
  const theirs = await listen(app(expressRateLimit({ windowMs: 60_000, limit: HUGE })));
  const url = (s: Server) => `http://127.0.0.1:${(s.address() as AddressInfo).port}/`;
  await compareHttp('rate-limit-express-middleware-rps', url(ours), 'express-rate-limit', url(theirs), { rounds: 10 });
  ours.close();
  theirs.close();
}
