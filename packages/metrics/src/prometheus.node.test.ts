import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { freePort, waitForPort } from '@armor/test-utils';
import { createRegistry, exponentialBuckets, recordError, trackOperation, type Registry } from './index.js';
import { instrumentCache } from './bridges-entry.js';
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

  it('issue 17 item 5: a registry fed hostile values stays scrapeable — promtool passes on both formats, a real Prometheus keeps both targets up', async () => {
    const registry = hostileRegistry();
    // Prometheus text 0.0.4: promtool's linter.
    const lint = spawnSync(PROMTOOL, ['check', 'metrics'], { input: registry.metrics('prometheus'), encoding: 'utf8' });
    expect(lint.stdout + lint.stderr).toBe('');
    expect(lint.status).toBe(0);
    // OpenMetrics: `promtool check metrics` (2.42) only parses 0.0.4 (it refuses OpenMetrics' `\"`
    // in HELP and its counter families), so the OpenMetrics text goes through promtool's
    // OpenMetrics parser instead (`tsdb create-blocks-from openmetrics`, which needs a timestamp
    // per sample, so one is appended); it rejects a bad value, escape or a missing `# EOF`.
    const om = registry.metrics('openmetrics');
    const stamped = om.split('\n').map((l) => (l === '' || l.startsWith('#') ? l : `${l} 1700000000`)).join('\n');
    const omDir = mkdtempSync(join(tmpdir(), 'armor-om-'));
    try {
      writeFileSync(join(omDir, 'in.om'), stamped);
      const parsed = spawnSync(PROMTOOL, ['tsdb', 'create-blocks-from', 'openmetrics', join(omDir, 'in.om'), join(omDir, 'out')], { encoding: 'utf8' });
      expect(parsed.stderr, 'promtool OpenMetrics parser').toBe('');
      expect(parsed.status).toBe(0);
      expect(stamped).toContain('hostile_seconds_count 1 ');
      writeFileSync(join(omDir, 'bad.om'), stamped.replace('hostile_seconds_count 1 ', 'hostile_seconds_count undefined '));
      expect(spawnSync(PROMTOOL, ['tsdb', 'create-blocks-from', 'openmetrics', join(omDir, 'bad.om'), join(omDir, 'out2')]).status, 'the parser can fail').not.toBe(0);
    } finally {
      rmSync(omDir, { recursive: true, force: true });
    }
    const app = express();
    app.get('/metrics', metricsEndpoint(registry)); // negotiated: Prometheus asks for OpenMetrics
    app.get('/metrics-text', (_req, res) => void res.type('text/plain; version=0.0.4').send(registry.metrics('prometheus')));
    const server = await new Promise<Server>((r) => {
      const s = app.listen(0, '127.0.0.1', () => r(s));
    });
    const a = server.address();
    const appPort = typeof a === 'object' && a ? a.port : 0;
    const dir = mkdtempSync(join(tmpdir(), 'armor-prom-hostile-'));
    const promPort = await freePort();
    writeFileSync(
      join(dir, 'prometheus.yml'),
      `global:\n  scrape_interval: 1s\nscrape_configs:\n` +
        `  - job_name: negotiated\n    static_configs:\n      - targets: ['127.0.0.1:${appPort}']\n` +
        `  - job_name: text\n    metrics_path: /metrics-text\n    static_configs:\n      - targets: ['127.0.0.1:${appPort}']\n`,
    );
    const prom = spawn(PROMETHEUS, [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${promPort}`, '--log.level=warn'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    prom.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    try {
      await waitForPort(promPort, 20_000);
      type Target = { labels: { job: string }; health: string; lastError: string };
      let targets: Target[] = [];
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline) {
        const res = await fetch(`http://127.0.0.1:${promPort}/api/v1/targets`).catch(() => undefined);
        if (res?.ok) targets = ((await res.json()) as { data: { activeTargets: Target[] } }).data.activeTargets;
        if (targets.length === 2 && targets.every((t) => t.health !== 'unknown')) break;
        await new Promise((r) => setTimeout(r, 300));
      }
      expect(targets.map((t) => [t.labels.job, t.health, t.lastError]).sort(), stderr).toEqual([
        ['negotiated', 'up', ''],
        ['text', 'up', ''],
      ]);
      // the hostile label values arrived intact
      const q = await (await fetch(`http://127.0.0.1:${promPort}/api/v1/query?query=${encodeURIComponent('hostile_events_total')}`)).json() as { data: { result: Array<{ metric: Record<string, string> }> } };
      expect(q.data.result.map((r) => r.metric.what)).toContain('quote " backslash \\ newline \n end');
    } finally {
      prom.kill('SIGTERM');
      await new Promise((r) => prom.once('exit', r));
      await new Promise<void>((r) => server.close(() => r()));
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

/** A registry after an application fed it every bad value it could (each refused at the call site). */
function hostileRegistry(): Registry {
  const registry = createRegistry();
  const attempt = (fn: () => void) => {
    try {
      fn();
    } catch {
      // refused at the call site, as prom-client does
    }
  };
  const events = registry.counter({ name: 'hostile_events', help: 'Help with\nnewline, \\ backslash and "quotes"', labelNames: ['what'] as const });
  const gauge = registry.gauge({ name: 'hostile_level', help: 'g', labelNames: ['k'] as const });
  const plain = registry.gauge({ name: 'hostile_plain_value', help: 'g' });
  const histogram = registry.histogram({ name: 'hostile_seconds', help: 'h', buckets: [0.1, 1, 5] });
  const summary = registry.summary({ name: 'hostile_payload_bytes', help: 's' });
  registry.counter({ name: 'hostile_untouched', help: 'never incremented' });
  events.inc({ what: 'quote " backslash \\ newline \n end' });
  events.inc({ what: 'ünïcödé ✓ 🚀' });
  events.inc({ what: '' });
  attempt(() => events.inc({ what: 'string' }, '5' as never));
  attempt(() => events.inc({ what: 'negative' }, -1));
  attempt(() => gauge.set({ k: 'undef' }, undefined as never));
  attempt(() => plain.set(undefined as never));
  attempt(() => plain.inc('1' as never));
  gauge.set({ k: 'nan' }, Number.NaN);
  gauge.set({ k: 'inf' }, Number.POSITIVE_INFINITY);
  gauge.set({ k: '-inf' }, Number.NEGATIVE_INFINITY);
  gauge.set({ k: 'huge' }, Number.MAX_VALUE);
  gauge.set({ k: 'tiny' }, Number.MIN_VALUE);
  attempt(() => histogram.observe('0.3' as never));
  attempt(() => histogram.observe(null as never));
  histogram.observe(Number.NaN);
  histogram.observe(0.3);
  attempt(() => summary.observe({} as never));
  summary.observe(2);
  attempt(() => registry.gauge({ name: 'hostile_seconds_count', help: 'collides' }));
  attempt(() => registry.gauge({ name: 'hostile_events', help: 'collides with the counter family' }));
  attempt(() => registry.histogram({ name: 'hostile_plain_value', help: 'same name, other type' }));
  recordError(Object.defineProperty(new Error('x'), 'message', { get: () => { throw new Error('no'); } }), { registry });
  return registry;
}
