/**
 * Issue 24: with the documented Express error handler (`@armor/errors/express`) and a
 * redactor, one unauthenticated GET to a long path blocked the event loop (52–87 ms for 15 KB):
 * the path is logged as the entry's `instance` and went through the quadratic key=value rule.
 *
 * Real Express over a real socket. Costs are compared as ratios (a hostile path against a
 * benign path of the same length, minimum of several round trips each), never as absolute
 * milliseconds.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { errorMiddleware, notFound } from '@armor/errors/express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedactor } from './index.js';

let server: Server;
let base: string;
const logged: Record<string, unknown>[] = [];
const logger = { error: (entry: Record<string, unknown>) => logged.push(entry), warn: (entry: Record<string, unknown>) => logged.push(entry) };

beforeAll(async () => {
  const app = express();
  app.get('/ok', (_req, res) => res.json({ ok: true }));
  app.use(notFound());
  app.use(errorMiddleware({ logger, redact: createRedactor() }));
  await new Promise<void>((resolve) => {
    server = app.listen(0, '127.0.0.1', () => resolve());
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** Minimum round-trip time of `rounds` GETs to `path` (the minimum is what load cannot inflate). */
async function minRoundTrip(path: string, rounds: number): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < rounds; i++) {
    const start = performance.now();
    const response = await fetch(base + path);
    await response.text();
    best = Math.min(best, performance.now() - start);
    expect(response.status).toBe(404);
  }
  return best;
}

describe('the Express error handler with a redactor, on a 15 KB path', () => {
  it('costs about what a benign path of the same length costs (was 52–87 ms of blocked loop)', async () => {
    const hostile = `/${'token-'.repeat(2_500)}`; // 15,001 characters, under Node's 16 KB header limit
    const benign = `/${'a'.repeat(hostile.length - 1)}`;
    await minRoundTrip(benign, 3); // warm-up
    let ratio = Infinity;
    for (let attempt = 0; attempt < 3 && ratio >= 4; attempt++) {
      ratio = Math.min(ratio, (await minRoundTrip(hostile, 5)) / (await minRoundTrip(benign, 5)));
    }
    expect(ratio).toBeLessThan(4);
  });

  it('logs the path as the instance, redacted and bounded', async () => {
    logged.length = 0;
    await minRoundTrip(`/users/${'x'.repeat(9_000)}?token=abc`, 1);
    await minRoundTrip('/reset/password=hunter2', 1);
    const instances = logged.map((entry) => entry.instance as string);
    expect(instances[0]!.length).toBeLessThanOrEqual(2_001);
    expect(instances[0]!.startsWith('/users/xxx')).toBe(true);
    expect(instances[1]).toBe('/reset/password=[REDACTED]');
  });
});
