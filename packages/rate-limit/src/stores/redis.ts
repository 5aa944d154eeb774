/**
 * `redisStore({ client })`: limits shared by every process through Redis. One round trip per
 * call: an atomic Lua script (EVALSHA, falling back to EVAL after `NOSCRIPT`, e.g. when Redis
 * restarted) that reads the clock from Redis `TIME`, so processes with skewed clocks still
 * share one exact limit.
 *
 * @module
 */
import { ConfigurationError } from '@armor/errors';
import { RateLimitStoreError } from '../errors.js';
import type { RateLimitPolicy, RateLimitStore, StoreOutcome, StoreRequest } from '../types.js';
import { consumeArgs, consumeScript } from './redis-consume-script.js';
import { RATE_LIMIT_LUA } from './redis-script.js';

/**
 * The part of an ioredis client the store uses (pass your `new Redis(...)`, a `Cluster`
 * works when all keys of one `consumeAll` share a hash tag).
 */
export interface RedisClientLike {
  evalsha(sha: string, numKeys: number, ...args: (string | number | Uint8Array)[]): Promise<unknown>;
  eval(script: string, numKeys: number, ...args: (string | number | Uint8Array)[]): Promise<unknown>;
  /** ioredis connection status; when it says the connection is down the store fails fast. */
  readonly status?: string;
}

/** Options of {@link redisStore}. */
export interface RedisStoreOptions {
  /** Your ioredis client. The store never connects, quits or configures it. */
  client: RedisClientLike;
  /**
   * Milliseconds to wait for Redis before treating the call as a store error (the limiter
   * then answers from `insurance` or `onStoreError`).
   * @default 1_000
   */
  timeoutMs?: number;
}

const KIND = { consume: 1, peek: 2, penalize: 3, reward: 4, reset: 5 } as const;
const ALG = { 'fixed-window': 1, 'sliding-window': 2, 'token-bucket': 3, gcra: 4 } as const;
const DOWN = new Set(['reconnecting', 'end', 'close']);
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
    const created: FastConsume = { script, sha: undefined, shaPromise: promise, args: consumeArgs(p), capacity: p.capacity };
    promise.then((sha) => (created.sha = sha), () => undefined);
    fastByPolicy.set(p, created);
    fast = created;
  }
  return fast;
}

/**
 * Creates a Redis-backed store on your ioredis client. Recommended client options for limits
 * that fail fast during an outage: `{ enableOfflineQueue: false, maxRetriesPerRequest: 1 }`.
 *
 * @example
 * ```ts
 * import Redis from 'ioredis';
 * const client = new Redis(process.env.REDIS_URL!, { enableOfflineQueue: false });
 * const limiter = createRateLimiter({
 *   algorithm: 'sliding-window', limit: 100, windowMs: 60_000,
 *   store: redisStore({ client }), insurance: memoryStore(),
 * });
 * ```
 */
