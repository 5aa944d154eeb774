/**
 * The single-key `consume` path of `redisStore`: one dedicated script per policy (EVALSHA,
 * EVAL after `NOSCRIPT`), its reply parsed without copying, and the calls of one tick sent
 * together as one pipeline.
 *
 * @module
 */
import type { RedisGuard } from '@armor/core/redis';
import { RateLimitStoreError } from '../errors.js';
import type { RateLimitPolicy, StoreOutcome } from '../types.js';
import { consumeArgs, consumeScript } from './redis-consume-script.js';
import type { RedisClientLike } from './redis.js';

/** @internal Reasons as the scripts number them. */
export const REASON = [undefined, 'limit', 'blocked'] as const;

/** The part of an ioredis pipeline the store uses. */
export interface RedisPipelineLike {
  evalsha(sha: string, numKeys: number, ...args: (string | number)[]): unknown;
  exec(): Promise<[error: Error | null, result: unknown][] | null>;
}

/** @internal Wraps anything a Redis call rejected with as a {@link RateLimitStoreError}. */
export const wrap = (error: unknown): RateLimitStoreError =>
  error instanceof RateLimitStoreError ? error : new RateLimitStoreError('Redis rate-limit call failed', { cause: error });
/** @internal `true` for Redis's `NOSCRIPT` reply (its script cache lost the script). */
export const isNoScript = (error: unknown): boolean => error instanceof Error && error.message.startsWith('NOSCRIPT');

/** @internal SHA-1 of a script, in hex (what EVALSHA takes). */
export async function sha1Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-1', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The single-key `consume` fast path of one policy: its script, SHA and arguments. */
interface FastConsume {
  readonly script: string;
  sha: string | undefined;
  readonly shaPromise: Promise<string>;
  /** The policy arguments of the script: 2 (limit/window or capacity/rate), or 5 with blocks. */
  readonly args: readonly string[];
  readonly capacity: number;
  /** The script's reply as an outcome (built once per policy: no closure per call). */
  readonly parse: (reply: unknown) => StoreOutcome;
}
const fastShas = new Map<string, Promise<string>>();
const fastByPolicy = new WeakMap<RateLimitPolicy, FastConsume>();
const fractionalByPolicy = new WeakMap<RateLimitPolicy, FastConsume>();
/**
 * Built once per policy (i.e. per limiter) and kind of cost, so a `consume` builds no script
 * arguments. `whole`: for a whole cost (the fixed window's script with its `INCRBY` hot path);
 * a fractional cost gets the script without it.
 */
function fastConsumeOf(p: RateLimitPolicy, whole: boolean): FastConsume {
  const byPolicy = whole ? fastByPolicy : fractionalByPolicy;
  let fast = byPolicy.get(p);
  if (!fast) {
    const script = consumeScript(p.algorithm, p.blockDurationMs > 0, whole);
    let promise = fastShas.get(script);
    if (!promise) fastShas.set(script, (promise = sha1Hex(script)));
    const created: FastConsume = { script, sha: undefined, shaPromise: promise, args: consumeArgs(p), capacity: p.capacity, parse: parserFor(p.capacity) };
    promise.then((sha) => (created.sha = sha), () => undefined);
    byPolicy.set(p, created);
    fast = created;
  }
  return fast;
}

/**
 * The reply of a fast consume script as an outcome. Allowed: `[remaining, resetMs]`; refused:
 * `[remaining, resetMs, retryAfterMs, reason, blockedMs]`. The outcome carries `limit`, so the
 * limiter hands it out as the result without copying it.
 */
function parserFor(capacity: number): (reply: unknown) => StoreOutcome {
  return (reply) => {
    if (!Array.isArray(reply) || (reply.length !== 2 && reply.length !== 5)) {
      throw new RateLimitStoreError('Unexpected reply from the Redis rate-limit script');
    }
    if (reply.length === 2) {
      return { allowed: true, limit: capacity, remaining: Number(reply[0]), resetMs: Number(reply[1]), retryAfterMs: 0, reason: undefined } as StoreOutcome;
    }
    const outcome = { allowed: false, limit: capacity, remaining: Number(reply[0]), resetMs: Number(reply[1]), retryAfterMs: Number(reply[2]), reason: REASON[Number(reply[3])] ?? undefined } as StoreOutcome;
    if (Number(reply[4]) > 0) (outcome as { blockedMs?: number }).blockedMs = Number(reply[4]);
    return outcome;
  };
}

/** A `consume` waiting for the end of the tick, to go out in one pipeline with the others. */
interface Queued {
  key: string;
  fast: FastConsume;
  cost: number;
  resolve: (outcome: StoreOutcome) => void;
  reject: (error: unknown) => void;
}

