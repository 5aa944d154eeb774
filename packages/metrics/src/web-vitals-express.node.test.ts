import express from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegistry, type Histogram } from './index.js';
import { createWebVitalsIngest } from './web-vitals.js';
import { webVitalsHandler } from './web-vitals-express.js';

const registry = createRegistry();
const shared = createWebVitalsIngest({ registry: createRegistry(), rateLimit: { limit: 1 } });
let server: Server;
let base: string;

beforeAll(async () => {
  const app = express();
  app.post('/vitals', webVitalsHandler({ registry, maxBodyBytes: 1024, rateLimit: { limit: 3 }, expressClientKey: (req) => req.get('x-client') ?? req.ip }));
  app.post('/parsed', express.json(), webVitalsHandler({ registry: createRegistry(), rateLimit: false }));
  app.all('/shared', webVitalsHandler(shared));
  server = await new Promise<Server>((r) => {
    const s = app.listen(0, '127.0.0.1', () => r(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const beacon = (route: string, value = 3100) => JSON.stringify({ metrics: [{ name: 'LCP', value, route, id: 'v6-1', navigationType: 'navigate' }] });
const send = (path: string, body: string, headers: Record<string, string> = {}) =>
  fetch(`${base}${path}`, { method: 'POST', body, headers: { 'content-type': 'text/plain;charset=UTF-8', ...headers } });

describe('webVitalsHandler (Express, real socket)', () => {
  it('records a sendBeacon-style text/plain body: 204 and the histogram moves', async () => {
    const response = await send('/vitals', beacon('/projects/:id'), { 'x-client': 'a' });
    expect(response.status).toBe(204);
    const lcp = registry.get('web_vitals_lcp_seconds') as Histogram<'route'>;
    expect(lcp.get({ route: '/projects/:id' }).count).toBe(1);
    const text = registry.metrics();
    expect(text).toContain('web_vitals_lcp_seconds_bucket{route="/projects/:id",le="3.0"} 0');
    expect(text).toContain('web_vitals_lcp_seconds_bucket{route="/projects/:id",le="3.5"} 1');
  });

  it('400 problem+json for a bad body, 413 for an oversize one, 429 past the client limit', async () => {
    const bad = await send('/vitals', '{"metrics":[{"name":"LCP","value":-5,"route":"/x"}]}', { 'x-client': 'b' });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(((await bad.json()) as { errors: { path: string }[] }).errors[0]!.path).toBe('/metrics/0/value');
    const big = await send('/vitals', beacon(`/${'x'.repeat(2000)}`), { 'x-client': 'c' });
    expect(big.status).toBe(413);
    for (let i = 0; i < 2; i++) expect((await send('/vitals', beacon('/r'), { 'x-client': 'b' })).status).toBe(204);
    const limited = await send('/vitals', beacon('/r'), { 'x-client': 'b' });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await send('/vitals', beacon('/r'), { 'x-client': 'd' })).status).toBe(204);
  });

  it('413 for a chunked body (no content-length) that grows past maxBodyBytes; a small chunked one is read', async () => {
    const chunked = (parts: number) =>
      fetch(`${base}/vitals`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain', 'x-client': 'chunked' },
        body: new ReadableStream<Uint8Array>({
          start(c) {
            const text = parts === 1 ? beacon('/chunked') : ' '.repeat(300);
            for (let i = 0; i < parts; i++) c.enqueue(new TextEncoder().encode(text));
            c.close();
          },
        }),
        duplex: 'half',
      } as RequestInit);
    expect((await chunked(8)).status).toBe(413);
    expect((await chunked(1)).status).toBe(204);
    expect((registry.get('web_vitals_lcp_seconds') as Histogram<'route'>).get({ route: '/chunked' }).count).toBe(1);
  });

  it('takes req.body from a body parser that ran first', async () => {
    expect((await send('/parsed', beacon('/a'), { 'content-type': 'application/json' })).status).toBe(204);
    expect((await send('/parsed', '{"metrics":[]}', { 'content-type': 'application/json' })).status).toBe(400);
  });

  it('wraps an existing ingest (shared limiter), keyed on req.ip; 405 for GET', async () => {
    expect((await send('/shared', beacon('/s'))).status).toBe(204);
    expect((await send('/shared', beacon('/s'))).status).toBe(429);
    const get = await fetch(`${base}/shared`);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
  });
});
