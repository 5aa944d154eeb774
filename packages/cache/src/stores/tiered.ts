import { checkOptions, Emitter } from '@armor/core';
import { ConfigurationError } from '@armor/errors';
import type { CacheEntry, CacheStore, EvictReason } from '../types.js';
import type { MemoryStore } from './memory.js';
import type { CacheRedisSubscriber, RedisStore } from './redis.js';

/** Options of {@link tieredStore}. */
export interface TieredStoreOptions {
  /** The in-process first tier (`memoryStore({ max })`). */
  l1: MemoryStore;
  /** The shared second tier (`redisStore({ client })`). */
  l2: RedisStore;
  /** Pub/sub channel for invalidations; every instance sharing L2 must use the same one. @default `${l2.prefix}invalidate` */
  channel?: string | undefined;
}

/** A two-tier {@link CacheStore}: memory in front of Redis, kept coherent by Redis pub/sub. */
export interface TieredStore extends CacheStore {
  readonly kind: 'tiered';
  readonly l1: MemoryStore;
  readonly l2: RedisStore;
  /** Random id of this instance (its own invalidation messages are ignored). */
  readonly instanceId: string;
  /** Resolves once the invalidation subscription is active. */
  ready(): Promise<void>;
  getSync(key: string): CacheEntry | undefined;
  lock(key: string, ttlMs: number): Promise<string | undefined>;
  unlock(key: string, token: string): Promise<void>;
  close(): Promise<void>;
}

interface Message {
  /** sender instance id */
  o: string;
  /** keys to drop */
  k?: string[];
  /** prefix to clear */
  c?: string;
}

const randomId = () => {
  const bytes = new Uint8Array(8);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
};

/**
 * Memory (L1) in front of Redis (L2). Reads hit L1 synchronously when they can and fill it
 * from L2 otherwise; every write, delete, clear and tag invalidation goes to L2 first and is
 * then published on a Redis channel, so every other instance drops its L1 copy within one
 * pub/sub hop. A subscriber connection is opened with `l2.client.duplicate()`; after it
 * reconnects (messages may have been missed) L1 is cleared. `close()` ends that connection.
 *
 * @example
 * ```ts
 * const store = tieredStore({ l1: memoryStore({ max: 5_000 }), l2: redisStore({ client: redis }) });
 * const cache = createCache({ store, ttlMs: 60_000 });
 * ```
 */
