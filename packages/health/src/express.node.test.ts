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
    expect(await res.json()).toMatchObject({ status: 'fail', output: 'db: check returned false' });
    expect((await fetch(`${base}/internal/probes/startup`)).status).toBe(503); // startup runs the db check too
    expect((await fetch(`${base}/internal/probes/live`)).status).toBe(200);
    expect((await fetch(`${base}/health`)).status).toBe(503);
    expect(await (await fetch(`${base}/other`)).text()).toBe('other');
    expect((await fetch(`${base}/health/nope`)).status).toBe(404);
    dbUp = true;
  });
});
