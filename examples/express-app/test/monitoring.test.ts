import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { monitoringSnapshotSchema } from '@armor/metrics/schema';
import { BACKENDS, call, start, type Running } from './harness.js';

const appDir = fileURLToPath(new URL('..', import.meta.url));
const ADMIN = 'admin-key-for-tests-0123456789abcdef';

describe.each(BACKENDS)('metrics, monitoring and security headers (%s)', (backend) => {
  let r: Running;
  beforeAll(async () => {
    if (!existsSync(`${appDir}/dist/dashboard/index.html`)) {
      execFileSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--config', 'dashboard/vite.config.ts'], { cwd: appDir, stdio: 'pipe' });
    }
    r = await start(backend, { env: { ADMIN_API_KEY: ADMIN, SLOW_QUERY_MS: '50' } });
  });
  afterAll(() => r?.stop());

  it('serves a favicon (no 404, so no error group for every page view)', async () => {
    for (const path of ['/favicon.ico', '/favicon.svg']) {
      const res = await call(r.base, 'GET', path);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('image/svg+xml');
      expect(res.text).toContain('<svg');
    }
  });

  it('requires the admin key for /metrics and /monitoring*', async () => {
    for (const path of ['/metrics', '/monitoring/snapshot', '/monitoring/']) {
      const anonymous = await call(r.base, 'GET', path);
      expect(anonymous.status, path).toBe(401);
      expect(anonymous.headers.get('www-authenticate')).toMatch(/^Basic/);
      const tenantKey = await call(r.base, 'GET', path, { key: r.key });
      expect(tenantKey.status, path).toBe(403);
      expect((await call(r.base, 'GET', path, { key: ADMIN })).status, path).toBe(200);
    }
    const basic = await call(r.base, 'GET', '/monitoring/', { headers: { authorization: `Basic ${Buffer.from(`admin:${ADMIN}`).toString('base64')}` } });
    expect(basic.status).toBe(200);
  });

  it('serves Prometheus text with request and query metrics', async () => {
    const projectId = (await call(r.base, 'POST', '/api/v1/projects', { key: r.key, body: { name: 'metrics' } })).json.id;
    await call(r.base, 'GET', `/api/v1/projects/${projectId}/comments`, { key: r.key });
    const res = await call(r.base, 'GET', '/metrics', { key: ADMIN });
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(res.text).toMatch(/http_requests_total\{[^}]*route="\/api\/v1\/projects\/:projectId\/comments"/);
    expect(res.text).toMatch(/operation_duration_seconds_count\{[^}]*operation="db\.select comments"/);
    expect(res.text).toMatch(/process_resident_memory_bytes/);
    expect(res.text).not.toContain(projectId); // route templates, never raw URLs
  });

  it('serves a valid MonitoringSnapshot with health, slow queries, caches, rate limits, breakers and error groups', async () => {
    await r.service.repos.reports.slow(0.08); // over SLOW_QUERY_MS=50
    await call(r.base, 'POST', '/api/v1/projects', { key: r.key, body: { name: '' } }); // a 400 for the error groups
    const res = await call(r.base, 'GET', '/monitoring/snapshot', { key: ADMIN });
    expect(res.status).toBe(200);
    const snapshot = monitoringSnapshotSchema.parse(res.json);
    expect(snapshot.health.checks.map((c) => c.name)).toEqual(expect.arrayContaining(backend === 'pglite' ? ['database'] : ['database', 'redis']));
    expect(snapshot.slowOperations.some((o) => o.name === 'db.select' && /pg_sleep/.test(o.summary ?? ''))).toBe(true);
    expect(snapshot.slowOperations.every((o) => !/0\.08/.test(o.summary ?? ''))).toBe(true); // values redacted
    expect(snapshot.caches.map((c) => c.name)).toEqual(expect.arrayContaining(['reads', 'api-keys']));
    expect(snapshot.rateLimits.map((l) => l.name)).toEqual(expect.arrayContaining(['auth:account', 'auth:ip', 'api', 'standard']));
    expect(snapshot.breakers.map((b) => b.name)).toContain('webhook');
    expect(snapshot.errors.groups.some((g) => g.code === 'VALIDATION_FAILED')).toBe(true);
    expect(snapshot.requests.totals.count).toBeGreaterThan(0);
  });

  it('serves the dashboard page built with Vite', async () => {
    const res = await call(r.base, 'GET', '/monitoring/', { key: ADMIN });
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(res.text).toContain('<div id="root">');
    const script = /src="(\/monitoring\/assets\/[^"]+\.js)"/.exec(res.text)?.[1];
    expect(script).toBeDefined();
    const js = await call(r.base, 'GET', script!, { key: ADMIN });
    expect(js.status).toBe(200);
    expect(js.text).toContain('snapshot');
    expect(res.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
  });

  it('sends security headers on API answers', async () => {
    const res = await call(r.base, 'GET', '/api/v1/nope', { key: r.key });
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('strict-transport-security')).toMatch(/max-age=/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-powered-by')).toBeNull();
  });
});

describe('DEMO=1 opens /metrics and /monitoring', () => {
  let r: Running;
  beforeAll(async () => {
    r = await start('pglite', { env: { DEMO: '1' } });
  });
  afterAll(() => r?.stop());

  it('answers without a key', async () => {
    expect((await call(r.base, 'GET', '/metrics')).status).toBe(200);
    expect((await call(r.base, 'GET', '/monitoring/snapshot')).status).toBe(200);
    expect((await call(r.base, 'GET', '/api/v1/projects/00000000-0000-4000-8000-000000000000')).status).toBe(401); // the API still needs keys
  });
});
