import { ConfigurationError } from '@armor/errors';
import type { Redis } from 'ioredis';
import { CacheSerializationError, CacheStoreError } from '../errors.js';
import { jsonSerializer } from '../serializer.js';
import type { CacheEntry, CacheStore, Serializer } from '../types.js';

/** Options of {@link redisStore}. */
export interface RedisStoreOptions {
  /**
   * Your ioredis client (standalone Redis; the store never closes it). Do not set ioredis'
   * own `keyPrefix` on it; use `prefix`.
   */
  client: Redis;
  /** Prefix of every Redis key this store writes. @default 'armor:cache:' */
  prefix?: string | undefined;
  /** Encodes values. @default {@link jsonSerializer} (strict JSON) */
  serializer?: Serializer | undefined;
  /**
   * Longest wait for a Redis reply, in ms, before the operation fails with
   * `CacheStoreError` (so a hung connection never stalls requests); `0` disables it.
   * While ioredis is reconnecting, operations fail at once.
   * @default 1000
   */
  timeoutMs?: number | undefined;
}

/** A {@link CacheStore} in Redis; exposes its client and prefix for {@link tieredStore}. */
export interface RedisStore extends CacheStore {
  readonly kind: 'redis';
  readonly client: Redis;
  readonly prefix: string;
  lock(key: string, ttlMs: number): Promise<string | undefined>;
  unlock(key: string, token: string): Promise<void>;
  /** Publishes `message` on `channel` (with the store's timeout and error wrapping). */
  publish(channel: string, message: string): Promise<void>;
}

const SET_WITH_TAGS = `
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
local ttl = tonumber(ARGV[2])
for i = 2, #KEYS do
  redis.call('SADD', KEYS[i], ARGV[3])
  if redis.call('PTTL', KEYS[i]) < ttl then redis.call('PEXPIRE', KEYS[i], ttl) end
end
return 1`;

const INVALIDATE_TAG = `
local members = redis.call('SMEMBERS', KEYS[1])
local removed = {}
for _, m in ipairs(members) do
  if redis.call('UNLINK', ARGV[1] .. m) == 1 then removed[#removed + 1] = m end
end
redis.call('DEL', KEYS[1])
return removed`;

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

/**
 * Redis store on your ioredis client: one round trip per read (`GET`), TTL enforced by Redis
 * (`PX`), tags as Redis sets updated atomically with the write (Lua), values encoded by a
 * strict JSON serializer by default (non-serializable values are rejected at `set`, before
 * anything is written), and a `SET NX PX` lock for the cross-process stampede guard.
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis';
 * const cache = createCache({ store: redisStore({ client: new Redis(process.env.REDIS_URL!) }), ttlMs: 30_000, lock: true });
 * ```
 */
export function redisStore(options: RedisStoreOptions): RedisStore {
  const { client, prefix = 'armor:cache:', serializer: defaultSerializer = jsonSerializer, timeoutMs = 1000 } =
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
  if (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs < 0) {
    throw new ConfigurationError('timeoutMs', 'must be a finite number of ms >= 0', { received: timeoutMs });
  }

  const dataKey = (key: string) => `${prefix}k:${key}`;
  const tagKey = (tag: string) => `${prefix}t:${tag}`;
  const lockKey = (key: string) => `${prefix}l:${key}`;

  const run = <T>(operation: string, fn: () => Promise<T>): Promise<T> => {
    const status = client.status;
    if (status === 'reconnecting' || status === 'close' || status === 'end') {
      return Promise.reject(new CacheStoreError(operation, `Redis is not connected (ioredis status "${status}")`));
    }
    return new Promise<T>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      if (timeoutMs > 0) {
        timer = setTimeout(() => reject(new CacheStoreError(operation, `Redis did not answer ${operation} within ${timeoutMs} ms`)), timeoutMs);
        (timer as { unref?: () => void }).unref?.();
      }
      fn().then(
        (value) => {
          if (timer !== undefined) clearTimeout(timer);
          resolve(value);
        },
        (error: unknown) => {
          if (timer !== undefined) clearTimeout(timer);
          reject(new CacheStoreError(operation, `Redis ${operation} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error }));
        },
      );
    });
  };

  const decode = (raw: string, serializer: Serializer): CacheEntry => {
    const a = raw.indexOf('|');
    const b = raw.indexOf('|', a + 1);
    if (a < 0 || b < 0) throw new Error('not an @armor/cache entry');
    return { value: serializer.deserialize(raw.slice(b + 1)), freshUntil: Number(raw.slice(0, a)), staleUntil: Number(raw.slice(a + 1, b)) };
  };

  const scanDelete = async (pattern: string) => {
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await client.unlink(...keys);
    } while (cursor !== '0');
  };

  return {
    kind: 'redis',
    client,
    prefix,
    get: (key, serializer) =>
      run('get', async () => {
        const raw = await client.get(dataKey(key));
        return raw === null ? undefined : decode(raw, serializer ?? defaultSerializer);
      }),
    set: async (key, entry, { ttlMs, tags, serializer }) => {
      let payload: string;
      try {
        payload = (serializer ?? defaultSerializer).serialize(entry.value);
      } catch (error) {
        if (error instanceof CacheSerializationError) throw error;
        throw new CacheSerializationError(`Cannot cache value for key "${key}": ${error instanceof Error ? error.message : String(error)}`, {
          cause: error,
        });
      }
      if (typeof payload !== 'string') throw new CacheSerializationError(`Cannot cache value for key "${key}": the serializer did not return a string`);
      const raw = `${entry.freshUntil}|${entry.staleUntil}|${payload}`;
      const px = Math.max(1, Math.ceil(ttlMs));
      await run('set', async () => {
        if (!tags || tags.length === 0) await client.set(dataKey(key), raw, 'PX', px);
        else await client.eval(SET_WITH_TAGS, 1 + tags.length, dataKey(key), ...tags.map(tagKey), raw, px, key);
      });
    },
    delete: (key) => run('delete', async () => (await client.del(dataKey(key))) > 0),
    clear: (keyPrefix) =>
      run('clear', async () => {
        await scanDelete(`${globEscape(dataKey(keyPrefix))}*`);
        await scanDelete(`${globEscape(tagKey(keyPrefix))}*`);
      }),
    invalidateTag: (tag) => run('invalidateTag', async () => (await client.eval(INVALIDATE_TAG, 1, tagKey(tag), dataKey(''))) as string[]),
    lock: (key, ttlMs) =>
      run('lock', async () => {
        const token = randomToken();
        const ok = await client.set(lockKey(key), token, 'PX', Math.max(1, Math.ceil(ttlMs)), 'NX');
        return ok === 'OK' ? token : undefined;
      }),
    publish: (channel, message) =>
      run('publish', async () => {
        await client.publish(channel, message);
      }),
    unlock: (key, token) =>
      run('unlock', async () => {
        await client.eval(UNLOCK, 1, lockKey(key), token);
      }),
  };
}
