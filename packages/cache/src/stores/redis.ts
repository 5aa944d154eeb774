import { checkClock, checkMs, checkOptions, type Clock } from '@armor/core';
import { createRedisGuard, type RedisClientLike, type RedisGuard } from '@armor/core/redis';
import { ConfigurationError } from '@armor/errors';
import { CacheSerializationError, CacheStoreError } from '../errors.js';
import { taggedJsonSerializer } from '../serializer.js';
import type { CacheEntry, CacheStore, Serializer } from '../types.js';

/**
 * The part of an ioredis client (`new Redis(url)`) the Redis and tiered stores use. Structural,
 * so `@armor/cache`'s types never need `ioredis` installed; an ioredis `Redis` fits it.
 */
export interface CacheRedisClient extends RedisClientLike {
  get(key: string): Promise<string | null>;
  publish(channel: string, message: string): Promise<number>;
  /** Opens a second connection (the tiered store's pub/sub subscriber). */
  duplicate(): CacheRedisSubscriber;
}

/** The subscriber connection the tiered store opens with `client.duplicate()`. */
export interface CacheRedisSubscriber {
  /** ioredis connection status; the subscription is made once it is `ready`. */
  readonly status?: string;
  once(event: 'ready', listener: () => void): unknown;
  on(event: 'message', listener: (channel: string, message: string) => void): unknown;
  on(event: 'ready' | 'error', listener: (...args: any[]) => void): unknown; // eslint-disable-line @typescript-eslint/no-explicit-any
  subscribe(channel: string): Promise<unknown>;
  disconnect(): void;
}

/** Options of {@link redisStore}. */
export interface RedisStoreOptions {
  /**
   * Your ioredis client (standalone Redis; the store never closes it). Do not set ioredis'
   * own `keyPrefix` on it; use `prefix`.
   */
  client: CacheRedisClient;
  /** Prefix of every Redis key this store writes. @default 'armor:cache:' */
  prefix?: string | undefined;
  /** Encodes values. @default {@link taggedJsonSerializer} */
  serializer?: Serializer | undefined;
  /**
   * Longest wait for a Redis reply, in ms (>= 1), before the operation fails with
   * `CacheStoreError` (so a hung connection never stalls requests). While ioredis is
   * reconnecting, operations fail at once; while it is still connecting, they wait for it up
   * to this timeout.
   * @default 1000
   */
  timeoutMs?: number | undefined;
  /**
   * After a timeout or a connection error, operations fail at once for this long (ms) without
   * calling Redis, then one probe goes through: a hung Redis costs one timeout per cooldown,
   * not one per request (the kernel's Redis guard).
   * @default 1000
   */
  cooldownMs?: number | undefined;
  /** Clock of the guard's timers (tests). @default the system clock */
  clock?: Clock | undefined;
}

/** A {@link CacheStore} in Redis; exposes its client and prefix for {@link tieredStore}. */
export interface RedisStore extends CacheStore {
  readonly kind: 'redis';
  readonly client: CacheRedisClient;
  readonly prefix: string;
  /** The Redis guard every call goes through (`state`, `on('open' | 'close' | 'error')`). */
  readonly guard: RedisGuard;
  lock(key: string, ttlMs: number): Promise<string | undefined>;
  unlock(key: string, token: string): Promise<void>;
  /** Publishes `message` on `channel` (through the guard, errors wrapped). */
  publish(channel: string, message: string): Promise<void>;
}

/**
 * Writes an entry and replaces its tag memberships: the key leaves the tags of the value it
 * overwrites (so invalidating an old tag never deletes a newer value) and joins the new ones.
 * KEYS[1] data key, KEYS[2] the key's tag list; ARGV[1] raw, ARGV[2] px, ARGV[3] member,
 * ARGV[4] tag key prefix, ARGV[5..] tags.
 */
const SET_ENTRY = `
local old = redis.call('SMEMBERS', KEYS[2])
for _, t in ipairs(old) do redis.call('SREM', ARGV[4] .. t, ARGV[3]) end
redis.call('DEL', KEYS[2])
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
local ttl = tonumber(ARGV[2])
for i = 5, #ARGV do
  local tk = ARGV[4] .. ARGV[i]
  redis.call('SADD', tk, ARGV[3])
  if redis.call('PTTL', tk) < ttl then redis.call('PEXPIRE', tk, ttl) end
  redis.call('SADD', KEYS[2], ARGV[i])
end
if #ARGV >= 5 then redis.call('PEXPIRE', KEYS[2], ttl) end
return 1`;

/** KEYS[1] data key, KEYS[2] tag list; ARGV[1] member, ARGV[2] tag key prefix. */
const DELETE_ENTRY = `
local old = redis.call('SMEMBERS', KEYS[2])
for _, t in ipairs(old) do redis.call('SREM', ARGV[2] .. t, ARGV[1]) end
redis.call('DEL', KEYS[2])
return redis.call('DEL', KEYS[1])`;

