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

  const startInstance = async (port: number, release: string) => {
    const child = spawn(process.execPath, ['--import', TSX_LOADER, '--conditions=@armor/source', FIXTURE], { env: { ...process.env, PORT: String(port), REDIS_URL: redis.url, RELEASE: release }, stdio: ['ignore', 'pipe', 'inherit'] });
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

    // restart both instances (counters reset to 0): nothing is lost
    await Promise.all(ports.map(stopInstance));
    await Promise.all(ports.map((p, i) => startInstance(p, `r${i + 2}`)));
    await hit(a, '/fail', 1);
    const after = await until('the restarted fleet', async () => {
      const s = await fleet.snapshot({ range: '1h' });
      return s.errors.groups[0]?.count === 9 && s.requests.totals.count === 61 ? s : undefined;
    });
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

  it('a Prometheus that is down empties the request panels and says so in health; the snapshot never rejects', async () => {
    const deadPort = await freePort();
    const fleet = createFleetMonitor({ prometheus: { url: `http://127.0.0.1:${deadPort}`, timeoutMs: 300 }, job: 'api' });
    const snap = await fleet.snapshot();
    expect(snap.requests.totals.count).toBe(0);
    expect(snap.health).toMatchObject({ status: 'fail', checks: [expect.objectContaining({ name: 'prometheus', status: 'fail' })] });
  });
});