/**
 * @internal The `consume` of one store: `client`'s calls, each through `guard`.
 */
export function createConsume(client: RedisClientLike, guard: RedisGuard): { consume: (key: string, policy: RateLimitPolicy, cost: number) => Promise<StoreOutcome> } {
  // The single-key `consume` fast path: the policy's dedicated script, arguments built once
  // per policy, one guarded call from the client reply to the outcome. NOSCRIPT (Redis
  // restarted or its script cache flushed) is handled off the hot path: it is a reply error, so
  // the guard passes it through without counting a failure, and the store retries with EVAL.
  const send = (target: Pick<RedisClientLike, 'evalsha' | 'eval'> | RedisPipelineLike, command: 'evalsha' | 'eval', first: string, key: string, fast: FastConsume, cost: number): unknown => {
    const points = cost === 1 ? '1' : String(cost);
    const a = fast.args as readonly [string, string, string, string, string];
    const t = target as Pick<RedisClientLike, 'evalsha'>;
    return fast.args.length === 2 ? t[command as 'evalsha'](first, 1, key, a[0], a[1], points) : t[command as 'evalsha'](first, 1, key, a[0], a[1], a[2], a[3], a[4], points);
  };
  const fail = (error: unknown): Promise<never> => Promise.reject(wrap(error));
  /** After NOSCRIPT: the script itself (EVAL), which also loads it for the next EVALSHA. */
  const viaEval = (key: string, fast: FastConsume, cost: number): Promise<StoreOutcome> =>
    guard.run('consume', () => send(client, 'eval', fast.script, key, fast, cost) as Promise<unknown>).then(fast.parse, fail);
  const consumeOne = (key: string, fast: FastConsume, cost: number): Promise<StoreOutcome> => {
    const sha = fast.sha;
    const sent =
      sha !== undefined
        ? guard.run('consume', () => send(client, 'evalsha', sha, key, fast, cost) as Promise<unknown>)
        : fast.shaPromise.then((hash) => guard.run('consume', () => send(client, 'evalsha', hash, key, fast, cost) as Promise<unknown>));
    return sent.then(fast.parse, (error: unknown) => (isNoScript(error) ? viaEval(key, fast, cost) : fail(error)));
  };

  // Concurrent consumes: the first call of a tick goes out at once (a lone call waits for
  // nothing); the calls made after it in the same tick are sent together at the end of the
  // tick, as one pipeline (one socket write, one guarded call). Each script stays atomic on its
  // own, in call order, so limits are exactly as with separate calls.
  const pipelines = typeof client.pipeline === 'function' && client.isCluster !== true;
  let queue: Queued[] = [];
  let ticking = false;
  const flush = (batch: Queued[]) => {
    if (batch.length === 1) {
      const only = batch[0]!;
      consumeOne(only.key, only.fast, only.cost).then(only.resolve, only.reject);
      return;
    }
    guard
      .run('consume', () => {
        const pipeline = client.pipeline!();
        for (const q of batch) send(pipeline, 'evalsha', q.fast.sha!, q.key, q.fast, q.cost);
        return pipeline.exec();
      })
      .then(
        (replies) => {
          if (!Array.isArray(replies) || replies.length !== batch.length) throw new RateLimitStoreError('Unexpected reply from a Redis rate-limit pipeline');
          for (let i = 0; i < batch.length; i++) {
            const q = batch[i]!;
            const [error, reply] = replies[i]!;
            if (error) {
              if (isNoScript(error)) viaEval(q.key, q.fast, q.cost).then(q.resolve, q.reject);
              else q.reject(wrap(error));
              continue;
            }
            try {
              q.resolve(q.fast.parse(reply));
            } catch (parseError) {
              q.reject(parseError);
            }
          }
        },
      )
      .catch((error: unknown) => {
        const failure = wrap(error);
        for (const q of batch) q.reject(failure);
      });
  };
  const endTick = () => {
    ticking = false;
    if (queue.length === 0) return;
    const batch = queue;
    queue = [];
    flush(batch);
  };
  const consume = (key: string, policy: RateLimitPolicy, cost: number): Promise<StoreOutcome> => {
    const fast = fastConsumeOf(policy, Number.isInteger(cost));
    if (!pipelines || fast.sha === undefined) return consumeOne(key, fast, cost);
    if (!ticking) {
      ticking = true;
      queueMicrotask(endTick);
      return consumeOne(key, fast, cost);
    }
    return new Promise<StoreOutcome>((resolve, reject) => {
      queue.push({ key, fast, cost, resolve, reject });
    });
  };

  return { consume };
}