/**
 * Removes the members of a tag that still carry it (a member whose value was overwritten
 * without the tag, or expired, is skipped). KEYS[1] tag key; ARGV[1] data key prefix,
 * ARGV[2] tag list prefix, ARGV[3] tag, ARGV[4] tag key prefix.
 */
const INVALIDATE_TAG = `
local members = redis.call('SMEMBERS', KEYS[1])
local removed = {}
for _, m in ipairs(members) do
  local list = ARGV[2] .. m
  if redis.call('SISMEMBER', list, ARGV[3]) == 1 then
    for _, t in ipairs(redis.call('SMEMBERS', list)) do
      if t ~= ARGV[3] then redis.call('SREM', ARGV[4] .. t, m) end
    end
    redis.call('DEL', list)
    if redis.call('UNLINK', ARGV[1] .. m) == 1 then removed[#removed + 1] = m end
  end
end
redis.call('DEL', KEYS[1])
return removed`;

/**
 * MGET of every key in one round trip, in slices: Lua's `unpack` refuses more than ~8,000
 * values (LUAI_MAXCSTACK), so a single `MGET(unpack(KEYS))` failed for larger calls.
 */
const GET_MANY = `
local out = {}
local n = #KEYS
for i = 1, n, 1000 do
  local part = redis.call('MGET', unpack(KEYS, i, math.min(i + 999, n)))
  for j = 1, #part do out[i + j - 1] = part[j] end
end
return out`;

/**
 * One bounded step of `clear`: SCAN from cursor ARGV[1] for keys matching ARGV[2], looking at
 * ARGV[3] slots, and UNLINK what it found. Returns the next cursor (`0`: done).
 */
const CLEAR_STEP = `
local r = redis.call('SCAN', ARGV[1], 'MATCH', ARGV[2], 'COUNT', ARGV[3])
local keys = r[2]
for i = 1, #keys, 1000 do redis.call('UNLINK', unpack(keys, i, math.min(i + 999, #keys))) end
return r[1]`;

/** Slots one `clear` step scans: a few ms of Redis time even on a store of millions of keys. */
const CLEAR_STEP_COUNT = 2_000;

const LOCK = `if redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX') then return 1 end
return 0`;

const UNLOCK = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

const globEscape = (s: string) => s.replace(/[*?[\]\\]/g, (c) => `\\${c}`);

const randomToken = () => {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
};

const message = (error: unknown) => {
  try {
    return error instanceof Error ? error.message : String(error);
  } catch {
    return 'unreadable error';
  }
};

/**
 * Redis store on your ioredis client: one round trip per operation (`GET` for reads, one Lua
 * script for writes), TTL enforced by Redis (`PX`), tags as Redis sets kept exact on overwrite
 * and delete, values encoded by {@link taggedJsonSerializer} by default (values it cannot
 * round-trip are rejected at `set`, before anything is written), a `SET NX PX` lock for the
 * cross-process stampede guard, and every call through the kernel's Redis guard (timeout,
 * fail-fast while disconnected, one timeout per cooldown when Redis hangs).
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis';
 * const cache = createCache({ store: redisStore({ client: new Redis(process.env.REDIS_URL!) }), ttlMs: 30_000, lock: true });
 * ```
 */
