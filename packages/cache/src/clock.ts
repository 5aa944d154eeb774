import type { Clock } from './types.js';

let cached = 0;
const reset = () => {
  cached = 0;
};

/**
 * The default clock: `Date.now()` read at most once per millisecond (like lru-cache's
 * `ttlResolution`), so a memory hit does not pay for a clock call every time. The cached
 * reading is dropped by an unref'd 1 ms timer, so it is never more than ~1 ms old.
 */
export const coarseClock: Clock = {
  now(): number {
    if (cached === 0) {
      cached = Date.now();
      const t = setTimeout(reset, 1);
      (t as { unref?: () => void }).unref?.();
    }
    return cached;
  },
};
