import type { Registry } from './registry.js';
import type { BreakerStats, CacheStats, ErrorGroup, RateLimitStats, SlowOperation } from './snapshot.js';

/** One finished HTTP request, as recorded by the request instrumentation. */
export interface RequestRecord {
  method: string;
  /** Route template, never a raw URL. */
  route: string;
  status: number;
  durationMs: number;
  /** When it finished (epoch ms). */
  at: number;
  /** Whether it counts as an error (5xx or threw). */
  error: boolean;
}

/** Sources of component statistics for the snapshot. */
export interface StatsSources {
  caches: Set<() => CacheStats>;
  rateLimits: Set<() => RateLimitStats>;
  breakers: Set<() => BreakerStats>;
}

/**
 * Per-registry state that is not a metric: request listeners (the monitor), the slow-operation
 * log, error groups, in-flight requests and component stats sources.
 * @internal
 */
export interface Hub {
  requestListeners: Set<(r: RequestRecord) => void>;
  slowOps: SlowOperation[];
  slowOpsLimit: number;
  errorGroups: Map<string, ErrorGroup>;
  errorGroupsLimit: number;
  inFlight: number;
  sources: StatsSources;
}

const hubs = new WeakMap<Registry, Hub>();

/** @internal */
export function hubOf(registry: Registry): Hub {
  let hub = hubs.get(registry);
  if (!hub) {
    hub = {
      requestListeners: new Set(),
      slowOps: [],
      slowOpsLimit: 100,
      errorGroups: new Map(),
      errorGroupsLimit: 200,
      inFlight: 0,
      sources: { caches: new Set(), rateLimits: new Set(), breakers: new Set() },
    };
    hubs.set(registry, hub);
  }
  return hub;
}

/** @internal */
export function emitRequest(hub: Hub, record: RequestRecord): void {
  for (const l of hub.requestListeners) {
    try {
      l(record);
    } catch {
      // listeners never break request handling
    }
  }
}
