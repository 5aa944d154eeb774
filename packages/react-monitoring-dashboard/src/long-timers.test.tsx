// Long timers (a runtime timer holds at most 2^31 − 1 ms; a longer delay runs after ~1 ms): a
// refresh interval, a server's Retry-After, a ticking clock or a fetch timeout of 2^31 ms or
// more must wait, not run at once (or every millisecond). Real timers and a short real wait.
import { act, cleanup, renderHook } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { httpSource } from './source.js';
import { useNow } from './use-now.js';
import { usePolling } from './use-polling.js';
import type { SnapshotSource } from './types.js';
import { emptySnapshot } from '../test/fixtures.js';

afterEach(cleanup);

const LONG = 2 ** 31;
/** Far longer than the ~1 ms an overflowing timer takes. */
const settle = () => act(() => new Promise<void>((r) => setTimeout(r, 100)));
const clock = { now: () => Date.now() };

function poll(source: SnapshotSource, intervalMs: number) {
  return renderHook(() =>
    usePolling({ source, onRefresh: undefined, intervalMs, active: true, maxRetryDelayMs: 60_000, onError: undefined, clock, initialDoneAt: null }),
  );
}

describe('timers of 2^31 ms or more wait', () => {
  it('usePolling: a refresh interval of 2^31 ms loads once, not every millisecond', async () => {
    let loads = 0;
    const source: SnapshotSource = { key: 'long-interval', load: () => (loads++, Promise.resolve(emptySnapshot())) };
    const { result, unmount } = poll(source, LONG);
    await settle();
    expect(loads).toBe(1);
    expect(result.current.state.error).toBeNull();
    expect(result.current.state.snapshot).not.toBeNull();
    unmount();
  });

  it("usePolling: a server's Retry-After of 2^31 ms waits before the next load", async () => {
    let loads = 0;
    const source: SnapshotSource = { key: 'long-retry-after', load: () => (loads++, Promise.reject(Object.assign(new Error('busy'), { retryAfterMs: LONG }))) };
    const { result, unmount } = poll(source, 1000);
    await settle();
    expect(loads).toBe(1);
    expect(result.current.state.nextAt! - Date.now()).toBeGreaterThan(LONG - 60_000);
    unmount();
  });

  it('useNow: a tick of 2^31 ms does not re-read the clock every millisecond', async () => {
    let reads = 0;
    const counting = { now: () => (reads++, Date.now()) };
    const { unmount } = renderHook(() => useNow(counting, LONG));
    await settle(); // mount and effect done
    const afterMount = reads;
    await settle();
    expect(reads).toBe(afterMount);
    unmount();
  });

  it('httpSource and the dashboard refuse timeouts and intervals a runtime timer cannot hold', () => {
    expect(() => httpSource('http://dashboard.test/snapshot', { timeoutMs: LONG })).toThrow(/at most 2147483647/);
    expect(() => httpSource('http://dashboard.test/snapshot', { timeoutMs: LONG - 1 })).not.toThrow();
  });

  it('httpSource: the longest timeoutMs (2^31 − 1 ms) does not time the request out at once', async () => {
    const fetch = (_url: RequestInfo | URL, init?: RequestInit) =>
      new Promise<Response>((_resolve, reject) => init!.signal!.addEventListener('abort', () => reject(init!.signal!.reason)));
    const source = httpSource('http://dashboard.test/snapshot', { timeoutMs: LONG - 1, fetch });
    const caller = new AbortController();
    let outcome: unknown = 'pending';
    const load = source.load({ signal: caller.signal }).then(
      () => (outcome = 'resolved'),
      (error: unknown) => (outcome = error),
    );
    await new Promise((r) => setTimeout(r, 100));
    expect(outcome).toBe('pending');
    caller.abort(new Error('done'));
    await load;
    expect((outcome as Error).message).toBe('done');
  });
});
