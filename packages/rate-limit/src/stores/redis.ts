/**
 * `redisStore({ client })`: limits shared by every process through Redis (7.0 or later). One
 * round trip per call: an atomic Lua script (EVALSHA, falling back to EVAL after `NOSCRIPT`,
 * e.g. when Redis restarted) on Redis's clock, so processes with skewed clocks still share one
 * exact limit: the scripts read `TIME`, except a fixed-window consume of a key already counting
 * in the current window, whose expiry is the window's end (`INCRBY` + `PTTL`, no clock read). Every call goes through `@armor/core`'s Redis guard: a per-call
 * timeout, fail-fast while the client is disconnected, a wait for a client that is still
 * connecting, and a local circuit so a hung Redis costs one timeout per cooldown.
 *
 * @module
 */
import { checkFunction, checkMs, checkObject, checkOptions } from '@armor/core';
import { createRedisGuard, type RedisClientLike as CoreRedisClientLike, type RedisGuard } from '@armor/core/redis';
import { ConfigurationError } from '@armor/errors';
import { RateLimitStoreError } from '../errors.js';
import type { RateLimitPolicy, RateLimitStore, StoreOutcome, StoreRequest } from '../types.js';

export type { RedisPipelineLike } from './redis-consume.js';
import { createConsume, isNoScript, REASON, sha1Hex, wrap, type RedisPipelineLike } from './redis-consume.js';
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

let shaPromise: Promise<string> | undefined;

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

  const { consume } = createConsume(client, guard);

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
