import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { freePort, waitForPort } from '@armor/test-utils';
import { createRegistry, exponentialBuckets, instrumentCache, recordError, trackOperation } from './index.js';
import { metricsEndpoint, metricsMiddleware } from './express.js';
import { collectProcessMetrics } from './node.js';

const PROMTOOL = '/usr/bin/promtool';
const PROMETHEUS = '/usr/bin/prometheus';

function richRegistry() {
  const registry = createRegistry({ prefix: 'armor_', defaultLabels: { service: 'test "svc"' } });
  const c = registry.counter({ name: 'jobs', help: 'Jobs processed, with "quotes" and \\ backslash', labelNames: ['queue', 'outcome'] as const });
  c.inc({ queue: 'emails', outcome: 'ok' }, 3);
  c.labels({ queue: 'line\nbreak', outcome: 'fail' }).inc();
  registry.gauge({ name: 'temperature_celsius', help: 'Temperature' }).set(-3.5);
  const h = registry.histogram({ name: 'job_duration_seconds', help: 'Job duration', labelNames: ['queue'] as const, buckets: exponentialBuckets(0.01, 3, 5) });
  for (const v of [0.001, 0.05, 0.2, 9, 100]) h.observe({ queue: 'emails' }, v);
  const s = registry.summary({ name: 'payload_bytes', help: 'Payload size' });
  for (let i = 0; i < 50; i++) s.observe(i * 10);
  registry.summary({ name: 'never_observed_bytes', help: 'Never observed', labelNames: ['x'] as const }).observe({ x: 'y' }, Number.NaN);
  collectProcessMetrics(registry);
  recordError(new Error('boom'), { registry });
  void trackOperation('noop', () => 1, { registry });
  const listeners = new Map<string, (p: unknown) => void>();
  instrumentCache({ on: (e: string, l: (p: never) => void) => (listeners.set(e, l as (p: unknown) => void), () => {}), stats: () => ({ name: 'users', hits: 1, misses: 1, size: 3 }) }, { registry });
  listeners.get('hit')?.({ key: 'a' });
  return registry;
}

describe('real Prometheus tooling', () => {
  it('promtool check metrics accepts the Prometheus text output (every metric type, escaping, process metrics)', () => {
    expect(existsSync(PROMTOOL), 'the Debian prometheus package provides /usr/bin/promtool').toBe(true);
    const text = richRegistry().metrics();
    const result = spawnSync(PROMTOOL, ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
    // The check can fail: a counter without _total and without HELP is rejected.
    const bad = spawnSync(PROMTOOL, ['check', 'metrics'], { input: '# TYPE bad counter\nbad 1\n', encoding: 'utf8' });
    expect(bad.status).not.toBe(0);
  });

  it('a real Prometheus server scrapes an Express app using the middleware: up == 1 and our series are queryable', async () => {
    expect(existsSync(PROMETHEUS), 'the Debian prometheus package provides /usr/bin/prometheus').toBe(true);
    const registry = createRegistry();
    const app = express();
    app.use(metricsMiddleware({ registry }));
    app.get('/metrics', metricsEndpoint(registry));
    app.get('/hello/:name', (req, res) => res.send(`hi ${req.params.name}`));
    const server = await new Promise<Server>((r) => {
      const s = app.listen(0, '127.0.0.1', () => r(s));
    });
    const a = server.address();
    const appPort = typeof a === 'object' && a ? a.port : 0;
    await fetch(`http://127.0.0.1:${appPort}/hello/world`);

    const dir = mkdtempSync(join(tmpdir(), 'armor-prom-'));
    const promPort = await freePort();
    writeFileSync(
      join(dir, 'prometheus.yml'),
      `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: armor\n    static_configs:\n      - targets: ['127.0.0.1:${appPort}']\n`,
    );
    const prom = spawn(PROMETHEUS, [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${promPort}`,
      '--log.level=warn',
    ], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    prom.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    try {
      await waitForPort(promPort, 20_000);
      // The port opens before Prometheus is ready (it answers 503 meanwhile).
      const readyBy = Date.now() + 20_000;
      while ((await fetch(`http://127.0.0.1:${promPort}/-/ready`)).status !== 200 && Date.now() < readyBy) await new Promise((r) => setTimeout(r, 200));
      const query = async (q: string) => {
        const res = await fetch(`http://127.0.0.1:${promPort}/api/v1/query?query=${encodeURIComponent(q)}`);
        if (!res.ok) return { status: 'error', data: { result: [] } };
        return (await res.json()) as { status: string; data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> } };
      };
      let up: string | undefined;
      let series: Array<{ metric: Record<string, string> }> = [];
      const deadline = Date.now() + 25_000;
      while (Date.now() < deadline) {
        const r = await query('up{job="armor"}');
        up = r.data.result[0]?.value[1];
        series = (await query('http_requests_total{job="armor"}')).data.result;
        if (up === '1' && series.length > 0) break;
        await new Promise((res) => setTimeout(res, 500));
      }
      expect(up, stderr).toBe('1');
      expect(series.map((s) => s.metric.route)).toContain('/hello/:name');
      const targets = (await (await fetch(`http://127.0.0.1:${promPort}/api/v1/targets`)).json()) as { data: { activeTargets: Array<{ health: string; lastError: string }> } };
      expect(targets.data.activeTargets[0]).toMatchObject({ health: 'up', lastError: '' });
    } finally {
      prom.kill('SIGTERM');
      await new Promise((r) => prom.once('exit', r));
      await new Promise<void>((r) => server.close(() => r()));
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
