/**
 * A real Prometheus server (Debian `/usr/bin/prometheus`) on a loopback port scrapes the real
 * example app's `/metrics`, which requires the admin API key (DEMO is off): with the key as
 * `authorization.credentials` the target is up and the app's series are queryable over the
 * Prometheus HTTP API; without a key (401) or with a tenant key (403) the target is down.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, waitForPort } from '@armor/test-utils';
import { call, start, type Running } from './harness.js';

const PROMETHEUS = '/usr/bin/prometheus';
const ADMIN = 'admin-key-for-prometheus-0123456789abcdef';

interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}
interface Target {
  labels: Record<string, string>;
  health: string;
  lastError: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a real Prometheus server scrapes the example app', () => {
  let r: Running;
  let prom: ChildProcessWithoutNullStreams | undefined;
  let promBase = '';
  let stderr = '';
  let dir = '';

  beforeAll(async () => {
    expect(existsSync(PROMETHEUS), 'the Debian prometheus package provides /usr/bin/prometheus').toBe(true);
    r = await start('pglite', { env: { ADMIN_API_KEY: ADMIN } });
    expect(r.config.demo).toBe(false);
    expect(r.config.adminApiKey).toBe(ADMIN);
    const target = r.base.replace(/^http:\/\//, '');
    dir = mkdtempSync(join(tmpdir(), 'armor-express-prom-'));
    const promPort = await freePort();
    promBase = `http://127.0.0.1:${promPort}`;
    // Three jobs against the same /metrics: the admin key, no key, and a tenant key without `admin`.
    const job = (name: string, credentials?: string) =>
      [
        `  - job_name: ${name}`,
        '    metrics_path: /metrics',
        ...(credentials ? ['    authorization:', '      type: Bearer', `      credentials: ${JSON.stringify(credentials)}`] : []),
        '    static_configs:',
        `      - targets: ['${target}']`,
      ].join('\n');
    writeFileSync(
      join(dir, 'prometheus.yml'),
      ['global:', '  scrape_interval: 1s', '  scrape_timeout: 1s', '  evaluation_interval: 1s', 'scrape_configs:', job('armor', ADMIN), job('anonymous'), job('tenant', r.key), ''].join('\n'),
    );
    prom = spawn(
      PROMETHEUS,
      [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${promPort}`, '--log.level=warn'],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    ) as unknown as ChildProcessWithoutNullStreams;
    prom.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    await waitForPort(promPort, 20_000);
    // The port opens before Prometheus is ready (it answers 503 meanwhile).
    const readyBy = Date.now() + 20_000;
    while (Date.now() < readyBy) {
      const status = await fetch(`${promBase}/-/ready`).then((res) => res.status, () => 0);
      if (status === 200) break;
      await sleep(200);
    }
  });

  afterAll(async () => {
    if (prom && prom.exitCode === null && prom.signalCode === null) {
      const exited = new Promise((res) => prom!.once('exit', res));
      prom.kill('SIGTERM');
      await Promise.race([exited, sleep(10_000)]);
      if (prom.exitCode === null && prom.signalCode === null) prom.kill('SIGKILL');
    }
    await r?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const query = async (q: string): Promise<Sample[]> => {
    const res = await fetch(`${promBase}/api/v1/query?query=${encodeURIComponent(q)}`);
    // Throws on any HTTP or API error, so an empty result always means "no series".
    if (!res.ok) throw new Error(`Prometheus query ${q} failed: HTTP ${res.status} ${await res.text()}`);
    const body = (await res.json()) as { status: string; error?: string; data: { result: Sample[] } };
    if (body.status !== 'success') throw new Error(`Prometheus query ${q} failed: ${body.status} ${body.error ?? ''}`);
    return body.data.result;
  };
  const targets = async (): Promise<Target[]> => {
    const res = await fetch(`${promBase}/api/v1/targets?state=active`);
    return ((await res.json()) as { data: { activeTargets: Target[] } }).data.activeTargets;
  };
  /** Polls `up{job=...}` until it equals `want` (or the deadline passes); returns the last value. */
  const waitForUp = async (job: string, want: string, timeoutMs = 30_000) => {
    let up: string | undefined;
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      up = (await query(`up{job="${job}"}`))[0]?.value[1];
      if (up === want) break;
      await sleep(250);
    }
    return up;
  };

  it('with the admin key as authorization credentials: up == 1 and the app series are queryable', async () => {
    // Some API traffic so http_requests_total has a route-templated series.
    const project = await call(r.base, 'POST', '/api/v1/projects', { key: r.key, body: { name: 'scraped' } });
    expect(project.status).toBe(201);
    expect((await call(r.base, 'GET', `/api/v1/projects/${project.json.id}`, { key: r.key })).status).toBe(200);

    expect(await waitForUp('armor', '1'), stderr).toBe('1');
    const target = (await targets()).find((t) => t.labels.job === 'armor');
    expect(target).toMatchObject({ health: 'up', lastError: '' });

    let series: Sample[] = [];
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      series = await query('http_requests_total{job="armor", route="/api/v1/projects/:projectId"}');
      if (series.length > 0) break;
      await sleep(250);
    }
    expect(series.length, stderr).toBeGreaterThan(0);
    expect(series[0]!.metric).toMatchObject({ job: 'armor', method: 'GET', route: '/api/v1/projects/:projectId' });
    expect(Number(series[0]!.value[1])).toBeGreaterThanOrEqual(1);
    // Route templates only: no raw ids in any label value Prometheus stored.
    const all = await query('http_requests_total{job="armor"}');
    expect(JSON.stringify(all)).not.toContain(project.json.id);
    // Process metrics from the same endpoint made it too.
    expect((await query('process_resident_memory_bytes{job="armor"}')).length).toBe(1);
  });

  it('without a key the scrape gets 401 (up == 0); with a tenant key 403 (up == 0)', async () => {
    expect((await call(r.base, 'GET', '/metrics')).status).toBe(401);
    expect((await call(r.base, 'GET', '/metrics', { key: r.key })).status).toBe(403);

    expect(await waitForUp('anonymous', '0'), stderr).toBe('0');
    expect(await waitForUp('tenant', '0'), stderr).toBe('0');
    let down: Target[] = [];
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      down = (await targets()).filter((t) => t.labels.job !== 'armor');
      if (down.length === 2 && down.every((t) => t.lastError !== '')) break;
      await sleep(250);
    }
    const anonymous = down.find((t) => t.labels.job === 'anonymous');
    const tenant = down.find((t) => t.labels.job === 'tenant');
    expect(anonymous).toMatchObject({ health: 'down' });
    expect(anonymous!.lastError).toMatch(/401/);
    expect(tenant).toMatchObject({ health: 'down' });
    expect(tenant!.lastError).toMatch(/403/);
    // No series from the refused scrapes other than Prometheus's own synthetic ones.
    expect(await query('http_requests_total{job="anonymous"}')).toEqual([]);
  });
});
