/**
 * The outage conformance suite: every Redis-backed Armor component runs it against a real
 * `redis-server` and real faults.
 *
 * Faults (each on a fresh server, so one fault never leaks into the next):
 * - `pause`: `CLIENT PAUSE <ms> ALL`, every client hangs;
 * - `freeze`: SIGSTOP, the process is frozen, connections stay open;
 * - `kill`: SIGKILL, connections drop and new ones are refused;
 * - `restart`: a clean stop and start on the same port.
 *
 * For each fault the suite checks: every call made during the fault settles within the
 * subject's `timeoutMs` plus 100 ms — measured as an ordering, not in wall-clock ms: the call
 * must settle before a timer of that length started with it fires (see {@link settleWithin}),
 * so a loaded machine that runs every timer late does not change the verdict; the outcome is what the subject promises (fail-open or
 * fail-closed, checked by the subject's `expectOutage`); no unhandled rejection; and after Redis
 * is back a call behaves correctly again within 2 s.
 *
 * @module
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startRedis, type RedisServer } from './redis.js';

/** One component under test, built on a given Redis server. */
export interface OutageSubject {
  /** One operation of the component (a `get`, a `consume`, an `execute`...). */
  call(): Promise<unknown>;
  /** Asserts a call's outcome while Redis is down (fail-open value, typed error...). */
  expectOutage(outcome: PromiseSettledResult<unknown>): void;
  /** Asserts a call's outcome with Redis healthy. */
  expectHealthy(outcome: PromiseSettledResult<unknown>): void;
  /** The component's Redis timeout, in ms: calls must settle within it plus 100 ms. */
  timeoutMs: number;
  /** Releases clients and timers. */
  close(): Promise<void>;
}

/** Options of {@link outageSuite}. */
export interface OutageSuiteOptions {
  /** Builds the subject on `redis` (create your ioredis client with `redis.url`). */
  create(redis: RedisServer): Promise<OutageSubject>;
  /** Faults to run. @default ['pause', 'freeze', 'kill', 'restart'] */
  faults?: readonly OutageFault[];
  /** Calls made during each fault (sequentially, then as many concurrently). @default 3 */
  calls?: number;
}

/** The faults of the suite. */
export type OutageFault = 'pause' | 'freeze' | 'kill' | 'restart';

const settle = async (call: () => Promise<unknown>): Promise<{ outcome: PromiseSettledResult<unknown>; ms: number }> => {
  const started = performance.now();
  let outcome: PromiseSettledResult<unknown>;
  try {
    outcome = { status: 'fulfilled', value: await call() };
  } catch (reason) {
    outcome = { status: 'rejected', reason };
  }
  return { outcome, ms: performance.now() - started };
};

/** One call measured against a budget by {@link settleWithin}. */
export interface SettledWithin {
  outcome: PromiseSettledResult<unknown>;
  /** Wall-clock duration, in ms (for messages only: it depends on the machine's load). */
  ms: number;
  /** The call settled before a `budgetMs` timer started with it fired. */
  withinBudget: boolean;
}

/**
 * Runs `call` and tells whether it settled before a timer of `budgetMs` started with it fired.
 * An ordering, not a wall-clock measurement: on a loaded machine the call's own timers (a Redis
 * timeout of `timeoutMs`) and this one run late alike but still in due order (with microtasks
 * in between), so a call that needs one timeout settles within a budget of the timeout plus a
 * margin however late the event loop runs, and a call that waits for a second timeout does not.
 *
 * @example
 * ```ts
 * const { withinBudget, ms } = await settleWithin(() => cache.get('k'), 300);
 * expect(withinBudget, `took ${Math.round(ms)} ms`).toBe(true);
 * ```
 */
export async function settleWithin(call: () => Promise<unknown>, budgetMs: number): Promise<SettledWithin> {
  let late = false;
  const sentinel = setTimeout(() => {
    late = true;
  }, budgetMs);
  try {
    const { outcome, ms } = await settle(call);
    return { outcome, ms, withinBudget: !late };
  } finally {
    clearTimeout(sentinel);
  }
}

/** Polls until `subject.call()` passes `expectHealthy`, for at most `ms`; returns the time it took. */
async function recovers(subject: OutageSubject, ms: number): Promise<number> {
  const started = performance.now();
  let last: unknown;
  while (performance.now() - started < ms) {
    const { outcome } = await settle(() => subject.call());
    try {
      subject.expectHealthy(outcome);
      return performance.now() - started;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`did not recover within ${ms} ms after Redis came back: ${String(last)}`);
}

/**
 * Registers the outage suite for one component.
 *
 * @example
 * ```ts
 * outageSuite('redis cache store', {
 *   create: async (redis) => { ... return { call, expectOutage, expectHealthy, timeoutMs: 200, close } },
 * });
 * ```
 */
export function outageSuite(name: string, options: OutageSuiteOptions): void {
  const { faults = ['pause', 'freeze', 'kill', 'restart'], calls = 3 } = options;
  describe(`outage suite: ${name}`, () => {
    let redis: RedisServer | undefined;
    let subject: OutageSubject | undefined;
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);

    afterEach(async () => {
      process.off('unhandledRejection', onUnhandled);
      redis?.thaw();
      await subject?.close().catch(() => undefined);
      await redis?.stop();
      redis = undefined;
      subject = undefined;
      unhandled.length = 0;
    });

    for (const fault of faults) {
      it(`${fault}: calls settle within the timeout + 100 ms, as promised, no unhandled rejection, and recover within 2 s`, async () => {
        process.on('unhandledRejection', onUnhandled);
        redis = await startRedis();
        subject = await options.create(redis);
        const s = subject;
        // warm-up: the first call may pay for a connection and a script load on a busy machine
        await recovers(s, 5_000);

        const budget = s.timeoutMs + 100;
        if (fault === 'restart') {
          await redis.restart();
          await recovers(s, 2_000);
        } else {
          const pauseMs = 1_500 + (s.timeoutMs + 100) * calls * 2;
          const faultAt = Date.now();
          if (fault === 'pause') await redis.pause(pauseMs);
          else if (fault === 'freeze') redis.freeze();
          else await redis.kill();

          const over = (what: string, ms: number) => `${what} during ${fault} settled after a ${budget} ms timer started with it (${Math.round(ms)} ms)`;
          for (let i = 0; i < calls; i++) {
            const { outcome, ms, withinBudget } = await settleWithin(() => s.call(), budget);
            expect(withinBudget, over(`call ${i + 1}`, ms)).toBe(true);
            s.expectOutage(outcome);
          }
          const concurrent = await Promise.all(Array.from({ length: calls }, () => settleWithin(() => s.call(), budget)));
          for (const { outcome, ms, withinBudget } of concurrent) {
            expect(withinBudget, over('a concurrent call', ms)).toBe(true);
            s.expectOutage(outcome);
          }

          if (fault === 'freeze') redis.thaw();
          else if (fault === 'kill') await redis.start();
          // a pause ends on its own: wait for its end
          else await new Promise((r) => setTimeout(r, Math.max(0, faultAt + pauseMs + 50 - Date.now())));
          await recovers(s, 2_000);
        }
        await new Promise((r) => setTimeout(r, 20));
        expect(unhandled, 'unhandled rejections').toEqual([]);
      }, 60_000);
    }
  });
}
