/**
 * `@armor/metrics/node`: the Node process collector (CPU, memory, event-loop delay, GC, active resources),
 * sampled at scrape time plus a `perf_hooks` event-loop-delay histogram and a GC observer.
 *
 * @module
 */
import { readdirSync, readFileSync } from 'node:fs';
import { monitorEventLoopDelay, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';
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
 * Names are prom-client's (`collectDefaultMetrics`), so stock Grafana Node.js dashboards work:
 *
 * - `process_cpu_user_seconds_total`, `process_cpu_system_seconds_total`,
 *   `process_cpu_seconds_total` (counters; CPU time used since the process started);
 * - `process_open_fds`, `process_max_fds` (Linux: from `/proc/self`; absent elsewhere);
 * - `process_resident_memory_bytes`, `process_start_time_seconds`;
 * - `nodejs_heap_size_total_bytes`, `nodejs_heap_size_used_bytes`, `nodejs_external_memory_bytes`;
 * - `nodejs_heap_space_size_total_bytes{space}`, `nodejs_heap_space_size_used_bytes{space}`,
 *   `nodejs_heap_space_size_available_bytes{space}` (per V8 heap space);
 * - `nodejs_eventloop_lag_min_seconds`, `_max_`, `_mean_`, `_stddev_`, `_p50_`, `_p90_`,
 *   `nodejs_eventloop_lag_p99_seconds` (gauges over the samples since the previous scrape, from a
 *   native `monitorEventLoopDelay` histogram; absent until the first sample);
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
  const cpuTotal = registry.counter({ name: 'process_cpu_seconds_total', help: 'Total user and system CPU time spent in seconds' }).labels({} as never);
  const maxFds = readMaxFds();
  const openFdsGauge = maxFds !== undefined ? registry.gauge({ name: 'process_open_fds', help: 'Number of open file descriptors' }) : undefined;
  if (maxFds !== undefined) registry.gauge({ name: 'process_max_fds', help: 'Maximum number of open file descriptors' }).set(maxFds);
  const spaceLabels = ['space'] as const;
  const spaceTotal = registry.gauge({ name: 'nodejs_heap_space_size_total_bytes', help: 'Process heap space size total from Node.js in bytes', labelNames: spaceLabels });
  const spaceUsed = registry.gauge({ name: 'nodejs_heap_space_size_used_bytes', help: 'Process heap space size used from Node.js in bytes', labelNames: spaceLabels });
  const spaceAvailable = registry.gauge({ name: 'nodejs_heap_space_size_available_bytes', help: 'Process heap space size available from Node.js in bytes', labelNames: spaceLabels });
  const rss = registry.gauge({ name: 'process_resident_memory_bytes', help: 'Resident memory size in bytes' });
  const start = registry.gauge({ name: 'process_start_time_seconds', help: 'Start time of the process since unix epoch in seconds' });
  const heapTotal = registry.gauge({ name: 'nodejs_heap_size_total_bytes', help: 'V8 heap size in bytes' });
  const heapUsed = registry.gauge({ name: 'nodejs_heap_size_used_bytes', help: 'V8 heap used in bytes' });
  const external = registry.gauge({ name: 'nodejs_external_memory_bytes', help: 'Memory of C++ objects bound to JavaScript in bytes' });
  const lag = {
    min: registry.gauge({ name: 'nodejs_eventloop_lag_min_seconds', help: 'The minimum recorded event loop delay.' }),
    max: registry.gauge({ name: 'nodejs_eventloop_lag_max_seconds', help: 'The maximum recorded event loop delay.' }),
    mean: registry.gauge({ name: 'nodejs_eventloop_lag_mean_seconds', help: 'The mean of the recorded event loop delays.' }),
    stddev: registry.gauge({ name: 'nodejs_eventloop_lag_stddev_seconds', help: 'The standard deviation of the recorded event loop delays.' }),
    p50: registry.gauge({ name: 'nodejs_eventloop_lag_p50_seconds', help: 'The 50th percentile of the recorded event loop delays.' }),
    p90: registry.gauge({ name: 'nodejs_eventloop_lag_p90_seconds', help: 'The 90th percentile of the recorded event loop delays.' }),
    p99: registry.gauge({ name: 'nodejs_eventloop_lag_p99_seconds', help: 'The 99th percentile of the recorded event loop delays.' }),
  };
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
    cpuTotal.inc(Math.max(0, (cpu.user + cpu.system) / 1e6 - cpuTotal.get()));
    if (openFdsGauge) {
      try {
        openFdsGauge.set(readdirSync('/proc/self/fd').length - 1); // minus the directory handle itself
      } catch {
        // /proc went away (sandbox): keep the last value
      }
    }
    for (const space of getHeapSpaceStatistics()) {
      const labels = { space: space.space_name.replace(/_space$/, '') };
      spaceTotal.set(labels, space.space_size);
      spaceUsed.set(labels, space.space_used_size);
      spaceAvailable.set(labels, space.space_available_size);
    }
    const mem = process.memoryUsage();
    rss.set(mem.rss);
    heapTotal.set(mem.heapTotal);
    heapUsed.set(mem.heapUsed);
    external.set(mem.external);
    if (histogram.count > 0) {
      lag.min.set(histogram.min / 1e9);
      lag.max.set(histogram.max / 1e9);
      lag.mean.set(histogram.mean / 1e9);
      lag.stddev.set(histogram.stddev / 1e9);
      lag.p50.set(histogram.percentile(50) / 1e9);
      lag.p90.set(histogram.percentile(90) / 1e9);
      lag.p99.set(histogram.percentile(99) / 1e9);
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

/** The soft limit of open files from `/proc/self/limits` (Linux), else `undefined`. */
function readMaxFds(): number | undefined {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
    const soft = line?.split(/\s{2,}/)[1];
    const n = soft === undefined ? Number.NaN : Number(soft);
    return Number.isFinite(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}
