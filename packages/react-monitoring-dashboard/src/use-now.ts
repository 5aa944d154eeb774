import { MAX_TIMER_MS } from './source.js';
import { useEffect, useState } from 'react';
import type { Clock } from './types.js';

/**
 * The current time, re-read every `everyMs` while `enabled` (for "updated N s ago" and
 * countdowns). Only the component using it re-renders.
 */
export function useNow(clock: Clock, everyMs = 1000, enabled = true): number {
  const [now, setNow] = useState(() => clock.now());
  useEffect(() => {
    if (!enabled) return;
    setNow(clock.now());
    // Capped: a period above 2^31 − 1 ms would run every ~1 ms.
    const timer = setInterval(() => setNow(clock.now()), Math.min(everyMs, MAX_TIMER_MS));
    (timer as { unref?: () => void }).unref?.();
    return () => clearInterval(timer);
  }, [clock, everyMs, enabled]);
  return now;
}
