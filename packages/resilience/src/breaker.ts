/**
 * Circuit breaker: consecutive-failure or rolling failure-rate strategies, a slow-call
 * condition, exact half-open concurrency, isolation, events, stats, and optional state shared
 * across processes through a {@link BreakerStateStore} (e.g. `redisBreakerState`).
 *
 * @module
 */
import { CircuitOpenError, ConfigurationError } from '@armor/errors';
import {
  Emitter,
  abortReason,
  checkClock,
  checkFunction,
  checkInt,
  checkMs,
  checkNumber,
  checkOptions,
  checkString,
  toScheduler,
  type Clock,
  type Kinded,
  type Listener,
  type Observable,
  type Scheduler,
} from '@armor/core';
import { BREAKER_REJECTION, callFn, isClientError, type Policy, type PolicyFn } from './policy.js';
import type { Backoff } from './backoff.js';
import { CountWindow, RollingCounters } from './rolling.js';

/** The states of a breaker. `isolated` is a manual hard-open (see {@link CircuitBreaker.isolate}). */
export type BreakerState = 'closed' | 'open' | 'half-open' | 'isolated';

/** Payload of `stateChange` / `onStateChange`. */
export interface StateChangeEvent {
  from: BreakerState;
  to: BreakerState;
  /** When it happened (epoch ms). */
  at: number;
}

/** Events of a {@link CircuitBreaker} (see OBSERVABILITY.md). */
export interface CircuitBreakerEvents {
  stateChange: StateChangeEvent;
  /** A call succeeded (it may still count as a failure when slower than `slowCallMs`). */
  success: { durationMs: number };
  /** A call failed and `isFailure` counted it. */
  failure: { durationMs: number; error: unknown };
  /** A call was refused without running `fn`. */
  rejected: { retryAfterMs: number | undefined };
  /** The shared state store failed; the breaker keeps working on its local state. */
  storeError: { operation: string; error: unknown };
}

/** Plain-data statistics (maps onto `breakerStatsSchema` of `@armor/metrics`). */
export interface CircuitBreakerStats {
  name: string;
  state: BreakerState;
  /** Calls counted as failures since creation (including slow calls). */
  failures: number;
  /** Calls that succeeded since creation. */
  successes: number;
  /** Calls refused without running since creation. */
  rejected: number;
  /** When the state last changed (epoch ms). */
  since: number;
  /** Successful calls slower than `slowCallMs` since creation. */
  slowCalls: number;
  /** Current consecutive failures (consecutive strategy) or failures in the window (rate strategy). */
  currentFailures: number;
  /** Calls in the rolling window (rate strategy; `0` for the consecutive strategy). */
  windowCalls: number;
  /** Half-open probes now running and holding a live lease (see `probeLeaseMs`). */
  halfOpenInFlight: number;
  /** Epoch ms when an open breaker lets a probe through (`0` unless open). */
  openUntil: number;
  /**
   * Half-open probes abandoned since creation: their `probeLeaseMs` lease ran out before they
   * settled, so their slot was freed and their outcome no longer decides the state.
   */
  abandonedProbes: number;
}

/** Snapshot of a shared breaker state. */
export interface SharedBreakerSnapshot {
  state: BreakerState;
  /** When the state last changed (epoch ms). */
  since: number;
  /** Epoch ms after which an open breaker half-opens. */
  openUntil: number;
}

/** Result of {@link BreakerStateStore.acquire}. */
export interface AcquireResult {
  /** `call`: closed, run normally; `probe`: a half-open probe slot was taken; `rejected`. */
  permit: 'call' | 'probe' | 'rejected';
  snapshot: SharedBreakerSnapshot;
}

/**
 * Where a breaker shares its state with other processes. Every method must be atomic.
 * In-process state is the default; `redisBreakerState` is the distributed driver.
 */
