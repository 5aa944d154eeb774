/**
 * `skipSuccessfulRequests` under concurrency (issue 30: the point of every request was held
 * until its response finished, so more than `limit` successful requests in flight got 429).
 * Real sockets; verdicts from counts, the handlers wait on a barrier (no timers).
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { createRateLimiter } from './index.js';
import { rateLimit } from './express.js';

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/**
 * An app whose `/` handler holds every admitted request until all `total` requests either
 * reached it or were refused, then answers them all with `status`.
 */
async function heldApp(limit: number, total: number) {
  const limiter = createRateLimiter({ algorithm: 'fixed-window', limit, windowMs: 60_000, name: 'auth-failures' });
  let refused = 0;
  const held: { res: express.Response; status: number }[] = [];
  const releaseIfAll = () => {
    if (held.length + refused < total) return;
    for (const { res, status } of held.splice(0)) res.status(status).send('x');
  };
  const app = express();
  app.get(
    '/',
    rateLimit({
      limiter,
      skipSuccessfulRequests: true,
      onLimited: () => {
        refused++;
        // the refusal is answered after this callback: release the held ones on the next turn
        setImmediate(releaseIfAll);
      },
    }),
    (req, res) => {
      held.push({ res, status: req.query['fail'] ? 401 : 200 });
      releaseIfAll();
    },
  );
  server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server!.once('listening', () => resolve()));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const burst = (path: string) => Promise.all(Array.from({ length: total }, () => fetch(base + path).then(async (r) => (await r.text(), r.status))));
  const count = (statuses: number[]) => statuses.reduce<Record<number, number>>((acc, s) => ((acc[s] = (acc[s] ?? 0) + 1), acc), {});
  return { limiter, base, burst, count, reset: () => (refused = 0) };
}

describe('rateLimit({ skipSuccessfulRequests }) under concurrency, real sockets', () => {
  it('45 concurrent successful requests with limit 30: none refused, none counted', async () => {
    const { limiter, burst, count } = await heldApp(30, 45);
    expect(count(await burst('/'))).toEqual({ 200: 45 });
    expect((await limiter.peek('127.0.0.1')).remaining).toBe(30);
    // a second burst, for good measure
    expect(count(await burst('/'))).toEqual({ 200: 45 });
  });

  it('failures still count: each failed response is charged, and the key is refused once they used the limit', async () => {
    const { limiter, burst, count, base } = await heldApp(30, 45);
    // 45 concurrent failures all pass the check (counted when they end: the documented trade-off) ...
    expect(count(await burst('/?fail=1'))).toEqual({ 401: 45 });
    // ... and every one of them was counted, past the limit
    await expect.poll(async () => (await limiter.peek('127.0.0.1')).remaining).toBe(0);
    const after = await fetch(`${base}/`);
    expect(after.status).toBe(429);
  });
});
