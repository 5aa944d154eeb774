/**
 * `usePolling`: the dashboard's refresh loop — load on an interval, back off after failures
 * (honouring a server's `Retry-After`), pause while inactive, and keep the last good data.
 *
 * @module
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { MAX_TIMER_MS, parseSnapshot } from './source.js';
import type { Clock, MonitoringSnapshot, SnapshotSource } from './types.js';

/** What {@link usePolling} reports. */
export interface PollState {
  /** The last snapshot loaded from `source` (`null` until the first success). */
  snapshot: MonitoringSnapshot | null;
  /** The last failure, cleared by the next success. */
  error: unknown;
  /** When the last snapshot arrived (epoch ms). */
  updatedAt: number | null;
  /** When the next load is due (epoch ms), `null` while inactive. */
  nextAt: number | null;
  /** A load is in progress. */
  loading: boolean;
}

/** Options of {@link usePolling}. */
export interface UsePollingOptions {
  /** Where snapshots come from; polling restarts only when its `key` changes. */
  source: SnapshotSource | undefined;
  /** Without a source: called on every tick (controlled mode). */
  onRefresh: (() => void | Promise<void>) | undefined;
  /** Interval between loads after a success (ms); `0` = off. */
  intervalMs: number;
  /** Whether to schedule loads at all (off while paused or hidden). */
  active: boolean;
  /** Longest retry delay after failures (ms). */
  maxRetryDelayMs: number;
  /** Called with every failure. */
  onError: ((error: unknown) => void) | undefined;
  /** Time source. */
  clock: Clock;
  /** When data was last loaded before polling started (e.g. a controlled snapshot), epoch ms. */
  initialDoneAt: number | null;
  /**
   * Query parameters passed to `source.load` (e.g. `{ instance: 'web-2', range: '1h' }`). A new
   * value (compared by content) aborts the load in flight and loads again at once.
   * @default undefined (none)
   */
  query?: Readonly<Record<string, string>> | undefined;
}

function queryKeyOf(query: Readonly<Record<string, string>> | undefined): string | null {
  if (query === undefined) return null;
  const params = new URLSearchParams();
  for (const name of Object.keys(query).sort()) params.set(name, String(query[name]));
  return params.toString();
}

function retryAfterOf(error: unknown): number | undefined {
  const value = typeof error === 'object' && error !== null ? (error as { retryAfterMs?: unknown }).retryAfterMs : undefined;
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/**
 * Next retry delay after `failures` consecutive failures (ms): the refresh interval doubled per
 * failure, capped at `maxRetryDelayMs`, and never shorter than a server's `retryAfterMs`.
 */
export function retryDelayMs(error: unknown, failures: number, intervalMs: number, maxRetryDelayMs: number): number {
  const base = intervalMs > 0 ? intervalMs : 5_000;
  const backoff = Math.min(base * 2 ** Math.max(0, failures - 1), Math.max(base, maxRetryDelayMs));
  const retryAfter = retryAfterOf(error);
  return retryAfter === undefined ? backoff : Math.max(backoff, retryAfter);
}

/**
 * Polls `source` (or calls `onRefresh`) every `intervalMs` while `active`, with backoff after
 * failures. Latest callbacks are read from refs, so inline functions and sources do not restart
 * the loop. Returns the poll state and a `refreshNow()` that loads at once.
 *
 * @example
 * ```tsx
 * const { state, refreshNow } = usePolling({ source, onRefresh: undefined, intervalMs: 5000, active: true,
 *   maxRetryDelayMs: 60_000, onError: undefined, clock: systemClock, initialDoneAt: null });
 * ```
 */
export function usePolling(options: UsePollingOptions): { state: PollState; refreshNow: () => void; canLoad: boolean } {
  const { source, onRefresh, intervalMs, active, maxRetryDelayMs, clock } = options;
  const [state, setState] = useState<PollState>({ snapshot: null, error: null, updatedAt: null, nextAt: null, loading: false });
  const [force, setForce] = useState(0);
  const sourceRef = useRef(source);
  sourceRef.current = source;
  const onRefreshRef = useRef(onRefresh);
  onRefreshRef.current = onRefresh;
  const onErrorRef = useRef(options.onError);
  onErrorRef.current = options.onError;
  const clockRef = useRef(clock);
  clockRef.current = clock;
  const lastDoneRef = useRef<number | null>(options.initialDoneAt);
  const nextDelayRef = useRef(0);
  const failuresRef = useRef(0);
  const forceRef = useRef(false);
  const queryRef = useRef(options.query);
  queryRef.current = options.query;
  const queryKey = queryKeyOf(options.query);
  const loadedQueryRef = useRef(queryKey);

  const sourceKey = source ? (source.key ?? '') : null;
  const canLoad = sourceKey !== null || onRefresh !== undefined;

  useEffect(() => {
    if (!canLoad) return;
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let controller: AbortController | undefined;
    const now = () => clockRef.current.now();
    const schedule = (delay: number) => {
      if (!active) {
        setState((s) => (s.nextAt === null ? s : { ...s, nextAt: null }));
        return;
      }
      const at = now() + delay;
      setState((s) => ({ ...s, nextAt: at }));
      // Options are at most MAX_TIMER_MS (the dashboard refuses more); a server's longer
      // Retry-After is shortened to MAX_TIMER_MS (24.8 days), never to the ~1 ms of an overflow.
      timer = setTimeout(() => void run(), Math.min(delay, MAX_TIMER_MS));
      (timer as { unref?: () => void }).unref?.();
    };
    const run = async () => {
      controller = new AbortController();
      setState((s) => (s.loading ? s : { ...s, loading: true }));
      const src = sourceRef.current;
      try {
        let loaded: MonitoringSnapshot | undefined;
        const query = queryRef.current;
        if (src) loaded = parseSnapshot(await src.load(query === undefined ? { signal: controller.signal } : { signal: controller.signal, query }));
        else await onRefreshRef.current?.();
        if (cancelled) return;
        const at = now();
        failuresRef.current = 0;
        lastDoneRef.current = at;
        nextDelayRef.current = intervalMs;
        setState((s) => ({ ...s, snapshot: loaded ?? s.snapshot, error: null, updatedAt: loaded ? at : s.updatedAt, loading: false }));
        schedule(intervalMs);
      } catch (error) {
        if (cancelled) return;
        failuresRef.current += 1;
        const delay = retryDelayMs(error, failuresRef.current, intervalMs, maxRetryDelayMs);
        lastDoneRef.current = now();
        nextDelayRef.current = delay;
        setState((s) => ({ ...s, error, loading: false }));
        try {
          onErrorRef.current?.(error);
        } catch {
          // a throwing onError must not stop polling
        }
        schedule(delay);
      }
    };
    const last = lastDoneRef.current;
    // a new query (another instance or range) loads at once, like "Refresh now"
    const forced = forceRef.current || loadedQueryRef.current !== queryKey;
    forceRef.current = false;
    loadedQueryRef.current = queryKey;
    if (forced || last === null) void run();
    else {
      // After a success the next load is due one (current) interval later; after a failure, at the backoff.
      const due = last + (failuresRef.current > 0 ? nextDelayRef.current : intervalMs) - now();
      if (active && due <= 0) void run();
      else schedule(Math.max(0, due));
    }
    return () => {
      cancelled = true;
      clearTimeout(timer);
      controller?.abort();
    };
  }, [sourceKey, canLoad, intervalMs, active, force, maxRetryDelayMs, queryKey]);

  const refreshNow = useCallback(() => {
    forceRef.current = true;
    setForce((n) => n + 1);
  }, []);
  return { state, refreshNow, canLoad };
}
