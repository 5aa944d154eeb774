/**
 * `redisStore({ client })`: limits shared by every process through Redis. One round trip per
 * call: an atomic Lua script (EVALSHA, falling back to EVAL after `NOSCRIPT`, e.g. when Redis
 * restarted) that reads the clock from Redis `TIME`, so processes with skewed clocks still
 * share one exact limit. Every call goes through `@armor/core`'s Redis guard: a per-call
 * timeout, fail-fast while the client is disconnected, a wait for a client that is still
 * connecting, and a local circuit so a hung Redis costs one timeout per cooldown.
 *
 * @module
 */
import { checkFunction, checkMs, checkObject, checkOptions, createRedisGuard, type RedisClientLike as CoreRedisClientLike, type RedisGuard } from '@armor/core';
import { ConfigurationError } from '@armor/errors';
import { RateLimitStoreError } from '../errors.js';
import type { RateLimitPolicy, RateLimitStore, StoreOutcome, StoreRequest } from '../types.js';
import { consumeArgs, consumeScript } from './redis-consume-script.js';
import { RATE_LIMIT_LUA } from './redis-script.js';

/**
 * The part of an ioredis client the store uses: `@armor/core`'s structural client plus
 * `evalsha`. Pass your `new Redis(...)`; a `Cluster` works when all keys of one `consumeAll`
 * share a hash tag.
 */
export interface RedisClientLike extends CoreRedisClientLike {
  evalsha(sha: string, numKeys: number, ...args: (string | number | Uint8Array)[]): Promise<unknown>;
  /**
   * ioredis `pipeline()`. When present (and the client is not a Cluster), `consume` calls made
   * in the same tick go out together: one write and one guarded call for the batch, each
   * script still atomic on its own. Optional: without it every call is sent alone.
   */
  pipeline?(): RedisPipelineLike;
  /** `true` on an ioredis `Cluster`, whose pipelines cannot mix keys of different slots. */
  readonly isCluster?: boolean;
}

/** The part of an ioredis pipeline the store uses. */
export interface RedisPipelineLike {
  evalsha(sha: string, numKeys: number, ...args: (string | number)[]): unknown;
  exec(): Promise<[error: Error | null, result: unknown][] | null>;
}

/** Options of {@link redisStore}. */
export interface RedisStoreOptions {
  /** Your ioredis client. The store never connects, quits or configures it. */
  client: RedisClientLike;
  /**
   * Milliseconds a call may take (including the wait for a client that is still connecting)
   * before it counts as a store failure (the limiter then answers from `insurance` or
   * `onStoreError`).
   *
   * Chosen so that a healthy Redis on a busy machine does not trip it: a loaded 2-core host
   * saw healthy calls take over 1 s. A call that times out may still run in Redis later (the
   * script is already sent), so with fail-open a timeout admits requests that Redis also
   * counts: too short a timeout makes limits inexact, too long a one makes the first requests
   * of an outage wait. The guard's circuit bounds the second cost: after one timeout, calls
   * fail at once for `cooldownMs`. See the README's "Timeouts, fail-open and exactness".
   * @default 3_000
   */
  timeoutMs?: number;
  /**
   * Milliseconds the store fails fast after a timeout or a connection error, without calling
   * Redis; then one probe call goes through.
   * @default 1_000
   */
  cooldownMs?: number;
  /** Called when the guard's circuit opens (Redis failed) and closes (Redis answered again). */
  onCircuit?: (event: { state: 'open' | 'closed'; reason?: string }) => void;
}

const KIND = { consume: 1, peek: 2, penalize: 3, reward: 4, reset: 5 } as const;
const ALG = { 'fixed-window': 1, 'sliding-window': 2, 'token-bucket': 3, gcra: 4 } as const;
const REASON = [undefined, 'limit', 'blocked'] as const;

/** ioredis runs on Node, where `Buffer` exists; the core itself never imports `node:`. */
type BufferLike = Uint8Array;
const NodeBuffer = (globalThis as unknown as { Buffer?: { from(data: ArrayBuffer): BufferLike } }).Buffer;

const policyBytes = new WeakMap<RateLimitPolicy, Float64Array>();
/** One operation as 10 little-endian doubles (80 bytes), unpacked by `struct.unpack` in Lua. */
function packOp(kind: number, p: RateLimitPolicy, cost: number): BufferLike {
  let fields = policyBytes.get(p);
  if (!fields) {
    fields = new Float64Array([0, ALG[p.algorithm], p.limit, p.capacity, p.windowMs, p.msPerPoint, p.blockDurationMs, p.blockGrowth, p.maxBlockDurationMs, 0]);
    policyBytes.set(p, fields);
  }
  const buffer = new ArrayBuffer(80);
  const view = new DataView(buffer);
  for (let i = 0; i < 10; i++) view.setFloat64(i * 8, i === 0 ? kind : i === 9 ? cost : fields[i]!, true);
  return NodeBuffer ? NodeBuffer.from(buffer) : new Uint8Array(buffer);
}

async function sha1Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-1', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

