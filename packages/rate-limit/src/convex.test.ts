/// <reference types="vite/client" />
import { convexTest } from 'convex-test';
import { describe, expect, it } from 'vitest';
import { ALGORITHMS } from '../test/conformance.js';
import schema from '../test/convex/schema.js';
import { api } from '../test/convex/api.js';
import { convexStore } from './convex.js';

const modules = import.meta.glob('../test/convex/**/*.ts');

describe('@armor/rate-limit/convex with convex-test', () => {
  for (const algorithm of ALGORITHMS) {
    it(`${algorithm}: the table store admits exactly limit per window, and reset works`, async () => {
      const t = convexTest(schema, modules);
      const args = { key: 'user:1', algorithm, limit: 5, windowMs: 3_600_000 };
      const results = [];
      for (let i = 0; i < 7; i++) results.push(await t.mutation(api.limits.consume, args));
      expect(results.map((r) => r.allowed)).toEqual([true, true, true, true, true, false, false]);
      expect(results[6]).toMatchObject({ reason: 'limit', remaining: 0 });
      expect((await t.query(api.limits.peek, args)).remaining).toBe(0);
      expect((await t.mutation(api.limits.consume, { ...args, key: 'user:2' })).allowed).toBe(true);
      await t.mutation(api.limits.reset, args);
      expect((await t.query(api.limits.peek, args)).remaining).toBe(5);
      expect((await t.mutation(api.limits.consume, { ...args, cost: 5 })).allowed).toBe(true);
    });
  }

  it('concurrent mutations never admit more than the limit', async () => {
    const t = convexTest(schema, modules);
    const args = { key: 'hot', algorithm: 'gcra' as const, limit: 10, windowMs: 3_600_000 };
    const results = await Promise.all(Array.from({ length: 40 }, () => t.mutation(api.limits.consume, args)));
    expect(results.filter((r) => r.allowed)).toHaveLength(10);
  });

  it('consumeAll is all-or-nothing in one mutation', async () => {
    const t = convexTest(schema, modules);
    const results = [];
    for (let i = 0; i < 12; i++) results.push(await t.mutation(api.limits.consumeBoth, { key: 'k' }));
    expect(results.filter((r) => r.allowed)).toHaveLength(10);
    expect(results.at(-1)!.results.map((r) => r.allowed)).toEqual([false, true]);
  });

  it('rows expire and the cleanup deletes them via the by_expiresAt index', async () => {
    const t = convexTest(schema, modules);
    await t.mutation(api.limits.consume, { key: 'a', algorithm: 'fixed-window', limit: 5, windowMs: 1_000 });
    await t.mutation(api.limits.consume, { key: 'b', algorithm: 'fixed-window', limit: 5, windowMs: 3_600_000 });
    expect(await t.query(api.limits.rowCount, {})).toBe(2);
    expect(await t.mutation(api.limits.cleanup, { now: Date.now() + 5_000 })).toBe(1);
    expect(await t.query(api.limits.rowCount, {})).toBe(1);
  });

  it('rejects a ctx without db', () => {
    expect(() => convexStore({} as never)).toThrow('"ctx"');
  });
});
