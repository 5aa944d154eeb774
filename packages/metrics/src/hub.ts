import { Emitter } from '@armor/core';
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
  /** `request` events (one per finished request), read by the monitor. */
  events: Emitter<{ request: RequestRecord }>;
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
      events: new Emitter<{ request: RequestRecord }>({ component: 'metrics registry' }),
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