export interface BreakerStateStore {
  /** How often (ms) a breaker re-reads the shared state before a call. */
  readonly syncIntervalMs: number;
  /**
   * Reads the shared state. `now` is the breaker's clock (epoch ms); a store keeping its own
   * time (e.g. Redis `TIME`) uses it to express the snapshot's times in the breaker's clock.
   */
  read(now?: number): Promise<SharedBreakerSnapshot>;
  /**
   * Atomically: an open state past `openUntil` becomes half-open; in half-open, takes one of
   * `maxProbes` probe slots (slots older than `probeLeaseMs` are reclaimed).
   */
  acquire(now: number, maxProbes: number, probeLeaseMs: number): Promise<AcquireResult>;
  /**
   * Atomically moves from `from` (`'*'` = any state) to `to`; does nothing when the shared
   * state is not `from`. Returns the state afterwards.
   */
  transition(from: BreakerState | '*', to: BreakerState, now: number, openUntil: number): Promise<SharedBreakerSnapshot>;
  /**
   * Frees one half-open probe slot taken by {@link BreakerStateStore.acquire} whose probe was
   * abandoned by its caller (an aborted signal) while its lease was live, so other processes
   * may probe at once instead of waiting for `probeLeaseMs`. Optional: a store without it
   * frees the slot when the lease runs out.
   */
  release?(now: number): Promise<void>;
}

/** Options of {@link circuitBreaker}. */
export interface CircuitBreakerOptions {
  /** Name used in metrics and error messages. @default 'breaker' */
  name?: string;
  /**
   * Consecutive-failure strategy: open after this many failures in a row.
   * @default 5 (when `failureRate` is not given)
   */
  failureThreshold?: number;
  /** Failure-rate strategy: open when failures / calls in the window reach this, in (0, 1]. */
  failureRate?: number;
  /**
   * Failure-rate strategy: calls needed in the window before the rate is judged. Needs
   * `failureRate` (a `ConfigurationError` without it).
   * @default 10 (or `windowSize`, when that is smaller)
   */
  minimumThroughput?: number;
  /**
   * Failure-rate strategy over a count-based sliding window: judge the last `windowSize`
   * calls instead of the calls of the last `windowMs`. Not combinable with `windowMs`/`buckets`.
   * Needs `failureRate` (a `ConfigurationError` without it).
   * @default undefined (a time window)
   */
  windowSize?: number;
  /**
   * Failure-rate strategy: rolling window length in ms. Needs `failureRate` (a
   * `ConfigurationError` without it: the consecutive-failure strategy has no window).
   * @default 30_000
   */
  windowMs?: number;
  /** Failure-rate strategy: buckets the window is divided into. Needs `failureRate`. @default 10 */
  buckets?: number;
  /** When set, successful calls slower than this (ms) count as failures. @default undefined */
  slowCallMs?: number;
  /**
   * Time an open breaker waits before letting probes through (ms), or a {@link Backoff} for a
   * growing break: it gets `{ attempt }`, the number of times the breaker opened in a row
   * without closing (1 for the first), e.g. `exponentialBackoff({ initial: 1_000, max: 60_000, jitter: 'none' })`.
   * @default 30_000
   */
  halfOpenAfterMs?: number | Backoff;
  /** Probe calls allowed at once in half-open; others are rejected. @default 1 */
  halfOpenMaxConcurrent?: number;
  /**
   * Successful probes needed to close a half-open breaker (any failed probe reopens it). With a
   * shared `state`, counted per process. @default 1
   */
  halfOpenSuccesses?: number;
  /**
   * Whether an error counts against the breaker. Default: everything except exposed client
   * errors (Armor 4xx other than 408/429) — a 404 means the dependency is healthy.
   */
  isFailure?: (error: unknown) => boolean;
  /** Called on every state change (errors it throws are swallowed). */
  onStateChange?: (event: StateChangeEvent) => void;
  /** Shared state across processes, e.g. `redisBreakerState({ client, key })`. @default in-process */
  state?: BreakerStateStore;
  /**
   * Lease of a half-open probe slot, in ms, in-process and with a shared `state` alike. A
   * probe that has not settled after this long (hung, or its process crashed) is abandoned:
   * its slot is freed for the next call, so a breaker never sticks in half-open. Its late
   * outcome still counts in `stats()` and the `success`/`failure` events, but never changes
   * the state (only a probe holding a live lease decides). Expiry is checked lazily with
   * `clock` when a call arrives (no timer per call). Set it above the dependency's worst
   * latency, or put a `timeoutPolicy` inside the breaker.
   * @default max(halfOpenAfterMs, 10_000)
   */
  probeLeaseMs?: number;
  /** Time source. @default system clock */
  clock?: Clock;
}

