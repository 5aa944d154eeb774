import { ConfigurationError } from '@armor/errors';
import { describe, expect, it } from 'vitest';
import { instrumentHealth } from './health-metrics.js';
import { createRegistry } from './registry.js';

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('instrumentHealth', () => {
  it('exports the readiness verdict and each check, refreshed in the background by scrapes', async () => {
    const registry = createRegistry();
    let status: 'pass' | 'warn' | 'fail' = 'pass';
    let reports = 0;
    const health = {
      report: async () => {
        reports++;
        return { status, checks: [{ name: 'db', status: status === 'fail' ? ('fail' as const) : ('pass' as const) }, { name: 'cache', status: 'warn' as const }] };
      },
    };
    const stop = instrumentHealth(health, { registry });
    await tick();
    expect(registry.metrics()).toContain('health_ready 1');
    expect(registry.metrics()).toMatch(/health_check_passing\{check="db"\} 1/);
    await tick(); // the refresh those scrapes started settles
    status = 'fail';
    registry.metrics(); // this scrape starts a refresh; the next one shows it
    await tick();
    const text = registry.metrics();
    expect(text).toContain('health_ready 0');
    expect(text).toMatch(/health_check_passing\{check="db"\} 0/);
    expect(text).toMatch(/health_check_passing\{check="cache"\} 1/);
    stop();
    const before = reports;
    registry.metrics();
    await tick();
    expect(reports).toBe(before);
  });

  it('a report that throws reads as not ready; the scrape never throws', async () => {
    const registry = createRegistry();
    instrumentHealth({ report: () => Promise.reject(new Error('boom')) }, { registry });
    await tick();
    expect(() => registry.metrics()).not.toThrow();
    expect(registry.metrics()).toContain('health_ready 0');
  });

  it('refuses what is not a health instance', () => {
    expect(() => instrumentHealth({} as never, { registry: createRegistry() })).toThrow(ConfigurationError);
    expect(() => instrumentHealth({ report: async () => ({ status: 'pass', checks: [] }) }, { registry: createRegistry(), regsitry: 1 } as never)).toThrow(/did you mean "registry"/);
  });
});