export function redisStore(options: RedisStoreOptions): RateLimitStore {
  const { client, timeoutMs = 1_000 } = options ?? ({} as RedisStoreOptions);
  if (!client || typeof client.evalsha !== 'function' || typeof client.eval !== 'function') {
    throw new ConfigurationError('client', 'must be an ioredis client (with evalsha and eval)', { received: client });
  }
  if (!(typeof timeoutMs === 'number' && timeoutMs > 0)) {
    throw new ConfigurationError('timeoutMs', 'must be a number > 0', { received: timeoutMs });
  }
  let sha: string | undefined;

  // One shared, unref'd deadline sweep instead of a timer per call: calls older than
  // timeoutMs are failed (checked every timeoutMs / 4).
  const pending = new Set<{ at: number; reject: (e: Error) => void }>();
  let sweeper: ReturnType<typeof setInterval> | undefined;
  const sweep = () => {
    const now = Date.now();
    for (const p of pending) {
      if (now - p.at >= timeoutMs) {
        pending.delete(p);
        p.reject(new RateLimitStoreError(`Redis did not answer within ${timeoutMs} ms`));
      }
    }
    if (pending.size === 0 && sweeper !== undefined) {
      clearInterval(sweeper);
      sweeper = undefined;
    }
  };
  const track = (entry: { at: number; reject: (e: Error) => void }) => {
    pending.add(entry);
    if (sweeper === undefined) {
      sweeper = setInterval(() => sweep(), Math.max(1, Math.floor(timeoutMs / 4)));
      (sweeper as { unref?: () => void }).unref?.();
    }
  };
  const withDeadline = <T>(promise: Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const entry = { at: Date.now(), reject };
      track(entry);
      promise.then(
        (value) => {
          pending.delete(entry);
          resolve(value);
        },
        (error: unknown) => {
          pending.delete(entry);
          reject(error as Error);
        },
      );
    });

  // The single-key `consume` fast path: the policy's dedicated script, arguments built once
  // per policy, and one promise from the client reply to the outcome (deadline included).
  const consumeOne = (key: string, fast: FastConsume, cost: number): Promise<readonly StoreOutcome[]> =>
    new Promise<readonly StoreOutcome[]>((resolve, reject) => {
      const entry = { at: Date.now(), reject };
      track(entry);
      const fail = (error: unknown) => {
        pending.delete(entry);
        reject(error instanceof RateLimitStoreError ? error : new RateLimitStoreError('Redis rate-limit call failed', { cause: error }));
      };
      const done = (reply: unknown) => {
        pending.delete(entry);
        // Allowed: [remaining, resetMs]; refused: [remaining, resetMs, retryAfterMs, reason].
        if (!Array.isArray(reply) || (reply.length !== 2 && reply.length !== 4)) {
          reject(new RateLimitStoreError('Unexpected reply from the Redis rate-limit script'));
          return;
        }
        const allowed = reply.length === 2;
        // `limit` lets the limiter hand this object out as the result without copying it.
        const outcome: StoreOutcome & { limit: number } = {
          allowed,
          limit: fast.capacity,
          remaining: Number(reply[0]),
          resetMs: Number(reply[1]),
          retryAfterMs: allowed ? 0 : Number(reply[2]),
          reason: allowed ? undefined : (REASON[Number(reply[3])] ?? undefined),
        };
        resolve([outcome]);
      };
      const points = cost === 1 ? '1' : String(cost);
      const a = fast.args as readonly [string, string, string, string, string];
      const send = (command: 'evalsha' | 'eval', first: string) =>
        fast.args.length === 2 ? client[command](first, 1, key, a[0], a[1], points) : client[command](first, 1, key, a[0], a[1], a[2], a[3], a[4], points);
      const start = (sha: string) => {
        try {
          send('evalsha', sha).then(done, (error: unknown) => {
            if (error instanceof Error && error.message.startsWith('NOSCRIPT')) {
              try {
                send('eval', fast.script).then(done, fail);
              } catch (fallbackError) {
                fail(fallbackError);
              }
            } else {
              fail(error);
            }
          });
        } catch (error) {
          fail(error);
        }
      };
      if (fast.sha !== undefined) start(fast.sha);
      else fast.shaPromise.then(start, fail);
    });

  const run = async (keys: string[], args: (string | BufferLike)[]): Promise<unknown> => {
    if (sha === undefined) sha = await (shaPromise ??= sha1Hex(RATE_LIMIT_LUA));
    try {
      return await client.evalsha(sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (error instanceof Error && error.message.startsWith('NOSCRIPT')) {
        return client.eval(RATE_LIMIT_LUA, keys.length, ...keys, ...args);
      }
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
      reply = await withDeadline(run(keys, args));
    } catch (error) {
      throw error instanceof RateLimitStoreError ? error : new RateLimitStoreError('Redis rate-limit call failed', { cause: error });
    }
    if (!Array.isArray(reply) || reply.length !== request.ops.length * 5) {
      throw new RateLimitStoreError('Unexpected reply from the Redis rate-limit script');
    }
    const out: StoreOutcome[] = [];
    for (let i = 0; i < reply.length; i += 5) {
      out.push({
        allowed: reply[i] === 1,
        remaining: Number(reply[i + 1]),
        resetMs: Number(reply[i + 2]),
        retryAfterMs: Number(reply[i + 3]),
        reason: REASON[Number(reply[i + 4])] ?? undefined,
      });
    }
    return out;
  }

  return {
    apply(request: StoreRequest): Promise<readonly StoreOutcome[]> {
      if (client.status !== undefined && DOWN.has(client.status)) {
        return Promise.reject(new RateLimitStoreError(`Redis connection is ${client.status}`));
      }
      const ops = request.ops;
      if (ops.length === 1 && ops[0]!.kind === 'consume') {
        const op = ops[0]!;
        return consumeOne(op.key, fastConsumeOf(op.policy), op.cost);
      }
      return applyGeneral(request);
    },
  };
}