/** Every option name of {@link circuitBreaker} (checked for typos). */
const BREAKER_KEYS = [
  'name',
  'failureThreshold',
  'failureRate',
  'minimumThroughput',
  'windowSize',
  'windowMs',
  'buckets',
  'slowCallMs',
  'halfOpenAfterMs',
  'halfOpenMaxConcurrent',
  'halfOpenSuccesses',
  'isFailure',
  'onStateChange',
  'state',
  'probeLeaseMs',
  'clock',
] as const;

/** A circuit breaker (see {@link circuitBreaker}). */
export interface CircuitBreaker extends Policy, Kinded<'circuit-breaker'>, Observable<CircuitBreakerEvents> {
  /** The breaker's name. */
  readonly name: string;
  /** Current state (an open breaker past `halfOpenAfterMs` reports `half-open`). */
  readonly state: BreakerState;
  /** Holds the breaker open until {@link CircuitBreaker.reset}. Resolves once a shared store has it. */
  isolate(): Promise<void>;
  /** Closes the breaker and clears its counters. Resolves once a shared store has it. */
  reset(): Promise<void>;
  /** Re-reads the shared state now (no-op without a store). */
  sync(): Promise<void>;
  /** Plain-data statistics. */
  stats(): CircuitBreakerStats;
}

const defaultIsFailure = (error: unknown): boolean => !isClientError(error);
const STATES: readonly BreakerState[] = ['closed', 'open', 'half-open', 'isolated'];

/** @internal */
export class CircuitBreakerImpl extends Emitter<CircuitBreakerEvents> implements CircuitBreaker {
  readonly kind = 'circuit-breaker' as const;
  readonly name: string;
  readonly #time: Scheduler;
  readonly #threshold: number;
  readonly #rate: number;
  readonly #minimumThroughput: number;
  readonly #window: RollingCounters | CountWindow | undefined;
  readonly #slowCallMs: number | undefined;
  readonly #halfOpenAfterMs: number | Backoff;
  readonly #probeSuccessesNeeded: number;
  /** Successful probes in the current half-open period. */
  #probeSuccesses = 0;
  /** Times opened in a row without closing (drives a growing break duration). */
  #opens = 0;
  #lastBreakMs = 0;
  readonly #maxProbes: number;
  readonly #probeLeaseMs: number;
  readonly #isFailure: (error: unknown) => boolean;
  readonly #onStateChange: ((event: StateChangeEvent) => void) | undefined;
  readonly #store: BreakerStateStore | undefined;

  #state: BreakerState = 'closed';
  #since: number;
  #openUntil = 0;
  #gen = 0;
  /** Live half-open probes: probe id -> lease deadline (epoch ms). */
  readonly #probes = new Map<number, number>();
  #probeSeq = 0;
  #abandoned = 0;
  #consecutive = 0;
  #timed: boolean;
  #failures = 0;
  #successes = 0;
  #rejected = 0;
  #slowCalls = 0;
  #syncedAt = -Infinity;
  #syncing: Promise<void> | undefined;

