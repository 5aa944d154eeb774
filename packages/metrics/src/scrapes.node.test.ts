import express from 'express';
import type { Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createRegistry, type Registry } from './index.js';
import { instrumentFetch, metricsResponse } from './http-entry.js';
import { metricsEndpoint, metricsMiddleware } from './express.js';

let server: Server | undefined;
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

async function listen(app: express.Express): Promise<string> {
  server = await new Promise<Server>((r) => {
    const s = app.listen(0, '127.0.0.1', () => r(s));
  });
  const a = server.address();
  return `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
}

const requestLines = (registry: Registry) =>
  registry
    .metrics()
    .split('\n')
    .filter((l) => l.startsWith('http_requests_total{'));

describe('Prometheus scrapes are not traffic (issue 24)', () => {
  it('the middleware registered before the /metrics route does not count scrapes (the old README order)', async () => {
    const registry = createRegistry();
    const app = express();
    app.use(metricsMiddleware({ registry }));
    app.get('/metrics', metricsEndpoint(registry));
    app.get('/orders', (_req, res) => res.send('ok'));
    const base = await listen(app);
    for (let i = 0; i < 10; i++) expect((await fetch(`${base}/metrics`)).status).toBe(200);
    expect((await fetch(`${base}/orders`)).status).toBe(200);
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).not.toContain('route="/metrics"');
    expect(requestLines(registry)).toEqual(['http_requests_total{method="GET",route="/orders",status_class="2xx"} 1']);
  });

  it('counts scrapes with countScrapes: true', async () => {
    const registry = createRegistry();
    const app = express();
    app.use(metricsMiddleware({ registry, countScrapes: true }));
    app.get('/metrics', metricsEndpoint(registry));
    const base = await listen(app);
    await fetch(`${base}/metrics`);
    await fetch(`${base}/metrics`);
    expect(requestLines(registry)).toEqual(['http_requests_total{method="GET",route="/metrics",status_class="2xx"} 2']);
  });

  it('the documented order (endpoint first) counts nothing either', async () => {
    const registry = createRegistry();
    const app = express();
    app.get('/metrics', metricsEndpoint(registry));
    app.use(metricsMiddleware({ registry }));
    const base = await listen(app);
    await fetch(`${base}/metrics`);
    expect(requestLines(registry)).toEqual([]);
  });

  it('instrumentFetch does not count a metricsResponse', async () => {
    const registry = createRegistry();
    const handler = instrumentFetch((request: Request) => (new URL(request.url).pathname === '/metrics' ? metricsResponse(registry, request) : new Response('ok')), {
      registry,
      routes: ['/metrics', '/orders'],
    });
    await handler(new Request('http://x/metrics'));
    await handler(new Request('http://x/metrics'));
    await handler(new Request('http://x/orders'));
    expect(requestLines(registry)).toEqual(['http_requests_total{method="GET",route="/orders",status_class="2xx"} 1']);
    const counting = createRegistry();
    const all = instrumentFetch((request: Request) => metricsResponse(counting, request), { registry: counting, routes: ['/metrics'], countScrapes: true });
    await all(new Request('http://x/metrics'));
    expect(requestLines(counting)).toEqual(['http_requests_total{method="GET",route="/metrics",status_class="2xx"} 1']);
  });
});
