import { backgroundInterval } from '@armor/core';
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
    // Kernel interval: a period above 2^31 − 1 ms is chained (a plain one runs every ~1 ms).
    return backgroundInterval(() => setNow(clock.now()), everyMs);
  }, [clock, everyMs, enabled]);
  return now;
}