  constructor(options: CircuitBreakerOptions) {
    checkOptions('circuitBreaker', options, BREAKER_KEYS);
    const o = options;
    checkString('name', o.name);
    super({ component: `circuit-breaker ${o.name ?? 'breaker'}` });
    if (o.failureThreshold !== undefined && o.failureRate !== undefined) {
      throw new ConfigurationError('failureThreshold', 'cannot be combined with failureRate (pick one strategy)', { received: o.failureThreshold });
    }
    checkInt('failureThreshold', o.failureThreshold, 1);
    checkNumber('failureRate', o.failureRate, { min: 0, exclusiveMin: true, max: 1 });
    checkInt('minimumThroughput', o.minimumThroughput, 1);
    checkInt('windowSize', o.windowSize, 1);
    // options of the failure-rate strategy mean nothing to the consecutive-failure one: refuse rather than ignore them
    for (const option of ['windowSize', 'windowMs', 'buckets', 'minimumThroughput'] as const) {
      if (o.failureRate === undefined && o[option] !== undefined) throw new ConfigurationError(option, 'needs failureRate (an option of the failure-rate strategy, ignored without it)', { received: o[option] });
    }
    if (o.windowSize !== undefined && (o.windowMs !== undefined || o.buckets !== undefined)) {
      throw new ConfigurationError('windowSize', 'cannot be combined with windowMs/buckets (pick a count or a time window)', { received: o.windowSize });
    }
    if (o.windowSize !== undefined && o.minimumThroughput !== undefined && o.minimumThroughput > o.windowSize) {
      throw new ConfigurationError('minimumThroughput', `must be <= windowSize (${o.windowSize}), or the breaker could never open`, { received: o.minimumThroughput });
    }
    checkMs('windowMs', o.windowMs, { min: 1 });
    checkInt('buckets', o.buckets, 1);
    checkMs('slowCallMs', o.slowCallMs);
    if (typeof o.halfOpenAfterMs !== 'function') checkMs('halfOpenAfterMs', o.halfOpenAfterMs);
    checkInt('halfOpenMaxConcurrent', o.halfOpenMaxConcurrent, 1);
    checkInt('halfOpenSuccesses', o.halfOpenSuccesses, 1);
    checkMs('probeLeaseMs', o.probeLeaseMs, { min: 1 });
    checkFunction('isFailure', o.isFailure);
    checkFunction('onStateChange', o.onStateChange);
    checkClock(o.clock);
    if (o.state !== undefined) {
      const s = o.state as Partial<BreakerStateStore> | null;
      if (typeof s !== 'object' || s === null || typeof s.read !== 'function' || typeof s.acquire !== 'function' || typeof s.transition !== 'function') {
        throw new ConfigurationError('state', 'must be a BreakerStateStore such as redisBreakerState({ client, key })', { received: o.state });
      }
    }
    this.name = o.name ?? 'breaker';
    this.#time = toScheduler(o.clock);
    this.#threshold = o.failureThreshold ?? 5;
    this.#rate = o.failureRate ?? 0;
    this.#minimumThroughput = o.minimumThroughput ?? Math.min(10, o.windowSize ?? 10);
    this.#window =
      o.failureRate === undefined ? undefined : o.windowSize !== undefined ? new CountWindow(o.windowSize) : new RollingCounters(o.windowMs ?? 30_000, o.buckets ?? 10, 2);
    this.#slowCallMs = o.slowCallMs;
    this.#halfOpenAfterMs = o.halfOpenAfterMs ?? 30_000;
    this.#maxProbes = o.halfOpenMaxConcurrent ?? 1;
    this.#probeSuccessesNeeded = o.halfOpenSuccesses ?? 1;
    this.#probeLeaseMs = o.probeLeaseMs ?? (typeof this.#halfOpenAfterMs === 'number' ? Math.max(this.#halfOpenAfterMs, 10_000) : 10_000);
    this.#isFailure = o.isFailure ?? defaultIsFailure;
    this.#onStateChange = o.onStateChange;
    this.#store = o.state;
    this.#timed = this.#slowCallMs !== undefined || this.#window !== undefined;
    this.#since = this.#time.now();
  }

  override on<E extends keyof CircuitBreakerEvents>(event: E, listener: Listener<CircuitBreakerEvents[E]>): () => void {
    if (event === 'success' || event === 'failure') this.#timed = true;
    return super.on(event, listener);
  }