export function redisStore(options: RedisStoreOptions): RedisStore {
  checkOptions('redisStore', options, ['client', 'prefix', 'serializer', 'timeoutMs', 'cooldownMs', 'clock']);
  const { client, prefix = 'armor:cache:', serializer: defaultSerializer = taggedJsonSerializer, timeoutMs = 1000, cooldownMs = 1000, clock } =
    options ?? ({} as RedisStoreOptions);
  if (typeof client !== 'object' || client === null || typeof client.get !== 'function' || typeof client.eval !== 'function') {
    throw new ConfigurationError('client', 'must be an ioredis client (new Redis(url))', { received: client });
  }
  const clientPrefix = (client as { options?: { keyPrefix?: unknown } }).options?.keyPrefix;
  if (typeof clientPrefix === 'string' && clientPrefix !== '') {
    throw new ConfigurationError('client', 'must not use ioredis keyPrefix (Lua scripts build keys); pass prefix to redisStore instead', {
      received: clientPrefix,
    });
  }
  if (typeof prefix !== 'string') throw new ConfigurationError('prefix', 'must be a string', { received: prefix });
  if (typeof defaultSerializer?.serialize !== 'function' || typeof defaultSerializer.deserialize !== 'function') {
    throw new ConfigurationError('serializer', 'must be an object with serialize(value) and deserialize(text)', { received: defaultSerializer });
  }
  checkMs('timeoutMs', timeoutMs, { min: 1 });
  checkMs('cooldownMs', cooldownMs);
  checkClock(clock);

  const dataKey = (key: string) => `${prefix}k:${key}`;
  const tagKey = (tag: string) => `${prefix}t:${tag}`;
  const listKey = (key: string) => `${prefix}g:${key}`;
  const lockKey = (key: string) => `${prefix}l:${key}`;

  const guard = createRedisGuard(client, {
    name: 'cache redis store',
    timeoutMs,
    cooldownMs,
    ...(clock ? { clock } : {}),
    toError: (failure) => new CacheStoreError(failure.operation, failure.message, { cause: failure.cause }),
  });

  /** Every Redis call: through the guard, any failure a `CacheStoreError`. */
  const run = <T>(operation: string, fn: () => Promise<T>): Promise<T> =>
    guard.run(operation, fn).catch((error: unknown) => {
      if (error instanceof CacheStoreError) throw error;
      throw new CacheStoreError(operation, `Redis ${operation} failed: ${message(error)}`, { cause: error });
    });

  /** `fresh|stale|grace|payload`; anything else (a foreign or older entry) reads as a miss. */
  const decode = (raw: string, serializer: Serializer): CacheEntry | undefined => {
    const a = raw.indexOf('|');
    const b = raw.indexOf('|', a + 1);
    const c = raw.indexOf('|', b + 1);
    if (a < 0 || b < 0 || c < 0) return undefined;
    const freshUntil = Number(raw.slice(0, a));
    const staleUntil = Number(raw.slice(a + 1, b));
    const graceUntil = Number(raw.slice(b + 1, c));
    if (!Number.isFinite(freshUntil) || !Number.isFinite(staleUntil) || !Number.isFinite(graceUntil) || b + 1 === c) return undefined;
    const entry: CacheEntry = { value: serializer.deserialize(raw.slice(c + 1)), freshUntil, staleUntil };
    if (graceUntil > staleUntil) entry.graceUntil = graceUntil;
    return entry;
  };

  /**
   * Removes every data key, tag list and tag set under `keyPrefix` in bounded steps, each its
   * own guarded call (one timeout per step, not one for the whole keyspace): on a Redis holding
   * millions of other keys a single timed call would time out and open the guard for every key.
   */
  const clearSteps = async (keyPrefix: string) => {
    const pattern = `${globEscape(prefix)}[kgt]:${globEscape(keyPrefix)}*`;
    let cursor = '0';
    do {
      const at = cursor;
      cursor = String(await run('clear', () => client.eval(CLEAR_STEP, 0, at, pattern, CLEAR_STEP_COUNT)));
    } while (cursor !== '0');
  };

  return {
    kind: 'redis',
    client,
    prefix,
    guard,
    get: (key, serializer) =>
      run('get', async () => {
        const raw = await client.get(dataKey(key));
        return raw === null ? undefined : decode(raw, serializer ?? defaultSerializer);
      }),
    getMany: (keys, serializer) =>
      keys.length === 0
        ? Promise.resolve([])
        : run('getMany', async () => {
            const raws = (await client.eval(GET_MANY, keys.length, ...keys.map(dataKey))) as (string | null | false)[];
            return keys.map((_, i) => {
              const raw = raws[i];
              return typeof raw === 'string' ? decode(raw, serializer ?? defaultSerializer) : undefined;
            });
          }),
    set: async (key, entry, { ttlMs, tags, serializer }) => {
      let payload: string;
      try {
        payload = (serializer ?? defaultSerializer).serialize(entry.value);
      } catch (error) {
        if (error instanceof CacheSerializationError) throw error;
        throw new CacheSerializationError(`Cannot cache value for key "${key}": ${message(error)}`, { cause: error });
      }
      if (typeof payload !== 'string') throw new CacheSerializationError(`Cannot cache value for key "${key}": the serializer did not return a string`);
      const raw = `${entry.freshUntil}|${entry.staleUntil}|${entry.graceUntil ?? entry.staleUntil}|${payload}`;
      const px = Math.max(1, Math.ceil(ttlMs));
      await run('set', () => client.eval(SET_ENTRY, 2, dataKey(key), listKey(key), raw, px, key, tagKey(''), ...(tags ?? [])));
    },
    delete: (key) => run('delete', async () => (await client.eval(DELETE_ENTRY, 2, dataKey(key), listKey(key), key, tagKey(''))) === 1),
    clear: clearSteps,
    invalidateTag: (tag) =>
      run('invalidateTag', async () => (await client.eval(INVALIDATE_TAG, 1, tagKey(tag), dataKey(''), listKey(''), tag, tagKey(''))) as string[]),
    lock: (key, ttlMs) =>
      run('lock', async () => {
        const token = randomToken();
        const ok = await client.eval(LOCK, 1, lockKey(key), token, Math.max(1, Math.ceil(ttlMs)));
        return ok === 1 ? token : undefined;
      }),
    publish: (channel, text) =>
      run('publish', async () => {
        await client.publish(channel, text);
      }),
    unlock: (key, token) =>
      run('unlock', async () => {
        await client.eval(UNLOCK, 1, lockKey(key), token);
      }),
  };
}
