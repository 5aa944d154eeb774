import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { expectReadmeRuns, freePort, startRedis, type RedisServer } from '@armor/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFleetMonitor, redisFleetStore, type FleetSnapshot } from '../src/index.js';

// node itself with tsx's loader (not the tsx CLI, which runs the script in a grandchild that a
// kill of the child would orphan)
const TSX_LOADER = new URL('../../../node_modules/tsx/dist/esm/index.mjs', import.meta.url).href;
const FIXTURE = fileURLToPath(new URL('./instance.fixture.ts', import.meta.url));
const PROMETHEUS = '/usr/bin/prometheus';

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}: ${String(last)}`);
}

/** The instance's own counter: sum of its http_requests_total lines. */
async function ownCount(port: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith('http_requests_total{'))
    .reduce((a, l) => a + Number(l.split(' ').pop()), 0);
}

describe('fleet snapshot: real Prometheus scraping two instances, real Redis', () => {
  let redis: RedisServer;
  let prometheus: ChildProcess;
  let promPort: number;
  let dir: string;
  const ports: number[] = [];
  const instances = new Map<number, ChildProcess>();

  const startInstance = async (port: number, release: string, hold = false) => {
    const child = spawn(process.execPath, ['--import', TSX_LOADER, '--conditions=@armor/source', FIXTURE], {
      env: { ...process.env, PORT: String(port), REDIS_URL: redis.url, RELEASE: release, HOLD_METRICS: hold ? '1' : '0' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    instances.set(port, child);
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
      child.once('exit', (code) => reject(new Error(`instance exited with ${code}`)));
    });
  };
  const stopInstance = async (port: number) => {
    const child = instances.get(port)!;
    await new Promise((r) => {
      child.once('exit', r);
      child.kill('SIGTERM');
    });
  };
  const hit = async (port: number, path: string, n: number) => {
    for (let i = 0; i < n; i++) await (await fetch(`http://127.0.0.1:${port}${path}`)).text();
  };

  beforeAll(async () => {
    redis = await startRedis();
    ports.push(await freePort(), await freePort());
    promPort = await freePort();
    dir = mkdtempSync(join(tmpdir(), 'armor-fleet-'));
    writeFileSync(
      join(dir, 'prometheus.yml'),
      `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: api\n    static_configs:\n      - targets: [${ports.map((p) => `'127.0.0.1:${p}'`).join(', ')}]\n`,
    );
    prometheus = spawn(PROMETHEUS, [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${promPort}`], { stdio: 'ignore' });
    await until('prometheus ready', async () => ((await fetch(`http://127.0.0.1:${promPort}/-/ready`)).ok ? true : undefined));
    await Promise.all(ports.map((p, i) => startInstance(p, `r${i + 1}`)));
  }, 60_000);

  afterAll(async () => {
    for (const child of instances.values()) child.kill('SIGKILL');
    prometheus?.kill('SIGKILL');
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('totals equal the sum of the instances\' own counters, error groups merge by fingerprint, and both survive restarting the instances', async () => {
    const [a, b] = ports as [number, number];
    await Promise.all([hit(a, '/ok', 30), hit(a, '/fail', 5), hit(a, '/slow', 2), hit(b, '/ok', 20), hit(b, '/fail', 3)]);
    const client = new Redis(redis.url);
    const fleet = createFleetMonitor({ prometheus: { url: `http://127.0.0.1:${promPort}` }, job: 'api', store: redisFleetStore({ client }) });

    const own = (await ownCount(a)) + (await ownCount(b));
    expect(own).toBe(60);
    const snap = await until('fleet totals to reach the instances\' counters', async () => {
      const s = await fleet.snapshot({ range: '15m' });
      return s.requests.totals.count === own && s.errors.groups[0]?.count === 8 ? s : undefined;
    });
    expect(snap.requests.totals.errors).toBe(8);
    expect(snap.requests.series.reduce((n, p) => n + p.count, 0)).toBe(60);
    expect(snap.requests.routes.find((r) => r.route === '/ok')).toMatchObject({ method: 'GET', count: 50, errors: 0 });
    expect(snap.requests.totals.p95Ms).not.toBeNull();
    expect(snap.fleet.instances.map((i) => [i.instance, i.up, i.ready, i.count])).toEqual([
      [`127.0.0.1:${Math.min(a, b)}`, true, true, a < b ? 37 : 23],
      [`127.0.0.1:${Math.max(a, b)}`, true, true, a < b ? 23 : 37],
    ]);
    expect(snap.health.status).toBe('pass');
    // one group for the same error on both instances, with a sighting per release/instance
    expect(snap.errors.groups).toHaveLength(1);
    const group = snap.errors.groups[0]!;
    expect(group).toMatchObject({ count: 8, message: expect.stringContaining('database is down') });
    expect(group.seen.map((s) => [s.instance, s.release, s.count]).sort()).toEqual(
      [
        [`127.0.0.1:${a}`, 'r1', 5],
        [`127.0.0.1:${b}`, 'r2', 3],
      ].sort(),
    );
    expect(snap.slowOperations.map((op) => op.name)).toEqual(['db.report', 'db.report']);

    // one instance selected
    const onlyB = await fleet.snapshot({ instance: `127.0.0.1:${b}`, range: '15m' });
    expect(onlyB.requests.totals.count).toBe(23);
    expect(onlyB.errors.groups[0]?.count).toBe(3);
    expect(onlyB.slowOperations).toEqual([]);

    // restart both instances (counters reset to 0): nothing is lost. Instance a serves 40
    // requests to /ok before its first scrape, more than the 30 its old process had served
    // there: a restart a decrease cannot see, found from process_start_time_seconds.
    const promQuery = async (expr: string) => ((await (await fetch(`http://127.0.0.1:${promPort}/api/v1/query?query=${encodeURIComponent(expr)}`)).json()) as { data: { result: unknown[] } }).data.result;
    await until('the old processes scraped', async () => ((await promQuery('sum(http_requests_total{job="api"})')).length && (await fleet.snapshot()).requests.totals.count === 60 ? true : undefined));
    await Promise.all(ports.map(stopInstance));
    await Promise.all(ports.map((p, i) => startInstance(p, `r${i + 2}`, p === a)));
    await hit(a, '/ok', 40);
    await hit(a, '/fail', 1);
    await (await fetch(`http://127.0.0.1:${a}/admin/release-metrics`)).text();
    expect(await ownCount(a)).toBe(41);
    const after = await until('the restarted fleet', async () => {
      const s = await fleet.snapshot({ range: '1h' });
      if (s.errors.groups[0]?.count === 9 && s.requests.totals.count === 101) return s;
      throw new Error(`groups ${s.errors.groups[0]?.count}, requests ${s.requests.totals.count} ${JSON.stringify(s.fleet.instances)} ${JSON.stringify(s.unavailable)}`);
    });
    expect(after.requests.routes.find((r) => r.route === '/ok')).toMatchObject({ count: 90 });
    expect(after.requests.series.reduce((n, p) => n + p.count, 0)).toBe(101);
    expect(after.errors.groups[0]!.seen.find((s) => s.release === 'r2' && s.instance === `127.0.0.1:${a}`)?.count).toBe(1);

    // the HTTP handler
    const res = await fleet.handleRequest(new Request('http://x/snapshot?range=6h'));
    expect(res.status).toBe(200);
    expect(((await res.json()) as FleetSnapshot).fleet.range).toBe('6h');
    expect((await fleet.handleRequest(new Request('http://x/snapshot?range=2d'))).status).toBe(400);
    client.disconnect();
  }, 90_000);

  it('every README block type-checks, and the usage block runs against this Prometheus and Redis', async () => {
    const [usage] = await expectReadmeRuns(fileURLToPath(new URL('..', import.meta.url)), {
      env: { REDIS_URL: redis.url, PROMETHEUS_URL: `http://127.0.0.1:${promPort}` },
      blocks: 1,
    });
    expect(usage).toMatch(/^2 (r1|r2|r3|v1\.4\.2)\n200\n$/);
  }, 120_000);

  it('a Prometheus that is down: every Prometheus section is unavailable and the health unknown (never 0 requests, 0 % errors as if measured); the snapshot never rejects', async () => {
    const deadPort = await freePort();
    const client = new Redis(redis.url);
    const fleet = createFleetMonitor({ prometheus: { url: `http://127.0.0.1:${deadPort}`, timeoutMs: 300 }, job: 'api', store: redisFleetStore({ client }) });
    const snap = await fleet.snapshot();
    expect(snap.health).toMatchObject({ status: 'unknown', checks: [expect.objectContaining({ name: 'prometheus', status: 'fail' })] });
    expect((snap.unavailable ?? []).map((u) => u.section).sort()).toEqual(['breakers', 'caches', 'fleet', 'inFlight', 'latency', 'rateLimits', 'requests']);
    expect(snap.unavailable!.find((u) => u.section === 'requests')!.reason).toMatch(/Prometheus did not answer/);
    // the store still answers: its sections are there
    expect(snap.errors.groups.length).toBeGreaterThan(0);
    client.disconnect();
  });

  it('an instance whose health fails (instrumentHealth → health_ready 0) is not ready in the fleet', async () => {
    const [a] = ports as [number, number];
    const fleet = createFleetMonitor({ prometheus: { url: `http://127.0.0.1:${promPort}` }, job: 'api' });
    await (await fetch(`http://127.0.0.1:${a}/admin/not-ready`)).text();
    const snap = await until('readiness 0 scraped', async () => {
      const s = await fleet.snapshot();
      return s.fleet.instances.find((i) => i.instance === `127.0.0.1:${a}`)?.ready === false ? s : undefined;
    });
    expect(snap.health.status).toBe('warn');
    expect(snap.health.checks.find((c) => c.name === `127.0.0.1:${a}`)).toMatchObject({ status: 'fail', output: 'not ready' });
  });

  it('a Redis that is down: error groups and slow operations are unavailable and the health unknown; the Prometheus figures stay', async () => {
    const dead = await startRedis();
    const client = new Redis(dead.url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: true });
    client.on('error', () => undefined);
    await client.connect();
    await dead.stop();
    const fleet = createFleetMonitor({ prometheus: { url: `http://127.0.0.1:${promPort}` }, job: 'api', store: redisFleetStore({ client, timeoutMs: 300 }) });
    const snap = await fleet.snapshot({ range: '1h' });
    expect(snap.health.status).toBe('unknown');
    expect((snap.unavailable ?? []).map((u) => u.section).sort()).toEqual(['errors', 'slowOperations']);
    expect(snap.health.checks).toContainEqual(expect.objectContaining({ name: 'fleet store', status: 'fail' }));
    expect(snap.requests.totals.count).toBeGreaterThan(0);
    client.disconnect();
  });
});