let shaPromise: Promise<string> | undefined;

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
/** Built once per policy (i.e. per limiter), so a `consume` builds no script arguments. */
function fastConsumeOf(p: RateLimitPolicy): FastConsume {
  let fast = fastByPolicy.get(p);
  if (!fast) {
    const script = consumeScript(p.algorithm, p.blockDurationMs > 0);
    let promise = fastShas.get(script);
    if (!promise) fastShas.set(script, (promise = sha1Hex(script)));
    const created: FastConsume = { script, sha: undefined, shaPromise: promise, args: consumeArgs(p), capacity: p.capacity, parse: parserFor(p.capacity) };
    promise.then((sha) => (created.sha = sha), () => undefined);
    fastByPolicy.set(p, created);
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

/** The store {@link redisStore} returns. */
export interface RedisStore extends RateLimitStore {
  consume(key: string, policy: RateLimitPolicy, cost: number): Promise<StoreOutcome>;
  /** The store's Redis guard (`state`, `on('open' | 'close' | 'error')`, `reset()`). */
  readonly guard: RedisGuard;
}

/** The default per-call timeout of {@link redisStore}, in ms. */
export const REDIS_STORE_TIMEOUT_MS = 3_000;

const toStoreError = (failure: { reason: string; message: string; cause?: unknown }) =>
  new RateLimitStoreError(failure.message, { cause: failure.cause, details: { reason: failure.reason } });
const wrap = (error: unknown): RateLimitStoreError =>
  error instanceof RateLimitStoreError ? error : new RateLimitStoreError('Redis rate-limit call failed', { cause: error });
const isNoScript = (error: unknown): boolean => error instanceof Error && error.message.startsWith('NOSCRIPT');

/**
 * Creates a Redis-backed store on your ioredis client. Recommended client options for limits
 * that fail fast during an outage: `{ enableOfflineQueue: false, maxRetriesPerRequest: 1 }`
 * (the store waits for the client's first connection, within `timeoutMs`, so requests made
 * right after start-up are counted, not failed).
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis';
 * const client = new Redis(process.env.REDIS_URL!, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
 * const limiter = createRateLimiter({
 *   algorithm: 'sliding-window', limit: 100, windowMs: 60_000,
 *   store: redisStore({ client }), insurance: memoryStore(),
 * });
 * ```
 */
export function redisStore(options: RedisStoreOptions): RedisStore {
  if (options === null || typeof options !== 'object') throw new ConfigurationError('options', 'must be an object with a client', { received: options });
  checkOptions('redisStore', options, ['client', 'timeoutMs', 'cooldownMs', 'onCircuit']);
  const { client, timeoutMs = REDIS_STORE_TIMEOUT_MS, cooldownMs = 1_000, onCircuit } = options;
  checkObject('client', client);
  if (!client || typeof client.evalsha !== 'function' || typeof client.eval !== 'function') {
    throw new ConfigurationError('client', 'must be an ioredis client (with evalsha and eval)', { received: client });
  }
  checkMs('timeoutMs', timeoutMs, { min: 1 });
  checkMs('cooldownMs', cooldownMs);
  checkFunction('onCircuit', onCircuit);
  const guard = createRedisGuard(client, { name: 'rate-limit redis store', timeoutMs, cooldownMs, toError: toStoreError });
  if (onCircuit) {
    guard.on('open', ({ failure }) => onCircuit({ state: 'open', reason: failure.reason }));
    guard.on('close', () => onCircuit({ state: 'closed' }));
  }
  let sha: string | undefined;

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
    const fast = fastConsumeOf(policy);
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

  const run = async (keys: string[], args: (string | BufferLike)[]): Promise<unknown> => {
    if (sha === undefined) sha = await (shaPromise ??= sha1Hex(RATE_LIMIT_LUA));
    try {
      return await client.evalsha(sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (isNoScript(error)) return client.eval(RATE_LIMIT_LUA, keys.length, ...keys, ...args);
      throw error;
    }
  };

  async function applyGeneral(request: StoreRequest): Promise<readonly StoreOutcome[]> {
    const keys: string[] = [];
    const args: (string | BufferLike)[] = [request.allOrNothing ? '1' : '0'];
    for (const op of request.ops) {
      keys.push(op.key);
      args.push(packOp(KIND[op.kind], op.policy, op.cost));
    }
    let reply: unknown;
    try {
      reply = await guard.run('rate-limit', () => run(keys, args));
    } catch (error) {
      throw wrap(error);
    }
    if (!Array.isArray(reply) || reply.length !== request.ops.length * 6) {
      throw new RateLimitStoreError('Unexpected reply from the Redis rate-limit script');
    }
    const out: StoreOutcome[] = [];
    for (let i = 0; i < reply.length; i += 6) {
      const outcome: StoreOutcome = {
        allowed: reply[i] === 1,
        remaining: Number(reply[i + 1]),
        resetMs: Number(reply[i + 2]),
        retryAfterMs: Number(reply[i + 3]),
        reason: REASON[Number(reply[i + 4])] ?? undefined,
      };
      const blockedMs = Number(reply[i + 5]);
      if (blockedMs > 0) (outcome as { blockedMs?: number }).blockedMs = blockedMs;
      out.push(outcome);
    }
    return out;
  }

  return {
    guard,
    consume,
    apply(request: StoreRequest): Promise<readonly StoreOutcome[]> {
      const ops = request.ops;
      if (ops.length === 1 && ops[0]!.kind === 'consume') {
        const op = ops[0]!;
        return consume(op.key, op.policy, op.cost).then((outcome) => [outcome]);
      }
      return applyGeneral(request);
    },
  };
}