  get state(): BreakerState {
    if (this.#state === 'open' && this.#store === undefined) this.#maybeHalfOpen(this.#time.now());
    return this.#state;
  }

  execute<T>(fn: PolicyFn<T>, signal?: AbortSignal): Promise<T> {
    if (typeof fn !== 'function') return Promise.reject(new ConfigurationError('fn', 'must be a function', { received: fn }));
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    if (this.#store !== undefined) return this.#executeShared(fn, signal);
    if (this.#state === 'closed') return this.#call(fn, signal, 0, this.#gen);
    return this.#executeLocal(fn, signal);
  }

  // ----- admission -----------------------------------------------------------------------

  #maybeHalfOpen(now: number): void {
    if (now >= this.#openUntil) this.#setState('half-open', this.#openUntil, 0);
  }

  #executeLocal<T>(fn: PolicyFn<T>, signal: AbortSignal | undefined): Promise<T> {
    const now = this.#time.now();
    if (this.#state === 'open') this.#maybeHalfOpen(now);
    switch (this.#state) {
      case 'closed':
        return this.#call(fn, signal, 0, this.#gen);
      case 'half-open':
        this.#reclaim(now);
        if (this.#probes.size < this.#maxProbes) return this.#call(fn, signal, this.#takeProbe(now), this.#gen);
        return this.#reject(undefined);
      case 'open':
        return this.#reject(this.#openUntil - now);
      default:
        return this.#reject(undefined);
    }
  }

  async #executeShared<T>(fn: PolicyFn<T>, signal: AbortSignal | undefined): Promise<T> {
    const store = this.#store!;
    if (this.#time.now() - this.#syncedAt >= store.syncIntervalMs) await this.sync();
    const now = this.#time.now();
    if (this.#state === 'closed') return this.#call(fn, signal, 0, this.#gen);
    if (this.#state === 'isolated') return this.#reject(undefined);
    if (this.#state === 'open' && now < this.#openUntil) return this.#reject(this.#openUntil - now);
    let result: AcquireResult;
    try {
      result = await store.acquire(now, this.#maxProbes, this.#probeLeaseMs);
    } catch (error) {
      this.emit('storeError', { operation: 'acquire', error });
      return this.#executeLocal(fn, signal);
    }
    this.#apply(result.snapshot);
    if (result.permit === 'rejected') {
      return this.#reject(this.#state === 'open' ? Math.max(0, this.#openUntil - this.#time.now()) : undefined);
    }
    if (result.permit === 'probe') {
      const at = this.#time.now();
      this.#reclaim(at);
      return this.#call(fn, signal, this.#takeProbe(at), this.#gen);
    }
    return this.#call(fn, signal, 0, this.#gen);
  }

  // ----- probe leases --------------------------------------------------------------------

  /** Takes a probe slot leased until `now + probeLeaseMs`; returns its id (never 0). */
  #takeProbe(now: number): number {
    const id = ++this.#probeSeq;
    this.#probes.set(id, now + this.#probeLeaseMs);
    return id;
  }

  /** Frees every slot whose lease ran out (each counted once as abandoned). */
  #reclaim(now: number): void {
    if (this.#probes.size === 0) return;
    for (const [id, until] of this.#probes) {
      if (now >= until) {
        this.#probes.delete(id);
        this.#abandoned++;
      }
    }
  }

  /** Frees probe `id`'s slot. `true` when it still held a live lease (so its outcome counts). */
  #releaseProbe(id: number, now: number): boolean {
    const until = this.#probes.get(id);
    if (until === undefined) return false; // already reclaimed
    this.#probes.delete(id);
    if (now < until) return true;
    this.#abandoned++;
    return false;
  }

  #reject(retryAfterMs: number | undefined): Promise<never> {
    this.#rejected++;
    if (this.has('rejected')) this.emit('rejected', { retryAfterMs });
    const state = this.#state;
    const error = new CircuitOpenError(`Circuit "${this.name}" is ${state}`, { retryAfterMs, details: { breaker: this.name, state } });
    Object.defineProperty(error, BREAKER_REJECTION, { value: true });
    return Promise.reject(error);
  }

  // ----- the call ------------------------------------------------------------------------

  /** `probe` is the probe's slot id, `0` for an ordinary call; `gen` the generation it started in. */
  async #call<T>(fn: PolicyFn<T>, signal: AbortSignal | undefined, probe: number, gen: number): Promise<T> {
    const start = this.#timed ? this.#time.now() : 0;
    let value: T;
    try {
      value = await callFn(fn, 1, signal);
    } catch (error) {
      const pending = this.#failed(error, start, probe, gen, signal);
      if (pending !== undefined) await pending;
      throw error;
    }
    if (this.#timed) {
      const pending = this.#succeededTimed(start, probe, gen);
      if (pending !== undefined) await pending;
    } else if (probe !== 0 || gen !== this.#gen || this.#window !== undefined) {
      const pending = this.#outcome(true, this.#time.now(), probe, gen);
      if (pending !== undefined) await pending;
    } else {
      // closed, consecutive strategy, nobody timing: the hot path
      this.#successes++;
      this.#consecutive = 0;
    }
    return value;
  }

  #succeededTimed(start: number, probe: number, gen: number): Promise<void> | undefined {
    const now = this.#time.now();
    const durationMs = now - start;
    this.#successes++;
    if (this.has('success')) this.emit('success', { durationMs });
    let ok = true;
    if (this.#slowCallMs !== undefined && durationMs > this.#slowCallMs) {
      this.#slowCalls++;
      this.#failures++;
      ok = false;
    }
    return this.#outcome(ok, now, probe, gen);
  }

  #failed(error: unknown, start: number, probe: number, gen: number, signal: AbortSignal | undefined): Promise<void> | undefined {
    if (signal?.aborted) {
      // the caller gave up: says nothing about the dependency; free the probe slot, here and
      // in the shared store (without making the caller wait for it)
      if (probe !== 0 && gen === this.#gen) {
        const now = this.#time.now();
        if (this.#releaseProbe(probe, now) && this.#store?.release !== undefined) void this.#releaseShared(now);
      }
      return undefined;
    }
    let counts: boolean;
    try {
      counts = this.#isFailure(error) !== false;
    } catch {
      counts = true;
    }
    const now = this.#time.now();
    if (!counts) {
      this.#successes++;
      return this.#outcome(true, now, probe, gen);
    }
    this.#failures++;
    if (this.has('failure')) this.emit('failure', { durationMs: this.#timed ? now - start : 0, error });
    return this.#outcome(false, now, probe, gen);
  }

  /** Feeds one outcome into the state machine. Returns a promise only when a shared store is written. */
  #outcome(ok: boolean, now: number, probe: number, gen: number): Promise<void> | undefined {
    if (gen !== this.#gen) return undefined; // started before the last state change: stale
    if (probe !== 0) {
      // a probe whose lease ran out was abandoned: its slot may be someone else's now
      if (!this.#releaseProbe(probe, now)) return undefined;
      if (ok && ++this.#probeSuccesses < this.#probeSuccessesNeeded) return undefined; // more probes needed
      return this.#transition(ok ? 'closed' : 'open', now);
    }
    if (this.#state !== 'closed') return undefined;
    if (this.#window === undefined) {
      if (ok) {
        this.#consecutive = 0;
        return undefined;
      }
      if (++this.#consecutive >= this.#threshold) return this.#transition('open', now);
      return undefined;
    }
    this.#window.add(ok ? 0 : 1, now);
    if (ok) return undefined;
    const t = this.#window.totals;
    const calls = t[0]! + t[1]!;
    if (calls >= this.#minimumThroughput && t[1]! / calls >= this.#rate) return this.#transition('open', now);
    return undefined;
  }

  // ----- state changes -------------------------------------------------------------------

  /** Local state change; emits. Never writes to the store. */
  #setState(to: BreakerState, at: number, openUntil: number): void {
    const from = this.#state;
    this.#openUntil = to === 'open' ? openUntil : 0;
    if (from === to) return;
    if (from === 'half-open') this.#reclaim(this.#time.now());
    this.#state = to;
    this.#since = at;
    this.#gen++;
    this.#probes.clear();
    this.#probeSuccesses = 0;
    if (to === 'closed') {
      this.#opens = 0;
      this.#lastBreakMs = 0;
    }
    this.#consecutive = 0;
    this.#window?.reset();
    const event = { from, to, at };
    this.emit('stateChange', event);
    this.call(this.#onStateChange, event, 'onStateChange');
  }

  /** State change decided here: local at once, then (with a store) written atomically. */
  #transition(to: BreakerState, now: number): Promise<void> | undefined {
    const from = this.#state;
    const openUntil = to === 'open' ? now + this.#breakMs() : 0;
    this.#setState(to, now, openUntil);
    if (this.#store === undefined) return undefined;
    return this.#write(from === 'half-open' || from === 'closed' ? from : '*', to, now, openUntil);
  }

  /** How long this opening lasts: `halfOpenAfterMs`, or its backoff for the opens in a row. */
  #breakMs(): number {
    const h = this.#halfOpenAfterMs;
    if (typeof h === 'number') return h;
    this.#opens++;
    let ms: number;
    try {
      ms = Number(h({ attempt: this.#opens, previousDelayMs: this.#lastBreakMs, error: undefined }));
    } catch {
      ms = this.#lastBreakMs;
    }
    this.#lastBreakMs = Number.isFinite(ms) && ms >= 0 ? ms : this.#lastBreakMs;
    return this.#lastBreakMs;
  }

  async #write(from: BreakerState | '*', to: BreakerState, now: number, openUntil: number): Promise<void> {
    try {
      this.#apply(await this.#store!.transition(from, to, now, openUntil));
      this.#syncedAt = this.#time.now();
    } catch (error) {
      this.emit('storeError', { operation: 'transition', error });
    }
  }

  async #releaseShared(now: number): Promise<void> {
    try {
      await this.#store!.release!(now);
    } catch (error) {
      this.emit('storeError', { operation: 'release', error });
    }
  }

  #apply(snapshot: SharedBreakerSnapshot): void {
    if (!STATES.includes(snapshot.state)) return;
    if (snapshot.state === this.#state) {
      if (snapshot.state === 'open') this.#openUntil = snapshot.openUntil;
      return;
    }
    this.#setState(snapshot.state, snapshot.since, snapshot.openUntil);
  }

  sync(): Promise<void> {
    const store = this.#store;
    if (store === undefined) return Promise.resolve();
    return (this.#syncing ??= (async () => {
      try {
        this.#apply(await store.read(this.#time.now()));
      } catch (error) {
        this.emit('storeError', { operation: 'read', error });
      } finally {
        this.#syncedAt = this.#time.now();
        this.#syncing = undefined;
      }
    })());
  }

  isolate(): Promise<void> {
    const now = this.#time.now();
    this.#setState('isolated', now, 0);
    return this.#store === undefined ? Promise.resolve() : this.#write('*', 'isolated', now, 0);
  }

  reset(): Promise<void> {
    const now = this.#time.now();
    this.#setState('closed', now, 0);
    this.#consecutive = 0;
    this.#window?.reset();
    return this.#store === undefined ? Promise.resolve() : this.#write('*', 'closed', now, 0);
  }

  stats(): CircuitBreakerStats {
    const state = this.state;
    if (state === 'half-open') this.#reclaim(this.#time.now());
    let currentFailures = this.#consecutive;
    let windowCalls = 0;
    if (this.#window !== undefined) {
      const t = this.#window.read(this.#time.now());
      currentFailures = t[1]!;
      windowCalls = t[0]! + t[1]!;
    }
    return {
      name: this.name,
      state,
      failures: this.#failures,
      successes: this.#successes,
      rejected: this.#rejected,
      since: this.#since,
      slowCalls: this.#slowCalls,
      currentFailures,
      windowCalls,
      halfOpenInFlight: this.#probes.size,
      openUntil: this.#openUntil,
      abandonedProbes: this.#abandoned,
    };
  }
}

/**
 * Creates a circuit breaker. Closed: calls run and outcomes are counted. When the strategy
 * trips it opens: calls fail fast with `CircuitOpenError` (with `retryAfterMs`) without running
 * `fn`. After `halfOpenAfterMs` exactly `halfOpenMaxConcurrent` probe calls may run; a probe
 * success closes it, a probe failure reopens it. A probe still running after `probeLeaseMs`
 * is abandoned and its slot goes to the next call, so the breaker never sticks in half-open.
 *
 * Strategies: `failureThreshold` consecutive failures (default, 5), or `failureRate` over a
 * rolling, bucketed `windowMs` once `minimumThroughput` calls were seen (O(1) per call).
 *
 * @example
 * ```ts
 * const breaker = circuitBreaker({ name: 'payments', failureRate: 0.5, minimumThroughput: 20, windowMs: 10_000, halfOpenAfterMs: 5_000 });
 * breaker.on('stateChange', ({ from, to }) => log.warn({ from, to }, 'payments breaker'));
 * const charge = await breaker.execute(({ signal }) => fetch(url, { signal }));
 * ```
 */
export function circuitBreaker(options: CircuitBreakerOptions = {}): CircuitBreaker {
  return new CircuitBreakerImpl(options);
}
