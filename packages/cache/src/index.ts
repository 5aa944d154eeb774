/**
 * `@armor/cache`: a TTL cache over pluggable stores (memory on lru-cache, Redis, tiered
 * memory+Redis with pub/sub invalidation), with stampede protection, stale-while-revalidate,
 * tags, fail-open behaviour on store outages, events and stats; `memoize` for async
 * functions; and batch loaders on dataloader. Runs in Node, Convex and edge runtimes.
 *
 * @module
 */
export {
  createCache,
  type Cache,
  type CacheOptions,
  type CacheSetOptions,
  type CacheGetOrSetOptions,
  type CacheSetManyEntry,
  type CacheStats,
  type CacheLockOptions,
  type CacheLoader,
  type LoaderContext,
} from './cache.js';
export { memoize, type MemoizeOptions, type Memoized } from './memoize.js';
export {
  createLoader,
  loaderScope,
  type Loader,
  type LoaderOptions,
  type LoaderFactories,
  type LoaderScope,
  type ScopedLoaders,
} from './loader.js';
export { memoryStore, estimateSize, type MemoryStore, type MemoryStoreOptions } from './stores/memory.js';
export { redisStore, type RedisStore, type RedisStoreOptions, type CacheRedisClient, type CacheRedisSubscriber } from './stores/redis.js';
export { tieredStore, type TieredStore, type TieredStoreOptions, type TieredReadiness, type TieredReadyOptions } from './stores/tiered.js';
export { jsonSerializer, taggedJsonSerializer } from './serializer.js';
export { CacheStoreError, CacheSerializationError, CacheLoaderTimeoutError } from './errors.js';
export type { CacheEntry, CacheEvents, CacheStore, Clock, EvictReason, Serializer, StoreSetOptions } from './types.js';
