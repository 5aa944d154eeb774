/**
 * Store conformance suite: the same scenarios against every store (memory, Redis,
 * transactional/Convex). Windows are long (1 h) so the scenarios hold with a real clock
 * (Redis `TIME`); block timing uses short blocks and real waits.
 */
import { describe, expect, it } from 'vitest';
import { consumeAll, createRateLimiter, type Algorithm, type RateLimitStore } from '../src/index.js';

export const ALGORITHMS: readonly Algorithm[] = ['fixed-window', 'sliding-window', 'token-bucket', 'gcra'];
const HOUR = 3_600_000;
let seq = 0;
const unique = (label: string) => `${label}-${Date.now().toString(36)}-${seq++}`;

export function storeConformance(label: string, makeStore: () => RateLimitStore | Promise<RateLimitStore>): void {
  describe(`store conformance: ${label}`, () => {
    for (const algorithm of ALGORITHMS) {
      describe(algorithm, () => {
        it('admits exactly `limit`, then refuses with reason "limit" and a positive retryAfterMs', async () => {
          const store = await makeStore();
          const limiter = createRateLimiter({ algorithm, limit: 5, windowMs: HOUR, store, prefix: unique('a') });
          const results = [];
          for (let i = 0; i < 7; i++) results.push(await limiter.consume('k'));
          expect(results.map((r) => r.allowed)).toEqual([true, true, true, true, true, false, false]);
          expect(results.map((r) => r.remaining)).toEqual([4, 3, 2, 1, 0, 0, 0]);
          expect(results[5]!.reason).toBe('limit');
          expect(results[0]!.reason).toBeUndefined();
          expect(results[5]!.retryAfterMs).toBeGreaterThan(0);
          expect(results[0]!.retryAfterMs).toBe(0);
          expect(results[0]!.limit).toBe(5);
        });

        it('a refused consume takes no points; a smaller cost still fits', async () => {
          const store = await makeStore();
          const limiter = createRateLimiter({ algorithm, limit: 10, windowMs: HOUR, store, prefix: unique('b') });
          expect((await limiter.consume('k', 7)).remaining).toBe(3);
          const refused = await limiter.consume('k', 4);
          expect(refused.allowed).toBe(false);
          expect(refused.remaining).toBe(3);
          expect((await limiter.consume('k', 3)).allowed).toBe(true);
          expect((await limiter.consume('k', 1)).allowed).toBe(false);
        });

        it('peek does not consume; reset restores the full allowance; keys are independent', async () => {
          const store = await makeStore();
          const limiter = createRateLimiter({ algorithm, limit: 2, windowMs: HOUR, store, prefix: unique('c') });
          expect((await limiter.peek('k')).remaining).toBe(2);
          await limiter.consume('k', 2);
          const peeked = await limiter.peek('k');
          expect(peeked).toMatchObject({ allowed: false, remaining: 0, reason: 'limit' });
          expect((await limiter.consume('other')).allowed).toBe(true);
          await limiter.reset('k');
          expect((await limiter.consume('k', 2)).allowed).toBe(true);
        });

        it('penalize goes past the limit and reward gives points back', async () => {
          const store = await makeStore();
          const limiter = createRateLimiter({ algorithm, limit: 3, windowMs: HOUR, store, prefix: unique('d') });
          const penalized = await limiter.penalize('k', 5);
          expect(penalized).toMatchObject({ allowed: false, remaining: 0, reason: 'limit' });
          await limiter.reward('k', 3);
          expect((await limiter.peek('k')).remaining).toBe(1);
          await limiter.reward('k', 100);
          expect((await limiter.peek('k')).remaining).toBe(3);
        });

        it('blocks after a refusal, with growing blocks', async () => {
          // Scheduler-independent: block lengths are read from the answers that start the
          // blocks (`blockedMs`, measured by the store's own clock), the waits poll until the
          // store says the block is over (never a fixed sleep that a loaded machine could
          // stretch past the next block), and "still blocked" is only asserted when the
          // measured time since the refusal is shorter than the block.
          const store = await makeStore();
          const limiter = createRateLimiter({ algorithm, limit: 1, windowMs: HOUR, store, prefix: unique('e'), blockDurationMs: 200, blockGrowth: 2, maxBlockDurationMs: 10_000 });
          const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
          /** Consumes until the store no longer answers 'blocked' (the block is over); returns that answer. */
          const afterBlock = async () => {
            for (;;) {
              const r = await limiter.consume('k');
              if (r.reason !== 'blocked') return r;
              await sleep(Math.max(10, Math.min(r.retryAfterMs, 100)));
            }
          };
          expect((await limiter.consume('k')).allowed).toBe(true);
          const blockLengths: number[] = [];
          let refusal = await limiter.consume('k');
          for (let strike = 1; strike <= 3; strike++) {
            const startedAt = Date.now();
            expect(refusal).toMatchObject({ allowed: false, reason: 'limit', remaining: 0 });
            blockLengths.push(refusal.blockedMs ?? refusal.retryAfterMs);
            expect(refusal.retryAfterMs).toBeGreaterThanOrEqual(blockLengths.at(-1)!);
            const next = await limiter.consume('k');
            if (Date.now() - startedAt < blockLengths.at(-1)! - 20) expect(next).toMatchObject({ allowed: false, reason: 'blocked', remaining: 0 });
            else expect(next.allowed).toBe(false);
            refusal = await afterBlock();
          }
          // 200 ms, then twice as long each time (the store's clock; rounding allows 1 ms).
          expect(blockLengths[0]).toBeGreaterThanOrEqual(199);
          expect(blockLengths[0]).toBeLessThanOrEqual(200);
          expect(blockLengths[1]).toBeGreaterThanOrEqual(399);
          expect(blockLengths[1]).toBeLessThanOrEqual(400);
          expect(blockLengths[2]).toBeGreaterThanOrEqual(799);
          expect(blockLengths[2]).toBeLessThanOrEqual(800);
          await limiter.reset('k');
          expect((await limiter.consume('k')).allowed).toBe(true);
        });

        it('penalize that uses up the limit starts a block', async () => {
          const store = await makeStore();
          const limiter = createRateLimiter({ algorithm, limit: 3, windowMs: HOUR, store, prefix: unique('f'), blockDurationMs: 60_000 });
          expect((await limiter.penalize('k')).allowed).toBe(true);
          expect((await limiter.penalize('k')).allowed).toBe(true);
          const third = await limiter.penalize('k');
          expect(third).toMatchObject({ allowed: false, reason: 'blocked' });
          expect(third.retryAfterMs).toBeGreaterThan(59_000);
          expect((await limiter.peek('k')).reason).toBe('blocked');
        });
      });
    }

    it('consumeAll is all-or-nothing across limiters', async () => {
      const store = await makeStore();
      const id = unique('g');
      const small = createRateLimiter({ algorithm: 'fixed-window', limit: 2, windowMs: HOUR, store, name: `${id}-small` });
      const large = createRateLimiter({ algorithm: 'gcra', limit: 10, windowMs: HOUR, store, name: `${id}-large` });
      expect((await consumeAll([small, large], 'k')).allowed).toBe(true);
      expect((await consumeAll([small, large], 'k')).allowed).toBe(true);
      const refused = await consumeAll([small, large], 'k');
      expect(refused.allowed).toBe(false);
      expect(refused.reason).toBe('limit');
      expect(refused.limit).toBe(2);
      expect(refused.results.map((r) => r.allowed)).toEqual([false, true]);
      // The refused call took nothing from the large limiter.
      expect((await large.peek('k')).remaining).toBe(8);
      expect((await consumeAll([large, small], 'other', 2)).remaining).toBe(0);
    });
  });
}
