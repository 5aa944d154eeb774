/**
 * `series()` runs handlers as one router layer with Express's own semantics for each: in order,
 * a thrown error and a rejected promise reach the error handler, `next('route')` moves on to the
 * next handler, `next('router')` leaves the router. Compared side by side with the same handlers
 * mounted as separate layers, on real sockets.
 */
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { series } from '../src/http/middleware.js';

const mark =
  (name: string): RequestHandler =>
  (req, _res, next) => {
    (req as unknown as { trail: string[] }).trail.push(name);
    next();
  };
const handlers: Record<string, RequestHandler> = {
  ok: mark('ok'),
  throws: () => {
    throw new Error('thrown');
  },
  rejects: async () => {
    throw new Error('rejected');
  },
  rejectsEmpty: () => Promise.reject(undefined),
  route: (req, _res, next) => {
    (req as unknown as { trail: string[] }).trail.push('route');
    next('route');
  },
  router: (req, _res, next) => {
    (req as unknown as { trail: string[] }).trail.push('router');
    next('router');
  },
  async: async (req, _res, next) => {
    await Promise.resolve();
    (req as unknown as { trail: string[] }).trail.push('async');
    next();
  },
};

function build(compose: (list: RequestHandler[]) => RequestHandler[]) {
  const app = express();
  app.use((req, _res, next) => {
    (req as unknown as { trail: string[] }).trail = [];
    next();
  });
  const router = express.Router();
  router.use((req, res, next) => {
    const list = String(req.query.h ?? '').split(',').filter(Boolean).map((h) => handlers[h]!);
    // Built per request for the test; the layers are what is compared.
    const inner = express.Router();
    for (const h of compose([...list, mark('end-of-chain')])) inner.use(h);
    inner(req, res, next);
  });
  router.use(mark('after-chain'));
  app.use('/r', router);
  app.use((req, res) => res.json({ trail: (req as unknown as { trail: string[] }).trail }));
  app.use((error: Error, req: Request, res: Response, _next: NextFunction) => res.status(500).json({ error: error.message, trail: (req as unknown as { trail: string[] }).trail }));
  return app;
}

describe('series() behaves like the same handlers as separate layers', () => {
  const bases: string[] = [];
  const servers: ReturnType<express.Express['listen']>[] = [];
  beforeAll(async () => {
    for (const app of [build((list) => list), build((list) => [series(...list)])]) {
      const server = app.listen(0, '127.0.0.1');
      await new Promise((r) => server.once('listening', r));
      servers.push(server);
      bases.push(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    }
  });
  afterAll(() => servers.forEach((s) => s.close()));

  for (const chain of ['ok,async,ok', 'ok,throws,ok', 'ok,rejects,ok', 'rejectsEmpty', 'ok,route,ok', 'ok,router,ok', '']) {
    it(`chain [${chain}]`, async () => {
      const [separate, combined] = await Promise.all(
        bases.map(async (base) => {
          const res = await fetch(`${base}/r?h=${chain}`);
          return { status: res.status, body: await res.json() };
        }),
      );
      expect(combined).toEqual(separate);
    });
  }
});
