import { checkClock, checkMs, checkOptions, Emitter, toScheduler, type Clock } from '@armor/core';
import { isRedisOutage } from '@armor/core/redis';
import { ConfigurationError } from '@armor/errors';
import { CacheStoreError } from '../errors.js';
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
  /** Scheduler of the `ready()` wait (tests). @default the system clock */
  clock?: Clock | undefined;
}

/**
 * What {@link TieredStore.ready} resolved: `'subscribed'` (invalidations from other instances
 * arrive) or `'degraded'` (no subscription yet, e.g. Redis is down at boot: the store works —
 * Redis calls fail fast through the guard, reads fall back to the loader — and subscribes by
 * itself once Redis is reachable).
 */
export type TieredReadiness = 'subscribed' | 'degraded';

/** Options of {@link TieredStore.ready}. */
export interface TieredReadyOptions {
  /**
   * Longest wait for the subscription, in ms (>= 0; `Infinity` waits for it).
   * @default the L2 store's `timeoutMs` (1000 by default)
   */
  timeoutMs?: number | undefined;
}

/** A two-tier {@link CacheStore}: memory in front of Redis, kept coherent by Redis pub/sub. */
export interface TieredStore extends CacheStore {
  readonly kind: 'tiered';
  readonly l1: MemoryStore;
  readonly l2: RedisStore;
  /** Random id of this instance (its own invalidation messages are ignored). */
  readonly instanceId: string;
  /**
   * Waits for the invalidation subscription, at most `timeoutMs` (default: the L2 store's
   * `timeoutMs`): resolves `'subscribed'` once it is active, or `'degraded'` when it is not
   * within the wait (Redis down or slow at boot) — never hangs, so an app that awaits it starts
   * during an outage. The store keeps trying and subscribes by itself when Redis is reachable;
   * `ready()` can be called again (e.g. with `{ timeoutMs: Infinity }`) or {@link subscribed} read.
   * Rejects with {@link CacheStoreError} (operation `subscribe`) when Redis refuses `SUBSCRIBE`
   * itself (an ACL without pub/sub): that is a configuration problem, not an outage.
   */
  ready(options?: TieredReadyOptions): Promise<TieredReadiness>;
  /** `true` while the invalidation subscription is active. */
  readonly subscribed: boolean;
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
  checkOptions('tieredStore', options, ['l1', 'l2', 'channel', 'clock']);
  const { l1, l2 } = options ?? ({} as TieredStoreOptions);
  if (typeof l1 !== 'object' || l1 === null || l1.kind !== 'memory') {
    throw new ConfigurationError('l1', 'must be a memoryStore()', { received: l1 });
  }
  if (typeof l2 !== 'object' || l2 === null || l2.kind !== 'redis') {
    throw new ConfigurationError('l2', 'must be a redisStore()', { received: l2 });
  }
  const channel = options.channel ?? `${l2.prefix}invalidate`;
  if (typeof channel !== 'string' || channel === '') throw new ConfigurationError('channel', 'must be a non-empty string', { received: channel });
  checkClock(options.clock);
  /** Keep-alive timers: `ready()` is awaited (and bounded). */
  const scheduler = toScheduler(options.clock);

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
  /** The SUBSCRIBE was answered (ioredis resubscribes by itself after a reconnect). */
  let subscribedOnce = false;
  let subscribing = false;
  /** Settled once: `'subscribed'`, Redis' refusal of SUBSCRIBE (not an outage), or `'degraded'` on close. */
  let settle!: (outcome: TieredReadiness | CacheStoreError) => void;
  const outcome = new Promise<TieredReadiness | CacheStoreError>((resolve) => (settle = resolve));
  subscriber.on('error', () => {
    // Connection problems surface through L2 operations; the subscriber just reconnects.
  });
  // Subscribe once the connection is ready: with `enableOfflineQueue: false` (the recommended
  // client options) a command sent while connecting is refused. A SUBSCRIBE lost to an outage
  // is retried on the next `ready`.
  const subscribe = () => {
    if (closed || subscribedOnce || subscribing) return;
    subscribing = true;
    subscriber.subscribe(channel).then(
      () => {
        subscribing = false;
        subscribedOnce = true;
        // Entries copied into L1 before now had no invalidation feed: drop them.
        void l1.clear('');
        settle('subscribed');
      },
      (error: unknown) => {
        subscribing = false;
        // an outage: retried on the next ready
        if (!closed && !isRedisOutage(error)) settle(new CacheStoreError('subscribe', `Redis refused SUBSCRIBE ${channel}: ${String((error as Error)?.message)}`, { cause: error }));
      },
    );
  };
  subscriber.on('ready', () => {
    readyCount++;
    // After a reconnect we may have missed invalidations: drop every local copy.
    if (readyCount > 1) void l1.clear('');
    subscribe();
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
  if (subscriber.status === 'ready') subscribe();

  const ready = async (readyOptions?: TieredReadyOptions): Promise<TieredReadiness> => {
    checkOptions('tieredStore.ready', readyOptions, ['timeoutMs']);
    checkMs('timeoutMs', readyOptions?.timeoutMs, { allowInfinity: true });
    const timeoutMs = readyOptions?.timeoutMs ?? l2.guard.timeoutMs;
    let timer: unknown;
    const result = await Promise.race([
      outcome,
      new Promise<TieredReadiness>((resolve) => {
        if (timeoutMs !== Infinity) timer = scheduler.setTimeout(() => resolve('degraded'), timeoutMs);
      }),
    ]);
    if (timer !== undefined) scheduler.clearTimeout(timer);
    if (result instanceof CacheStoreError) throw result;
    return result;
  };

  const publish = (message: Omit<Message, 'o'>) => l2.publish(channel, JSON.stringify({ o: instanceId, ...message }));

  return {
    kind: 'tiered',
    l1,
    l2,
    instanceId,
    local: false,
    ready,
    get subscribed() {
      return subscribedOnce && !closed && (subscriber.status === undefined || subscriber.status === 'ready');
    },
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
      settle('degraded'); // pending ready() calls resolve
      // disconnect, not quit: a QUIT to a hung Redis would never be answered
      subscriber.disconnect();
    },
  };
}
