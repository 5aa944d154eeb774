/**
 * An in-process {@link BreakerStateStore}: breakers given the same store share one state, with
 * exactly the semantics of `redisBreakerState` (it passes the same conformance suite). Useful to
 * make several breakers of one process (e.g. one per client instance) open and close together,
 * and as the reference implementation of the store contract.
 *
 * @module
 */
import { checkMs, checkOptions } from '@armor/core';
import type { AcquireResult, BreakerState, BreakerStateStore, SharedBreakerSnapshot } from './breaker.js';

/** Options of {@link memoryBreakerState}. */
export interface MemoryBreakerStateOptions {
  /** How often (ms) a breaker re-reads the shared state before a call. @default 0 (every call; it is in memory) */
  syncIntervalMs?: number;
}

/**
 * Creates an in-process shared breaker state. Times are the breakers' clocks (pass them the
 * same clock).
 *
 * @example
 * ```ts
 * const state = memoryBreakerState();
 * const a = circuitBreaker({ name: 'payments-a', state });
 * const b = circuitBreaker({ name: 'payments-b', state }); // opens when a opens
 * ```
 */
export function memoryBreakerState(options: MemoryBreakerStateOptions = {}): BreakerStateStore {
  checkOptions('memoryBreakerState', options, ['syncIntervalMs']);
  const { syncIntervalMs = 0 } = options;
  checkMs('syncIntervalMs', syncIntervalMs);
  let state: BreakerState = 'closed';
  let since = 0;
  let openUntil = 0;
  let probes = 0;
  let leaseUntil = 0;
  const snapshot = (): SharedBreakerSnapshot => ({ state, since, openUntil });
  return {
    syncIntervalMs,
    read: () => Promise.resolve(snapshot()),
    acquire(now, maxProbes, probeLeaseMs): Promise<AcquireResult> {
      let permit: AcquireResult['permit'] = 'call';
      if (state === 'open' && now >= openUntil) {
        state = 'half-open';
        since = openUntil;
        openUntil = 0;
        probes = 0;
        leaseUntil = 0;
      }
      if (state === 'half-open') {
        if (probes >= maxProbes && now >= leaseUntil) probes = 0;
        if (probes < maxProbes) {
          probes++;
          leaseUntil = now + probeLeaseMs;
          permit = 'probe';
        } else permit = 'rejected';
      } else if (state !== 'closed') permit = 'rejected';
      return Promise.resolve({ permit, snapshot: snapshot() });
    },
    transition(from, to, now, until) {
      if ((from === '*' || from === state) && to !== state) {
        state = to;
        since = now;
        probes = 0;
        leaseUntil = 0;
        openUntil = to === 'open' ? until : 0;
      }
      return Promise.resolve(snapshot());
    },
    release() {
      if (state === 'half-open' && probes > 0) probes--;
      return Promise.resolve();
    },
  };
}
