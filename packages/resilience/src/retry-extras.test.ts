/**
 * Retry on a returned result (`retryIfResult`), an overall deadline (`maxElapsedMs`), and
 * Retry-After read from a fetch `Response`, axios/ky-style `error.response.headers` and
 * `details.headers`. Manual clock throughout.
 */
import { describe, expect, it } from 'vitest';
import { constantBackoff, manualClock, retryAfterFromError, retryPolicy, type GiveUpEvent, type ManualClock } from './index.js';

/** Moves `clock` forward 1 ms at a time, letting promise callbacks run at each step (and first). */
async function advance(clock: ManualClock, ms: number): Promise<void> {
  await clock.advanceAsync(0);
  for (let i = 0; i < ms; i++) await clock.advanceAsync(1);
}

const response = (status: number, headers: Record<string, string> = {}) => new Response(status === 204 ? null : 'body', { status, headers });

describe('retryIfResult', () => {
  it('retries a 503 Response and resolves with the 200 that follows', async () => {
    const clock = manualClock();
    const statuses = [503, 503, 200];
    let calls = 0;
    const policy = retryPolicy({ clock, maxAttempts: 5, backoff: constantBackoff(10), retryIfResult: (r) => (r as Response).status >= 500 });
    const retried: number[] = [];
    policy.on('retry', ({ attempt, error }) => retried.push(attempt, (error as Response).status));
    const p = policy.execute(() => response(statuses[calls++]!));
    await advance(clock, 20);
    const res = await p;
    expect(res.status).toBe(200);
    expect(calls).toBe(3);
    expect(retried).toEqual([1, 503, 2, 503]);
    expect(policy.stats()).toMatchObject({ attempts: 3, retries: 2, successes: 1, giveUps: 0 });
  });

  it('resolves with the last result when the attempts run out (never rejects because of a result)', async () => {
    const clock = manualClock();
    let calls = 0;
    const policy = retryPolicy({ clock, maxAttempts: 3, backoff: constantBackoff(10), retryIfResult: (r) => r === 'busy' });
    const p = policy.execute(() => {
      calls++;
      return 'busy';
    });
    await advance(clock, 20);
    await expect(p).resolves.toBe('busy');
    expect(calls).toBe(3);
  });

  it('waits for the Retry-After of a Response result', async () => {
    const clock = manualClock();
    let calls = 0;
    const p = retryPolicy({ clock, backoff: constantBackoff(1), retryIfResult: (r) => (r as Response).status === 429 }).execute(() =>
      ++calls === 1 ? response(429, { 'Retry-After': '2' }) : response(200),
    );
    await advance(clock, 1_999);
    expect(calls).toBe(1);
    await advance(clock, 1);
    expect((await p).status).toBe(200);
    expect(calls).toBe(2);
  });

  it('a throwing retryIfResult counts as "do not retry"', async () => {
    const policy = retryPolicy({
      retryIfResult: () => {
        throw new Error('bug');
      },
    });
    await expect(policy.execute(() => 'value')).resolves.toBe('value');
  });
});

describe('maxElapsedMs', () => {
  it('no retry starts and no backoff waits past the deadline', async () => {
    const clock = manualClock();
    const policy = retryPolicy({ clock, maxAttempts: Infinity, backoff: constantBackoff(100), maxElapsedMs: 250 });
    const gaveUp: GiveUpEvent[] = [];
    policy.on('giveUp', (e) => gaveUp.push(e));
    const started: number[] = [];
    const p = policy
      .execute(() => {
        started.push(clock.now());
        return Promise.reject(new Error('down'));
      })
      .catch((e: unknown) => e);
    await advance(clock, 1_000);
    expect(started).toEqual([0, 100, 200]); // the next one would start at 300 > 250
    expect(((await p) as Error).message).toBe('down');
    expect(gaveUp.map((e) => [e.reason, e.attempts])).toEqual([['maxElapsed', 3]]);
  });
});

describe('retryAfterFromError', () => {
  it('reads a fetch Response, axios/ky error.response.headers, and details.headers', () => {
    expect(retryAfterFromError(response(503, { 'Retry-After': '2' }))).toBe(2_000);
    // ky's HTTPError: error.response is a fetch Response
    expect(retryAfterFromError(Object.assign(new Error('HTTP 429'), { response: response(429, { 'retry-after': '3' }) }))).toBe(3_000);
    // axios: a plain object of lower-case headers ...
    expect(retryAfterFromError({ response: { status: 429, headers: { 'retry-after': '1' } } })).toBe(1_000);
    // ... or AxiosHeaders, with get()
    const axiosHeaders = { get: (name: string) => (name === 'retry-after' ? '4' : undefined) };
    expect(retryAfterFromError({ response: { headers: axiosHeaders } })).toBe(4_000);
    // node:http style: any case, array values
    expect(retryAfterFromError({ response: { headers: { 'Retry-After': ['5'] } } })).toBe(5_000);
    expect(retryAfterFromError({ details: { headers: new Headers({ 'Retry-After': '6' }) } })).toBe(6_000);
    expect(retryAfterFromError({ details: { headers: { 'RETRY-AFTER': '7' } } })).toBe(7_000);
    expect(retryAfterFromError({ details: { retryAfter: 8 } })).toBe(8_000);
    const date = new Date(60_000).toUTCString();
    expect(retryAfterFromError({ response: { headers: { 'retry-after': date } } }, 30_000)).toBe(30_000);
    expect(retryAfterFromError({ response: { headers: {} } })).toBeUndefined();
    expect(retryAfterFromError({ response: null })).toBeUndefined();
    expect(retryAfterFromError('nope')).toBeUndefined();
  });

  it('retry waits for the Retry-After of an axios-style error', async () => {
    const clock = manualClock();
    let calls = 0;
    const p = retryPolicy({ clock, backoff: constantBackoff(1) }).execute(() => {
      if (++calls === 1) throw Object.assign(new Error('Request failed with status code 503'), { response: { status: 503, headers: { 'retry-after': '1' } } });
      return 'ok';
    });
    await advance(clock, 999);
    expect(calls).toBe(1);
    await advance(clock, 1);
    await expect(p).resolves.toBe('ok');
  });
});
