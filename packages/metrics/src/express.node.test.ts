import express from 'express';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMonitor, createRegistry } from './index.js';
import { monitoringSnapshotSchema } from './schema.js';
import { metricsEndpoint, metricsMiddleware, monitoringEndpoint } from './express.js';

describe('metricsMiddleware (Express over real sockets)', () => {
  const registry = createRegistry();
  const monitor = createMonitor({ registry, windowMs: 60_000, resolutionMs: 1000, service: { name: 'test' } });
  let server: Server;
  let base = '';
  let release: () => void = () => {};
  beforeAll(async () => {
    const app = express();
    app.use(metricsMiddleware({ registry }));
    app.get('/metrics', metricsEndpoint(registry));
    app.get('/monitoring', monitoringEndpoint(monitor));
    app.get('/users/:id', (req, res) => res.json({ id: req.params.id }));
    app.get('/slow', (_req, res) => {
      release = () => res.send('done');
    });
    app.get('/hang', () => {
      // never answers: the client gives up
    });
    app.get('/crash', () => {
      throw new Error('crash');
    });
    const orgs = express.Router();
    orgs.get('/projects/:projectId', (_req, res) => res.send('p'));
    orgs.get('/', (_req, res) => res.send('root'));
    app.use('/orgs/:orgId', orgs);
    // One router (so the same route objects) under two mount paths.
    const shared = express.Router();
    shared.get('/x', (_req, res) => res.send('x'));
    app.use('/one', shared);
    app.use('/two', shared);
    server = await new Promise<Server>((r) => {
      const s = app.listen(0, '127.0.0.1', () => r(s));
    });
    const a = server.address();
    base = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('labels by route template (joined with baseUrl), status class, method; unmatched is fixed; tracks in-flight', async () => {
    await fetch(`${base}/users/1`);
    await fetch(`${base}/users/2`);
    await fetch(`${base}/orgs/12345/projects/abc`);
    await fetch(`${base}/orgs/77`);
    await fetch(`${base}/does/not/exist/9`);
    await fetch(`${base}/crash`);
    const slow = fetch(`${base}/slow`);
    await new Promise((r) => setTimeout(r, 50));
    const during = await (await fetch(`${base}/metrics`)).text();
    expect(during).toContain('http_requests_in_flight 2'); // /slow and /metrics itself
    release();
    await slow;
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toContain('http_requests_total{method="GET",route="/users/:id",status_class="2xx"} 2');
    expect(text).toContain('http_requests_total{method="GET",route="/orgs/:param/projects/:projectId",status_class="2xx"} 1');
    expect(text).toContain('http_requests_total{method="GET",route="/orgs/:param",status_class="2xx"} 1');
    expect(text).toContain('http_requests_total{method="GET",route="(unmatched)",status_class="4xx"} 1');
    expect(text).toContain('http_requests_total{method="GET",route="/crash",status_class="5xx"} 1');
    expect(text).toContain('http_requests_total{method="GET",route="/slow",status_class="2xx"} 1');
    expect(text).not.toMatch(/route="\/users\/1"|12345|exist/);
    expect(text).toContain('http_requests_in_flight 1');
    const snapshot = monitoringSnapshotSchema.parse(await (await fetch(`${base}/monitoring`)).json());
    expect(snapshot.requests.totals.count).toBe(7); // the two scrapes are not traffic
    expect(snapshot.requests.totals.errors).toBe(1);
    expect(snapshot.requests.routes.map((r) => r.route)).toContain('/users/:id');
  });

  it('records a request the client aborted once, as 499 (4xx), and releases the in-flight gauge', async () => {
    const seen: { route: string; status: number }[] = [];
    const { hubOf } = await import('./hub.js');
    const listener = (r: { route: string; status: number }) => void seen.push({ route: r.route, status: r.status });
    const offListener = hubOf(registry).events.on('request', listener as never);
    try {
      const controller = new AbortController();
      const pending = fetch(`${base}/hang`, { signal: controller.signal }).catch(() => 'aborted');
      await new Promise((r) => setTimeout(r, 50));
      controller.abort();
      expect(await pending).toBe('aborted');
      await new Promise((r) => setTimeout(r, 50));
      expect(seen.filter((r) => r.route === '/hang')).toEqual([{ route: '/hang', status: 499 }]);
      const text = await (await fetch(`${base}/metrics`)).text();
      expect(text).toContain('http_requests_total{method="GET",route="/hang",status_class="4xx"} 1');
      expect(text).toContain('http_requests_in_flight 1'); // only /metrics itself
    } finally {
      offListener();
    }
  });

  it('keeps the template of a route reached under different mount paths apart', async () => {
    for (const path of ['/one/x', '/two/x', '/one/x', '/two/x', '/two/x']) expect((await fetch(`${base}${path}`)).status).toBe(200);
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toContain('http_requests_total{method="GET",route="/one/x",status_class="2xx"} 2');
    expect(text).toContain('http_requests_total{method="GET",route="/two/x",status_class="2xx"} 3');
  });

  it('serves OpenMetrics when asked', async () => {
    const res = await fetch(`${base}/metrics`, { headers: { accept: 'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5' } });
    expect(res.headers.get('content-type')).toMatch(/^application\/openmetrics-text; version=1.0.0/);
    expect(await res.text()).toMatch(/# TYPE http_requests counter[\s\S]*# EOF\n$/);
  });
});
