import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getLoaders, loaderMiddleware } from './express.js';
import { createLoader, loaderScope } from './loader.js';

const batches: string[][] = [];
const scope = loaderScope({
  user: () =>
    createLoader(async (ids: readonly string[]) => {
      batches.push([...ids]);
      return ids.map((id) => ({ id, name: `user ${id}` }));
    }),
});

let server: Server;
let base: string;
beforeAll(async () => {
  const app = express();
  const bare = express(); // mounted before the middleware
  app.use('/bare', bare);
  app.use(loaderMiddleware(scope));
  app.get('/team/:ids', async (req, res) => {
    const { user } = getLoaders(res, scope);
    const ids = String(req.params.ids).split(',');
    // N+1 shape: one load per member, plus a second pass that hits the per-request memo
    const members = await Promise.all(ids.map((id) => user.load(id)));
    const again = await Promise.all(ids.map((id) => user.load(id)));
    res.json({ members, same: members.every((m, i) => m === again[i]) });
  });
  bare.get('/', (_req, res) => {
    try {
      getLoaders(res, scope);
      res.send('unexpected');
    } catch (error) {
      res.status(500).send((error as Error).message);
    }
  });
  await new Promise<void>((resolve) => {
    server = app.listen(0, '127.0.0.1', () => resolve());
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('@armor/cache/express loaderMiddleware', () => {
  it('gives each request fresh loaders: N lookups in a request make one batch call', async () => {
    batches.length = 0;
    const res = await fetch(`${base}/team/1,2,3,4,5`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { members: { id: string }[]; same: boolean };
    expect(body.members.map((m) => m.id)).toEqual(['1', '2', '3', '4', '5']);
    expect(body.same).toBe(true);
    expect(batches).toEqual([['1', '2', '3', '4', '5']]);

    await Promise.all([fetch(`${base}/team/1,2`), fetch(`${base}/team/2,3`)]);
    expect(batches.slice(1).map((b) => b.join(',')).sort()).toEqual(['1,2', '2,3']); // no memo shared across requests
  });

  it('explains when the middleware did not run', async () => {
    const res = await fetch(`${base}/bare`);
    expect(await res.text()).toMatch(/app.use\(loaderMiddleware\(scope\)\)/);
  });

  it('makes the loaders on first read only; reads see one set; the property stays writable', async () => {
    let made = 0;
    const counting = Object.assign(() => (made++, scope()), { factories: scope.factories }) as typeof scope;
    const app = express();
    app.use(loaderMiddleware(counting));
    app.get('/none', (_req, res) => res.json({ made }));
    app.get('/twice', (_req, res) => {
      const a = getLoaders(res, counting);
      const b = res.locals.loaders;
      const descriptor = Object.getOwnPropertyDescriptor(res.locals, 'loaders');
      res.json({ made, same: a === b, data: descriptor !== undefined && 'value' in descriptor && descriptor.writable === true && descriptor.enumerable === true });
    });
    app.get('/replaced', (_req, res) => {
      res.locals.loaders = 'mine';
      res.json({ made, value: res.locals.loaders, keys: Object.keys(res.locals) });
    });
    const other = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    const at = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
    try {
      expect(await (await fetch(`${at}/none`)).json()).toEqual({ made: 0 });
      expect(await (await fetch(`${at}/twice`)).json()).toEqual({ made: 1, same: true, data: true });
      expect(await (await fetch(`${at}/replaced`)).json()).toEqual({ made: 1, value: 'mine', keys: ['loaders'] });
    } finally {
      await new Promise<void>((resolve) => other.close(() => resolve()));
    }
  });

  it('rejects bad options', () => {
    expect(() => loaderMiddleware('x' as never)).toThrow(/"scope"/);
    expect(() => loaderMiddleware(scope, { property: '' })).toThrow(/"property"/);
  });
});
