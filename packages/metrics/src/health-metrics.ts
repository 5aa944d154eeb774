/**
 * `instrumentHealth`: the health verdict as metrics, so Prometheus (and the shipped
 * `ArmorReadinessFailing` alert, and the fleet dashboard) see readiness per instance.
 *
 * @module
 */
import { checkOptions } from '@armor/core';
import { ConfigurationError } from '@armor/errors';
import type { HealthLike } from './monitor.js';
import type { Registry } from './registry.js';

/** Options of {@link instrumentHealth}. */
export interface InstrumentHealthOptions {
  /** The registry to register `health_ready` and `health_check_passing` on. */
  registry: Registry;
}

/**
 * Registers `health_ready` (1 while the health report's status is `pass` or `warn`, 0 on
 * `fail`) and `health_check_passing{check}` (1 for a passing or warning check, 0 for a failing
 * one). A scrape never waits for the checks: each scrape starts one background `report()` (at
 * most one at a time; `@armor/health` caches results for `cacheMs`) and the gauges show the
 * latest finished report. Returns a function that stops updating them.
 *
 * @example
 * ```ts no-run
 * instrumentHealth(health, { registry });
 * ```
 */
export function instrumentHealth(health: HealthLike, options: InstrumentHealthOptions): () => void {
  checkOptions('instrumentHealth', options, ['registry']);
  if (typeof (health as Partial<HealthLike> | null)?.report !== 'function') {
    throw new ConfigurationError('health', 'must be a health instance from createHealth() (with report())', { received: health });
  }
  if (typeof options?.registry?.gauge !== 'function') throw new ConfigurationError('registry', 'must be a registry from createRegistry()', { received: options?.registry });
  const ready = options.registry.gauge({ name: 'health_ready', help: 'Readiness verdict of the health checks (1 ready, 0 not)' });
  const passing = options.registry.gauge({ name: 'health_check_passing', help: 'Health check result (1 pass or warn, 0 fail)', labelNames: ['check'] as const });
  let running = false;
  let stopped = false;
  const refresh = () => {
    if (running || stopped) return;
    running = true;
    let pending: Promise<Awaited<ReturnType<HealthLike['report']>>>;
    try {
      pending = Promise.resolve(health.report());
    } catch (error) {
      pending = Promise.reject(error);
    }
    pending
      .then(
        (report) => {
          if (stopped) return;
          ready.set(report.status === 'fail' ? 0 : 1);
          for (const check of report.checks) {
            if (typeof check?.name === 'string') passing.set({ check: check.name }, check.status === 'fail' ? 0 : 1);
          }
        },
        () => {
          if (!stopped) ready.set(0); // a report that throws is not ready
        },
      )
      .finally(() => {
        running = false;
      });
  };
  refresh();
  const removeCollector = options.registry.addCollector(refresh);
  return () => {
    stopped = true;
    removeCollector();
  };
}
