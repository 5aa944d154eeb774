// @vitest-environment jsdom
// Long timers (a runtime timer holds at most 2^31 − 1 ms; a longer delay runs after ~1 ms): a
// retry wait of 2^31 ms or more (a server's Retry-After) must wait, not retry at once.
import { act, cleanup, renderHook } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { RateLimitError } from './index.js';
import { useMutation } from './react.js';

afterEach(cleanup);

describe('useMutation retry waits longer than a runtime timer holds', () => {
  it.each([2 ** 31, 40 * 86_400_000])('a Retry-After of %i ms does not retry after ~1 ms', async (retryAfterMs) => {
    let attempts = 0;
    const { result, unmount } = renderHook(() =>
      useMutation({
        mutate: () => {
          attempts++;
          return Promise.reject(new RateLimitError('Slow down', { retryAfterMs }));
        },
        retry: { maxAttempts: 2 },
      }),
    );
    act(() => result.current.mutate(undefined));
    // A real wait far longer than the ~1 ms an overflowing timer takes.
    await act(() => new Promise((r) => setTimeout(r, 100)));
    expect(attempts).toBe(1);
    expect(result.current.status).toBe('pending');
    unmount(); // aborts the wait
  });
});
