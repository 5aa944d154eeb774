/**
 * `@armor/metrics/node`: the Node process collector (CPU, memory, event-loop delay, GC, active resources),
 * sampled at scrape time plus a `perf_hooks` event-loop-delay histogram and a GC observer.
 *
 * @module
 */
import { monitorEventLoopDelay, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { checkBoolean, checkInt, checkOptions } from '@armor/core';
import { ConfigurationError } from '@armor/errors';
import type { Registry } from './registry.js';

/** Options of {@link collectProcessMetrics}. */
export interface ProcessMetricsOptions {
  /** Event-loop delay sampling resolution (ms). @default 20 */
  eventLoopResolutionMs?: number;
  /** Observe GC pauses (`nodejs_gc_duration_seconds{kind}`). @default true */
  gc?: boolean;
}

const GC_KINDS: Record<number, string> = { 1: 'minor', 2: 'major', 4: 'incremental', 8: 'weakcb' };

/**
 * Registers process metrics on `registry`:
 *
 * - `process_cpu_user_seconds_total`, `process_cpu_system_seconds_total` (counters; CPU time used
 *   since the process started, as in the Prometheus client libraries' process collectors);
 * - `process_resident_memory_bytes`, `process_start_time_seconds`;
 * - `nodejs_heap_size_total_bytes`, `nodejs_heap_size_used_bytes`, `nodejs_external_memory_bytes`;
 * - `nodejs_eventloop_delay_p50_seconds`, `nodejs_eventloop_delay_p99_seconds`,
 *   `nodejs_eventloop_delay_max_seconds` (gauges over the samples since the previous scrape,
 *   from a native `monitorEventLoopDelay` histogram; absent until the first sample);
 * - `nodejs_active_resources` (libuv handles and requests keeping the loop alive, from
 *   `process.getActiveResourcesInfo()`);
 * - `nodejs_gc_duration_seconds{kind}` (histogram of GC pauses, unless `gc: false`);
 * - `nodejs_version_info{version}`.
 *
 * Cheap: values are read when scraped. Returns a function that stops the collectors.
 *
 * @example
 * ```ts
 * const stop = collectProcessMetrics(registry);
 * ```
 */
export function collectProcessMetrics(registry: Registry, options: ProcessMetricsOptions = {}): () => void {
  if (typeof registry?.counter !== 'function') throw new ConfigurationError('registry', 'must be a registry from createRegistry()', { received: registry });
  checkOptions('collectProcessMetrics', options, ['eventLoopResolutionMs', 'gc']);
  checkBoolean('gc', options.gc);
  const resolution = options.eventLoopResolutionMs ?? 20;
  checkInt('eventLoopResolutionMs', resolution, 1);

  const cpuUser = registry.counter({ name: 'process_cpu_user_seconds_total', help: 'User CPU time spent in seconds' }).labels({} as never);
  const cpuSystem = registry.counter({ name: 'process_cpu_system_seconds_total', help: 'System CPU time spent in seconds' }).labels({} as never);
  const rss = registry.gauge({ name: 'process_resident_memory_bytes', help: 'Resident memory size in bytes' });
  const start = registry.gauge({ name: 'process_start_time_seconds', help: 'Start time of the process since unix epoch in seconds' });
  const heapTotal = registry.gauge({ name: 'nodejs_heap_size_total_bytes', help: 'V8 heap size in bytes' });
  const heapUsed = registry.gauge({ name: 'nodejs_heap_size_used_bytes', help: 'V8 heap used in bytes' });
  const external = registry.gauge({ name: 'nodejs_external_memory_bytes', help: 'Memory of C++ objects bound to JavaScript in bytes' });
  const lagP50 = registry.gauge({ name: 'nodejs_eventloop_delay_p50_seconds', help: 'Median event-loop delay since the last scrape in seconds' });
  const lagP99 = registry.gauge({ name: 'nodejs_eventloop_delay_p99_seconds', help: '99th percentile event-loop delay since the last scrape in seconds' });
  const lagMax = registry.gauge({ name: 'nodejs_eventloop_delay_max_seconds', help: 'Maximum event-loop delay since the last scrape in seconds' });
  const handles = registry.gauge({ name: 'nodejs_active_resources', help: 'Active libuv resources (handles and requests)' });
  const versionInfo = registry.gauge({ name: 'nodejs_version_info', help: 'Node.js version', labelNames: ['version'] as const });
  versionInfo.set({ version: process.version }, 1);
  start.set(Math.round((Date.now() - process.uptime() * 1000) / 1000));

  const histogram = monitorEventLoopDelay({ resolution });
  histogram.enable();

  const remove = registry.addCollector(() => {
    // Catch the counters up to the process total rather than adding a delta per collector, so a
    // second collectProcessMetrics() on the same registry (hot reload) cannot count CPU twice.
    const cpu = process.cpuUsage();
    cpuUser.inc(Math.max(0, cpu.user / 1e6 - cpuUser.get()));
    cpuSystem.inc(Math.max(0, cpu.system / 1e6 - cpuSystem.get()));
    const mem = process.memoryUsage();
    rss.set(mem.rss);
    heapTotal.set(mem.heapTotal);
    heapUsed.set(mem.heapUsed);
    external.set(mem.external);
    if (histogram.count > 0) {
      lagP50.set(histogram.percentile(50) / 1e9);
      lagP99.set(histogram.percentile(99) / 1e9);
      lagMax.set(histogram.max / 1e9);
    }
    histogram.reset();
    const getActive = (process as { getActiveResourcesInfo?: () => string[] }).getActiveResourcesInfo;
    if (getActive) handles.set(getActive.call(process).length);
  });

  let observer: PerformanceObserver | undefined;
  if (options.gc !== false) {
    const gc = registry.histogram({
      name: 'nodejs_gc_duration_seconds',
      help: 'Garbage collection pauses in seconds, by kind',
      labelNames: ['kind'] as const,
      buckets: [0.001, 0.01, 0.1, 1, 2, 5],
    });
    observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries() as Array<PerformanceEntry & { detail?: { kind?: number } }>) {
        gc.observe({ kind: GC_KINDS[entry.detail?.kind ?? 0] ?? 'unknown' }, entry.duration / 1000);
      }
    });
    observer.observe({ entryTypes: ['gc'] });
  }

  return () => {
    remove();
    histogram.disable();
    observer?.disconnect();
  };
}
