import { afterEach, describe, expect, it } from 'vitest';
import { isArmorError } from '@armor/errors';
import { createRegistry, type Registry } from './index.js';
import { collectProcessMetrics } from './node.js';

/** The value of an unlabelled sample (or of the first sample whose line starts with `name{`). */
function sample(text: string, name: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

/** Blocks this thread for `ms` milliseconds of wall time. */
function busy(ms: number): number {
  const end = performance.now() + ms;
  let x = 0;
  while (performance.now() < end) x += Math.sqrt(x + 1);
  return x;
}

/** Burns at least `ms` milliseconds of process CPU time (on a shared machine wall time is not CPU time). */
function burnCpu(ms: number): void {
  const start = process.cpuUsage();
  const giveUp = performance.now() + 10_000;
  while (performance.now() < giveUp) {
    busy(5);
    const used = process.cpuUsage(start);
    if (used.user + used.system >= ms * 1000) return;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const stops: Array<() => void> = [];
afterEach(() => {
  for (const stop of stops.splice(0)) stop();
});
function collect(registry: Registry, options?: Parameters<typeof collectProcessMetrics>[1]) {
  const stop = collectProcessMetrics(registry, options);
  stops.push(stop);
  return stop;
}

describe('collectProcessMetrics', () => {
  it('reports plausible memory, start time, version and active resources', () => {
    const registry = createRegistry();
    collect(registry);
    const pending = setTimeout(() => {}, 60_000); // at least one active resource (a Timeout)
    try {
      const text = registry.metrics();
      const rss = sample(text, 'process_resident_memory_bytes')!;
      const heapUsed = sample(text, 'nodejs_heap_size_used_bytes')!;
      const heapTotal = sample(text, 'nodejs_heap_size_total_bytes')!;
      expect(rss).toBeGreaterThan(1024 * 1024);
      expect(heapUsed).toBeGreaterThan(0);
      expect(heapUsed).toBeLessThanOrEqual(heapTotal);
      expect(sample(text, 'nodejs_external_memory_bytes')).toBeGreaterThanOrEqual(0);
      const start = sample(text, 'process_start_time_seconds')!;
      const expected = Date.now() / 1000 - process.uptime();
      expect(Math.abs(start - expected)).toBeLessThanOrEqual(2);
      expect(text).toContain(`nodejs_version_info{version="${process.version}"} 1`);
      // the metric is nodejs_active_resources (handles and requests), as documented
      expect(sample(text, 'nodejs_active_resources')).toBeGreaterThanOrEqual(1);
      expect(text).not.toContain('nodejs_active_handles');
    } finally {
      clearTimeout(pending);
    }
  });

  it('CPU counters are the process total and grow with busy work (twice registered, still counted once)', () => {
    const registry = createRegistry();
    collect(registry);
    collect(registry); // hot reload: a second collector on the same registry
    const read = () => {
      const before = process.cpuUsage();
      const text = registry.metrics();
      const after = process.cpuUsage();
      const user = sample(text, 'process_cpu_user_seconds_total')!;
      const system = sample(text, 'process_cpu_system_seconds_total')!;
      expect(user).toBeGreaterThanOrEqual(before.user / 1e6 - 1e-6);
      expect(user).toBeLessThanOrEqual(after.user / 1e6 + 1e-6);
      expect(system).toBeGreaterThanOrEqual(before.system / 1e6 - 1e-6);
      expect(system).toBeLessThanOrEqual(after.system / 1e6 + 1e-6);
      return user + system;
    };
    const first = read();
    expect(first).toBeGreaterThan(0);
    burnCpu(150);
    const second = read();
    expect(second - first).toBeGreaterThanOrEqual(0.1);
  });

  it('event-loop delay gauges appear once sampled and see a blocked loop', async () => {
    const registry = createRegistry();
    collect(registry, { eventLoopResolutionMs: 10 });
    registry.metrics(); // resets the native histogram
    await sleep(60);
    busy(80); // blocks the loop: the next delay sample is ~80 ms late
    await sleep(40);
    const text = registry.metrics();
    const p50 = sample(text, 'nodejs_eventloop_lag_p50_seconds')!;
    const p90 = sample(text, 'nodejs_eventloop_lag_p90_seconds')!;
    const p99 = sample(text, 'nodejs_eventloop_lag_p99_seconds')!;
    const max = sample(text, 'nodejs_eventloop_lag_max_seconds')!;
    const min = sample(text, 'nodejs_eventloop_lag_min_seconds')!;
    const mean = sample(text, 'nodejs_eventloop_lag_mean_seconds')!;
    for (const v of [min, mean, p50, p90, p99, max, sample(text, 'nodejs_eventloop_lag_stddev_seconds')!]) expect(Number.isFinite(v) && v >= 0).toBe(true);
    expect(min).toBeLessThanOrEqual(p50);
    expect(p50).toBeLessThanOrEqual(p90);
    expect(p90).toBeLessThanOrEqual(p99);
    expect(mean).toBeLessThanOrEqual(max);
    expect(p50).toBeLessThanOrEqual(p99);
    expect(p99).toBeLessThanOrEqual(max);
    expect(max).toBeGreaterThanOrEqual(0.04);
    expect(max).toBeLessThan(10);
  });

  it('uses prom-client default metric names, so stock Grafana Node.js dashboards work (issue 17)', () => {
    const registry = createRegistry();
    collect(registry);
    const text = registry.metrics();
    const cpu = sample(text, 'process_cpu_seconds_total')!;
    expect(cpu).toBeGreaterThan(0);
    expect(cpu).toBeCloseTo(sample(text, 'process_cpu_user_seconds_total')! + sample(text, 'process_cpu_system_seconds_total')!, 2);
    const open = sample(text, 'process_open_fds')!;
    const max = sample(text, 'process_max_fds')!;
    expect(open).toBeGreaterThan(2);
    expect(max).toBeGreaterThanOrEqual(open);
    expect(text).toMatch(/^nodejs_heap_space_size_used_bytes\{space="old"\} \d+$/m);
    expect(text).toMatch(/^nodejs_heap_space_size_total_bytes\{space="new"\} \d+$/m);
    expect(text).toMatch(/^nodejs_heap_space_size_available_bytes\{space="code"\} \d+$/m);
    expect(text).toContain('# TYPE nodejs_gc_duration_seconds histogram');
  });

  it('gc: false registers no GC histogram; the default does', () => {
    const without = createRegistry();
    collect(without, { gc: false });
    expect(without.get('nodejs_gc_duration_seconds')).toBeUndefined();
    const withGc = createRegistry();
    collect(withGc);
    expect(withGc.get('nodejs_gc_duration_seconds')?.type).toBe('histogram');
  });

  it('the stop function removes the collector', () => {
    const registry = createRegistry();
    const stop = collect(registry);
    const before = sample(registry.metrics(), 'process_cpu_user_seconds_total')!;
    stop();
    burnCpu(20);
    expect(sample(registry.metrics(), 'process_cpu_user_seconds_total')).toBe(before);
  });

  it.each<[string, () => unknown]>([
    ['registry', () => collectProcessMetrics({} as never)],
    ['options', () => collectProcessMetrics(createRegistry(), null as never)],
    ['eventLoopResolutionMs', () => collectProcessMetrics(createRegistry(), { eventLoopResolutionMs: 0 })],
    ['eventLoopResolutionMs', () => collectProcessMetrics(createRegistry(), { eventLoopResolutionMs: 1.5 })],
    ['gc', () => collectProcessMetrics(createRegistry(), { gc: 'no' as never })],
  ])('bad option %s throws ConfigurationError', (option, fn) => {
    try {
      fn();
      expect.unreachable();
    } catch (error) {
      expect(isArmorError(error, 'CONFIGURATION_ERROR')).toBe(true);
      expect((error as { option: string }).option).toBe(option);
    }
  });
});
