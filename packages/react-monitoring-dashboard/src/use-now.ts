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
    const timer = setInterval(() => setNow(clock.now()), everyMs);
    (timer as { unref?: () => void }).unref?.();
    return () => clearInterval(timer);
  }, [clock, everyMs, enabled]);
  return now;
}
