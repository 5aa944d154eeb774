/**
 * Times a query subscription from its start to its first result — where the clock moves (the
 * browser); inside Convex queries `Date.now()` is frozen. Pure (no React), so it is tested on
 * its own (`test/queryTimer.test.ts`); `useTimedQuery` / `useTimedPaginatedQuery` drive it.
 */

/** A finished wait: how long the subscription waited for its result, and whether it failed. */
export type TimedResult = (durationMs: number, ok: boolean) => void;

export interface SubscriptionTimer {
  /**
   * Call on every render with the subscription's identity (`null` when skipped), whether it is
   * still waiting, and whether it failed. A new identity starts a new timing — unless the first
   * render already has the result (the client held it: that would time the cache, not the
   * query). The first render that is no longer waiting after having waited reports once.
   */
  track(key: string | null, loading: boolean, failed: boolean): void;
  /** Times the next wait of the same subscription (a `loadMore`). */
  restart(key: string): void;
}

export function createSubscriptionTimer(report: TimedResult, clock: { now(): number } = performance): SubscriptionTimer {
  let pending: { key: string; started: number; sawLoading: boolean; done: boolean } | null = null;
  return {
    track(key, loading, failed) {
      if (key === null) {
        pending = null;
        return;
      }
      if (!pending || pending.key !== key) {
        pending = { key, started: clock.now(), sawLoading: loading, done: !loading };
        return;
      }
      if (pending.done) return;
      if (loading) {
        pending.sawLoading = true;
        return;
      }
      if (!pending.sawLoading) return;
      pending.done = true;
      report(clock.now() - pending.started, !failed);
    },
    restart(key) {
      pending = { key, started: clock.now(), sawLoading: false, done: false };
    },
  };
}
