/** Bulkhead `maxQueueWaitMs` (manual clock). */
import { describe, expect, it } from 'vitest';
import { BulkheadRejectedError, bulkhead, manualClock } from './index.js';

describe('bulkhead maxQueueWaitMs', () => {
  it('a queued call that gets no slot within maxQueueWaitMs leaves the queue and rejects; one that does runs', async () => {
    const clock = manualClock();
    const pool = bulkhead({ maxConcurrent: 1, maxQueue: 5, maxQueueWaitMs: 100, clock });
    const reasons: (string | undefined)[] = [];
    pool.on('rejected', ({ reason }) => reasons.push(reason));
    let release!: () => void;
    const running = pool.execute(() => new Promise<string>((r) => (release = () => r('first'))));
    const late = pool.execute(() => 'late').catch((e: unknown) => e);
    clock.advance(50);
    const inTime = pool.execute(() => 'in time');
    expect(pool.stats()).toMatchObject({ active: 1, queued: 2 });
    clock.advance(50); // the first waiter has waited 100 ms
    const error = await late;
    expect(error).toBeInstanceOf(BulkheadRejectedError);
    expect((error as BulkheadRejectedError).details).toMatchObject({ reason: 'queueTimeout', maxQueueWaitMs: 100 });
    expect(pool.stats()).toMatchObject({ active: 1, queued: 1, rejected: 1 });
    release();
    await expect(running).resolves.toBe('first');
    await expect(inTime).resolves.toBe('in time');
    expect(clock.pending).toBe(0); // the started waiter's timer was cleared
    expect(reasons).toEqual(['queueTimeout']);
  });

  it('a full queue is rejected with reason full', async () => {
    const pool = bulkhead({ maxConcurrent: 1 });
    const reasons: (string | undefined)[] = [];
    pool.on('rejected', ({ reason }) => reasons.push(reason));
    const hold = pool.execute(() => new Promise<void>((r) => setTimeout(r, 1)));
    const error = await pool.execute(() => 1).catch((e: unknown) => e);
    expect((error as BulkheadRejectedError).details).toMatchObject({ reason: 'full' });
    expect(reasons).toEqual(['full']);
    await hold;
  });

  it('refuses a bad maxQueueWaitMs', () => {
    expect(() => bulkhead({ maxConcurrent: 1, maxQueueWaitMs: -1 })).toThrow(/maxQueueWaitMs/);
  });
});
