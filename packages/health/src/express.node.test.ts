import express from 'express';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHealth } from './index.js';
import { healthRouter } from './express.js';

describe('healthRouter (Express over real sockets)', () => {
  let server: Server;
  let base = '';
  let dbUp = true;
  const health = createHealth({ checks: { db: { check: () => dbUp, cacheMs: 0, componentType: 'datastore' } } });
  beforeAll(async () => {
    const app = express();
    app.use(healthRouter(health));
    app.use(healthRouter(health, { path: '/internal/probes/' }));
    app.get('/other', (_req, res) => res.send('other'));
    server = await new Promise<Server>((r) => {
      const s = app.listen(0, '127.0.0.1', () => r(s));
    });
    const a = server.address();
    base = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('answers live/ready/startup with health+json and 503 + reason when failing', async () => {
    let res = await fetch(`${base}/health/ready`);
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toMatch(/application\/health\+json/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toMatchObject({ status: 'fail', output: 'not ready yet (starting)' });
    expect((await fetch(`${base}/health/live`)).status).toBe(200);
    health.markReady();
    res = await fetch(`${base}/health/ready`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'pass', checks: { db: [{ status: 'pass', componentType: 'datastore' }] } });
    dbUp = false;
    res = await fetch(`${base}/health/ready`);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ status: 'fail', output: 'db: fail' }); // details hidden by default
    expect((await fetch(`${base}/internal/probes/startup`)).status).toBe(503); // startup runs the db check too
    expect((await fetch(`${base}/internal/probes/live`)).status).toBe(200);
    expect((await fetch(`${base}/health`)).status).toBe(503);
    expect(await (await fetch(`${base}/other`)).text()).toBe('other');
    expect((await fetch(`${base}/health/nope`)).status).toBe(404);
    dbUp = true;
  });

  it('a check result with a throwing getter never turns probes into 500s (issue 17 #3)', async () => {
    let hostile = true;
    const h = createHealth({
      checks: {
        db: {
          cacheMs: 0,
          check: () =>
            hostile
              ? {
                  get observedValue(): number {
                    throw new Error('getter exploded');
                  },
                }
              : true,
        },
      },
    });
    h.markReady();
    const app = express();
    app.use(healthRouter(h));
    const s = await new Promise<Server>((r) => {
      const x = app.listen(0, '127.0.0.1', () => r(x));
    });
    const a = s.address();
    const url = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}/health/ready`;
    try {
      for (let i = 0; i < 3; i++) expect((await fetch(url)).status).toBe(503);
      hostile = false;
      expect((await fetch(url)).status).toBe(200);
    } finally {
      await new Promise<void>((r) => s.close(() => r()));
    }
  });

  it('hides check details from public probes; showDetails lets an authorized caller see them', async () => {
    const h = createHealth({ checks: { db: { check: () => Promise.reject(new Error('auth failed for password=hunter2')) } } });
    h.markReady();
    const app = express();
    app.use(healthRouter(h));
    app.use('/admin', healthRouter(h, { showDetails: (req) => req.get('x-admin') === 'yes' }));
    const s = await new Promise<Server>((r) => {
      const x = app.listen(0, '127.0.0.1', () => r(x));
    });
    const a = s.address();
    const root = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
    try {
      const pub = await fetch(`${root}/health/ready`);
      expect(pub.status).toBe(503);
      const body = await pub.text();
      expect(body).not.toContain('hunter2');
      expect(JSON.parse(body)).toMatchObject({ status: 'fail', output: 'db: fail' });
      expect(await (await fetch(`${root}/admin/health/ready`)).text()).not.toContain('hunter2');
      expect(await (await fetch(`${root}/admin/health/ready`, { headers: { 'x-admin': 'yes' } })).text()).toContain('hunter2');
      // exact paths: a route of the app that ends in /health is not a probe
      expect((await fetch(`${root}/api/users/health`)).status).toBe(404);
    } finally {
      await new Promise<void>((r) => s.close(() => r()));
    }
  });

  it('refuses unknown router options', () => {
    expect(() => healthRouter(health, { prefix: '/x' } as never)).toThrow(/Unknown option "prefix"/);
  });
});
