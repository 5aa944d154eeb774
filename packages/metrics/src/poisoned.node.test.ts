import express from 'express';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMonitor, createRegistry, recordError, toJsonSafe } from './index.js';
import { monitoringSnapshotSchema } from './schema.js';
import { metricsMiddleware, monitoringEndpoint } from './express.js';

/** Issue 17 item 1: poisoned recordError contexts must never take down the monitoring endpoint or the process. */
describe('monitoring endpoint after poisoned recordError contexts (Express, real socket)', () => {
  const registry = createRegistry();
  const monitor = createMonitor({ registry, windowMs: 60_000, resolutionMs: 1000, service: { name: 'poisoned' } });
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => void unhandled.push(reason);
  let server: Server;
  let base = '';

  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    process.on('uncaughtException', onUnhandled);
    const app = express();
    app.use(metricsMiddleware({ registry }));
    app.get('/admin/monitoring', monitoringEndpoint(monitor));
    app.get('/route', (req, res) => {
      // what a route really does: hand the request itself to error tracking
      recordError(new Error('route failed'), { registry, context: { req, route: '/route' } });
      res.send('ok');
    });
    server = await new Promise<Server>((r) => {
      const s = app.listen(0, '127.0.0.1', () => r(s));
    });
    const a = server.address();
    base = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
  });
  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    process.off('uncaughtException', onUnhandled);
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('answers 200 with a valid snapshot, stays up, and handleRequest never rejects', async () => {
    const circular: Record<string, unknown> = { name: 'loop' };
    circular.self = circular;
    const getter = Object.defineProperty({ ok: 1 }, 'boom', { enumerable: true, get: () => { throw new Error('getter'); } });
    const proxy = new Proxy({}, { ownKeys: () => { throw new Error('trap'); } });
    const contexts: [string, Record<string, unknown>][] = [
      ['circular', { circular }],
      ['bigint', { id: 12345678901234567890n }],
      ['getter', { getter }],
      ['proxy', { proxy }],
      ['huge', { big: 'x'.repeat(5 * 1024 * 1024) }],
      ['nested', { nested: { deeper: { list: [circular, 1n, getter] } } }],
    ];
    // distinct messages: one error group (and so one kept sample) per poisoned context
    for (const [kind, context] of contexts) {
      expect(() => recordError(new Error(`poisoned by ${kind}`), { registry, context })).not.toThrow();
    }
    expect((await fetch(`${base}/route`)).status).toBe(200);

    for (let round = 0; round < 3; round++) {
      const res = await fetch(`${base}/admin/monitoring`);
      expect(res.status).toBe(200);
      const body = (await res.json()) as unknown;
      const parsed = monitoringSnapshotSchema.safeParse(body);
      expect(parsed.success, JSON.stringify(parsed.error?.issues?.slice(0, 3))).toBe(true);
      const text = JSON.stringify(body);
      expect(text).toContain('[Circular]');
      expect(text).toContain('"12345678901234567890"');
      expect(text).toContain('[Unreadable]');
      expect(text).toContain('[IncomingMessage]');
      expect(text.length).toBeLessThan(500_000); // the 5 MB string was cut
    }

    const response = await monitor.handleRequest();
    expect(response.status).toBe(200);
    monitoringSnapshotSchema.parse(await response.json());
    // a snapshot that cannot be built answers 500, it does not reject
    const broken = createMonitor({ registry, health: { report: () => { throw new Error('sync throw'); } } as never });
    await expect(broken.handleRequest()).resolves.toBeInstanceOf(Response);
    await new Promise((r) => setTimeout(r, 50));
    expect(unhandled).toEqual([]);
  });

  it('toJsonSafe bounds and makes safe without calling class getters', () => {
    const a: Record<string, unknown> = { id: 1n };
    a.self = a;
    expect(JSON.stringify(toJsonSafe(a))).toBe('{"id":"1","self":"[Circular]"}');
    expect(toJsonSafe(new Map())).toBe('[Map]');
    expect(toJsonSafe({ e: new TypeError('bad') })).toEqual({ e: { name: 'TypeError', message: 'bad' } });
    expect(toJsonSafe({ n: Number.NaN, d: new Date(0), f: () => 1 })).toEqual({ n: 'NaN', d: '1970-01-01T00:00:00.000Z', f: '[Function]' });
    expect(JSON.stringify(toJsonSafe({ long: 'y'.repeat(10_000) })).length).toBeLessThan(2_100);
  });
});