export function tieredStore(options: TieredStoreOptions): TieredStore {
  checkOptions('tieredStore', options, ['l1', 'l2', 'channel']);
  const { l1, l2 } = options ?? ({} as TieredStoreOptions);
  if (typeof l1 !== 'object' || l1 === null || l1.kind !== 'memory') {
    throw new ConfigurationError('l1', 'must be a memoryStore()', { received: l1 });
  }
  if (typeof l2 !== 'object' || l2 === null || l2.kind !== 'redis') {
    throw new ConfigurationError('l2', 'must be a redisStore()', { received: l2 });
  }
  const channel = options.channel ?? `${l2.prefix}invalidate`;
  if (typeof channel !== 'string' || channel === '') throw new ConfigurationError('channel', 'must be a non-empty string', { received: channel });

  const instanceId = randomId();
  const events = new Emitter<{ evict: { key: string; reason: EvictReason } }>({ component: 'cache tiered store' });
  const notify = (key: string, reason: EvictReason) => {
    if (events.has('evict')) events.emit('evict', { key, reason });
  };
  l1.onEvict((key, reason) => notify(key, reason));

  /** Keys being read from L2 right now; `dirty` when an invalidation arrived meanwhile. */
  const reading = new Map<string, { n: number; dirty: boolean }>();
  const dropLocal = (key: string) => {
    const r = reading.get(key);
    if (r) r.dirty = true;
    if (l1.getSync(key) !== undefined) {
      l1.evictExpired(key);
      notify(key, 'remote');
    }
  };

  const subscriber: CacheRedisSubscriber = l2.client.duplicate();
  let closed = false;
  let readyCount = 0;
  subscriber.on('error', () => {
    // Connection problems surface through L2 operations; the subscriber just reconnects.
  });
  subscriber.on('ready', () => {
    readyCount++;
    // After a reconnect we may have missed invalidations: drop every local copy.
    if (readyCount > 1) void l1.clear('');
  });
  subscriber.on('message', (ch: string, text: string) => {
    if (ch !== channel) return;
    let message: Message;
    try {
      message = JSON.parse(text) as Message;
    } catch {
      return;
    }
    if (message.o === instanceId) return;
    if (Array.isArray(message.k)) for (const key of message.k) if (typeof key === 'string') dropLocal(key);
    if (typeof message.c === 'string') {
      const prefix = message.c;
      for (const [key, r] of reading) if (key.startsWith(prefix)) r.dirty = true;
      void l1.clear(prefix);
    }
  });
  // Subscribe once the connection is ready: with `enableOfflineQueue: false` (the recommended
  // client options) a command sent while connecting is refused. ioredis resubscribes by itself
  // after a reconnect.
  const subscribed = new Promise<void>((resolve, reject) => {
    const subscribe = () => {
      subscriber.subscribe(channel).then(
        () => resolve(),
        (error: unknown) => {
          if (!closed) reject(error as Error);
        },
      );
    };
    if (subscriber.status === 'ready') subscribe();
    else subscriber.once('ready', subscribe);
  });
  subscribed.catch(() => {
    // reported through ready()
  });

  const publish = (message: Omit<Message, 'o'>) => l2.publish(channel, JSON.stringify({ o: instanceId, ...message }));

  return {
    kind: 'tiered',
    l1,
    l2,
    instanceId,
    local: false,
    ready: () => subscribed,
    getSync: (key) => l1.getSync(key),
    evictExpired: (key) => l1.evictExpired(key),
    get: async (key, serializer) => {
      const local = l1.getSync(key);
      if (local !== undefined) return local;
      let r = reading.get(key);
      if (!r) reading.set(key, (r = { n: 0, dirty: false }));
      r.n++;
      try {
        const entry = await l2.get(key, serializer);
        if (entry !== undefined && !r.dirty) await l1.set(key, entry, { ttlMs: 1 });
        return entry;
      } finally {
        if (--r.n === 0 && reading.get(key) === r) reading.delete(key);
      }
    },
    set: async (key, entry, setOptions) => {
      try {
        await l2.set(key, entry, setOptions);
      } catch (error) {
        l1.evictExpired(key);
        throw error;
      }
      await l1.set(key, entry, setOptions);
      await publish({ k: [key] });
    },
    delete: async (key) => {
      l1.evictExpired(key);
      const existed = await l2.delete(key);
      await publish({ k: [key] });
      return existed;
    },
    clear: async (prefix) => {
      await l1.clear(prefix);
      let failure: unknown;
      try {
        await l2.clear(prefix);
      } catch (error) {
        failure = error;
      }
      // Reads of this instance that ran during the clear may have copied a value it was about to
      // remove into L1: drop them again, and keep in-flight ones out of L1.
      for (const [key, r] of reading) if (key.startsWith(prefix)) r.dirty = true;
      await l1.clear(prefix);
      // Published even after a partial failure: the other instances must drop their copies of
      // whatever was removed.
      try {
        await publish({ c: prefix });
      } catch (error) {
        failure ??= error;
      }
      if (failure !== undefined) throw failure;
    },
    invalidateTag: async (tag) => {
      const local = await l1.invalidateTag(tag);
      const removed = await l2.invalidateTag(tag);
      for (const key of removed) l1.evictExpired(key);
      if (removed.length > 0) await publish({ k: removed });
      return [...new Set([...removed, ...local])];
    },
    size: () => l1.size(),
    onEvict: (listener) => events.on('evict', ({ key, reason }) => listener(key, reason)),
    lock: (key, ttlMs) => l2.lock(key, ttlMs),
    unlock: (key, token) => l2.unlock(key, token),
    close: async () => {
      if (closed) return;
      closed = true;
      // disconnect, not quit: a QUIT to a hung Redis would never be answered
      subscriber.disconnect();
    },
  };
}
