/**
 * Retry with backoff, Retry-After support, abortable waits and retry budgets.
 *
 * @module
 */
import { ConfigurationError, RETRYABLE_STATUS, isArmorError, parseRetryAfter } from '@armor/errors';
import {
  Emitter,
  abortReason,
  checkBoolean,
  checkClock,
  checkFunction,
  checkInt,
  checkMs,
  checkNumber,
  checkOptions,
  checkRequired,
  checkSignal,
  checkString,
  sleep,
  toScheduler,
  type Clock,
  type Kinded,
  type Observable,
  type Scheduler,
} from '@armor/core';
import { exponentialBackoff, type Backoff } from './backoff.js';
import { RETRY_MARK, callFn, isBreakerRejection, isClientError, type Policy, type PolicyFn } from './policy.js';
import { RollingCounters } from './rolling.js';

/** Payload of `onRetry` and the `retry` event. */
export interface RetryEvent {
  /** The attempt that failed (1-based); the next one is `attempt + 1`. */
  attempt: number;
  /** How long the policy waits before the next attempt, in ms. */
  delayMs: number;
  /** Why the attempt failed: the error, or the result `retryIfResult` rejected. */
  error: unknown;
}

/** Payload of the `giveUp` event. */
export interface GiveUpEvent {
  /** Attempts made. */
  attempts: number;
  /** The error the caller receives. */
  error: unknown;
  /** Why retrying stopped. */
  reason: 'maxAttempts' | 'notRetryable' | 'budget' | 'retryAfterTooLong' | 'aborted' | 'circuitOpen' | 'maxElapsed';
}

/** Events of a {@link RetryPolicy}. */
export interface RetryEvents {
  retry: RetryEvent;
  giveUp: GiveUpEvent;
}

/** Plain-data statistics of a {@link RetryPolicy}, counted since creation. */
export interface RetryStats {
  name: string;
  /** Calls of `fn` made (first attempts plus retries, less retries whose wait the caller aborted). */
  attempts: number;
  /**
   * Retries decided (one per `retry` event, counted when it is emitted, before the backoff
   * wait: a retry whose wait the caller aborts counts here but makes no call of `fn`).
   */
  retries: number;
  /** Executions that gave up and rejected (one per `giveUp` event, caller aborts included). */
  giveUps: number;
  /** Executions that resolved (on any attempt). */
  successes: number;
}

/** Options of {@link retry} and {@link retryPolicy}. */
export interface RetryOptions {
  /** Name used in metrics. @default 'retry' */
  name?: string;
  /** Total attempts including the first call (`Infinity` allowed). @default 3 */
  maxAttempts?: number;
  /** Delay before each retry. @default exponentialBackoff() (100 ms doubling, full jitter, max 30 s) */
  backoff?: Backoff;
  /**
   * Whether an error is worth retrying (errors it throws count as `false`).
   * @default isRetryableByDefault — retry everything except exposed client errors (4xx
   * other than 408/429), `ConfigurationError`, and Armor errors explicitly marked
   * `retryable: false` where that differs from their status's default
   */
  retryIf?: (error: unknown, attempt: number) => boolean;
  /**
   * Whether a value `fn` resolved with should be retried, e.g. `(res) => res.status === 503`
   * for a fetch `Response` (errors it throws count as `false`). When the attempts run out the
   * call resolves with the last such value (it never rejects because of a result). With
   * `respectRetryAfter`, a `Retry-After` header of a `Response` result sets the minimum delay.
   * @default undefined (every value is a success)
   */
  retryIfResult?: (result: unknown, attempt: number) => boolean;
  /**
   * Overall deadline in ms, from the start of the call: no retry is started, and no backoff
   * waits, past it (the call gives up with reason `'maxElapsed'` and the last error, or
   * resolves with the last result). It does not cut an attempt short: put a `timeoutPolicy`
   * inside the retry for that. @default Infinity
   */
  maxElapsedMs?: number;
  /** Cancels waiting and further attempts; the call rejects with `signal.reason` at once. */
  signal?: AbortSignal;
  /** Called before each wait (errors it throws are swallowed). */
  onRetry?: (event: RetryEvent) => void;
  /**
   * Honour `RateLimitError.retryAfterMs` / `error.retryAfterMs` and an HTTP `Retry-After`
   * found in `error.details` (`retryAfter`, `retry-after`, `Retry-After` or `headers[...]`),
   * as a lower bound of the delay. @default true
   */
  respectRetryAfter?: boolean;
  /** Give up instead of waiting when a server asks to wait longer than this (ms). @default 60_000 */
  maxRetryAfterMs?: number;
  /** Shared {@link RetryBudget}: a retry is only made when the budget allows it. */
  budget?: RetryBudget;
  /**
   * Retry when the error is a circuit breaker's own open-circuit rejection (a breaker inside
   * this retry refused to run `fn`). By default such a call gives up at once (`giveUp` reason
   * `'circuitOpen'`) instead of sleeping until the breaker's `retryAfterMs`: while the
   * dependency is down, callers fail fast (and a fallback outside the retry answers at once).
   * `true` treats it like any other error (with `respectRetryAfter`, it waits until the breaker
   * lets a probe through). @default false
   */
  retryOnOpenCircuit?: boolean;
  /** Time source and scheduler. @default system clock (keep-alive timers) */
  clock?: Clock;
  /**
   * Unref the backoff timers of the system clock, so a pending backoff does not keep the
   * process alive (a server that may exit mid-retry). Ignored for a `clock` with its own
   * timers. By default a backoff keeps the process alive like `setTimeout`, so `await retry(...)`
   * at the top level of a script finishes. @default false
   */
  unref?: boolean;
}

/** Every option name of {@link retry} / {@link retryPolicy} (checked for typos). */
const RETRY_KEYS = [
  'name',
  'maxAttempts',
  'backoff',
  'retryIf',
  'retryIfResult',
  'maxElapsedMs',
  'signal',
  'onRetry',
  'respectRetryAfter',
  'maxRetryAfterMs',
  'budget',
  'retryOnOpenCircuit',
  'clock',
  'unref',
] as const;

/** A retry policy (see {@link retryPolicy}). */
export interface RetryPolicy extends Policy, Kinded<'retry'>, Observable<RetryEvents> {
  readonly [RETRY_MARK]: true;
  /** The policy's name (`options.name`, default `'retry'`). */
  readonly name: string;
  /** Plain-data statistics. */
  stats(): RetryStats;
}

/** @internal Mutable counters behind {@link RetryStats}. */
interface RetryCounters {
  attempts: number;
  retries: number;
  giveUps: number;
  successes: number;
}

/**
 * The default `retryIf`. Returns `false` (do not retry) for:
 *
 * - `ConfigurationError` (code `CONFIGURATION_ERROR`): a programming error, never transient;
 * - Armor errors whose `retryable` was set explicitly to `false` (see below);
 * - exposed client errors: errors with a 4xx `status` other than 408 and 429, `expose: true`
 *   and a string `code`, i.e. Armor client errors — the same check the circuit breaker uses
 *   to not count a call as a failure.
 *
 * Everything else is retried: 408, 429, every 5xx Armor error (`InternalError`,
 * `DatabaseError`, `ExternalServiceError`, `ServiceUnavailableError`, `TimeoutError`, ...)
 * and every non-Armor error (network failures, `TypeError`s from `fetch`, ...).
 *
 * **Explicit `retryable`.** `@armor/errors` does not record whether `retryable` was passed
 * or defaulted from the status (`true` for 408, 429, 502, 503, 504). The flag is therefore
 * honoured only when it differs from that default, which can only happen when it was set
 * explicitly: `retryable: false` on a 408/429/502/503/504 error stops retries and
 * `retryable: true` on any other status (even a 4xx) allows them. `retryable: false` on a
 * 500 is indistinguishable from the default and does not stop retries; to opt a 500 out,
 * pass your own `retryIf`, e.g.
 * `(e) => !isArmorError(e, 'DATABASE_ERROR') && isRetryableByDefault(e)`.
 *
 * @example
 * ```ts
 * isRetryableByDefault(new InternalError()); // true
 * isRetryableByDefault(new NotFoundError()); // false
 * isRetryableByDefault(new RateLimitError()); // true
 * isRetryableByDefault(new ServiceUnavailableError('maintenance', { retryable: false })); // false
 * ```
 */
export function isRetryableByDefault(error: unknown): boolean {
  if (isArmorError(error)) {
    if (error.code === 'CONFIGURATION_ERROR') return false;
    const { retryable, status } = error;
    if (typeof retryable === 'boolean' && typeof status === 'number' && retryable !== RETRYABLE_STATUS.has(status)) return retryable;
  }
  return !isClientError(error);
}

/** Reads header `name` (lower case) from a `Headers`-like object (with `get`) or a plain record (any case). */
function readHeader(headers: unknown, name: string): unknown {
  if (typeof headers !== 'object' || headers === null) return undefined;
  const h = headers as { get?: unknown } & Record<string, unknown>;
  if (typeof h.get === 'function') {
    const value: unknown = (h.get as (n: string) => unknown).call(h, name);
    if (value !== undefined && value !== null) return value;
  }
  for (const key of Object.keys(h)) if (key.toLowerCase() === name) return h[key];
  return undefined;
}

/**
 * Milliseconds a failed call (or a result being retried) asks us to wait, from the first of:
 *
 * - `error.retryAfterMs` (e.g. `RateLimitError`, `CircuitOpenError`);
 * - a `Retry-After` header of `error.headers` — a fetch `Response` thrown or returned;
 * - a `Retry-After` header of `error.response.headers` — axios errors, ky's `HTTPError`;
 * - `error.details.retryAfter` / `retry-after` / `Retry-After`, or a `Retry-After` header of
 *   `error.details.headers`.
 *
 * Headers may be a `Headers` object (or anything with `get`) or a plain object (any case).
 * Values are delta-seconds or an HTTP date. `undefined` when there is none.
 *
 * @param now - Current epoch ms, for HTTP dates. @default Date.now()
 * @example
 * ```ts
 * retryAfterFromError(new Response(null, { status: 503, headers: { 'Retry-After': '2' } })); // 2000
 * retryAfterFromError({ response: { headers: { 'retry-after': '1' } } }); // 1000
 * ```
 */
export function retryAfterFromError(error: unknown, now: number = Date.now()): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  try {
    const e = error as { retryAfterMs?: unknown; details?: unknown; headers?: unknown; response?: unknown };
    if (typeof e.retryAfterMs === 'number' && Number.isFinite(e.retryAfterMs) && e.retryAfterMs >= 0) return e.retryAfterMs;
    let raw = readHeader(e.headers, 'retry-after');
    if (raw === undefined && typeof e.response === 'object' && e.response !== null) {
      raw = readHeader((e.response as { headers?: unknown }).headers, 'retry-after');
    }
    const d = e.details;
    if (raw === undefined && typeof d === 'object' && d !== null) {
      const details = d as Record<string, unknown>;
      raw = details['retryAfter'] ?? details['retry-after'] ?? details['Retry-After'] ?? readHeader(details['headers'], 'retry-after');
    }
    if (Array.isArray(raw)) raw = raw[0];
    return typeof raw === 'string' || typeof raw === 'number' ? parseRetryAfter(raw, now) : undefined;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------
// budget

/** Options of {@link retryBudget}. */
export interface RetryBudgetOptions {
  /** Name used in metrics. @default 'retry-budget' */
  name?: string;
  /** Retries allowed as a fraction of first attempts in the window. @default 0.2 */
  ratio?: number;
  /** Retries always allowed per second, whatever the traffic. @default 10 */
  minRetriesPerSecond?: number;
  /** Length of the rolling window in ms. @default 10_000 */
  windowMs?: number;
  /** Time source. @default system clock */
  clock?: Clock;
}

/** Plain-data statistics of a {@link RetryBudget}. */
export interface RetryBudgetStats {
  name: string;
  /** First attempts recorded in the window. */
  requests: number;
  /** Retries made in the window. */
  retries: number;
  /** Retries the budget still allows right now. */
  available: number;
  /** Retries refused since creation. */
  exhausted: number;
}

/** Caps retries to a fraction of recent traffic so retries cannot amplify an outage. */
export interface RetryBudget {
  /** Records a first attempt. */
  recordRequest(): void;
  /** Takes one retry from the budget; `false` when exhausted. */
  tryRetry(): boolean;
  stats(): RetryBudgetStats;
}

/**
 * Creates a retry budget shared by any number of retry policies: within a rolling
 * `windowMs`, retries may not exceed `ratio * requests + minRetriesPerSecond * windowMs/1000`.
 *
 * @example
 * ```ts
 * const budget = retryBudget({ ratio: 0.1 });
 * const policy = retryPolicy({ maxAttempts: 4, budget });
 * ```
 */
export function retryBudget(options: RetryBudgetOptions = {}): RetryBudget {
  checkOptions('retryBudget', options, ['name', 'ratio', 'minRetriesPerSecond', 'windowMs', 'clock']);
  const { name = 'retry-budget', ratio = 0.2, minRetriesPerSecond = 10, windowMs = 10_000, clock } = options;
  checkString('name', name);
  checkNumber('ratio', ratio, { min: 0 });
  checkMs('minRetriesPerSecond', minRetriesPerSecond);
  checkMs('windowMs', windowMs, { min: 1 });
  checkClock(clock);
  const time = toScheduler(clock);
  const counters = new RollingCounters(windowMs, 10, 2);
  const floor = (minRetriesPerSecond * windowMs) / 1000;
  let exhausted = 0;
  const available = (now: number) => {
    const t = counters.read(now);
    return Math.max(0, Math.floor(floor + ratio * t[0]! - t[1]!));
  };
  return {
    recordRequest: () => counters.add(0, time.now()),
    tryRetry() {
      const now = time.now();
      if (available(now) < 1) {
        exhausted++;
        return false;
      }
      counters.add(1, now);
      return true;
    },
    stats() {
      const now = time.now();
      const t = counters.read(now);
      return { name, requests: t[0]!, retries: t[1]!, available: available(now), exhausted };
    },
  };
}

// ---------------------------------------------------------------------------------------
// policy

let defaultBackoff: Backoff | undefined;

interface ResolvedRetry {
  maxAttempts: number;
  retryIfResult: ((result: unknown, attempt: number) => boolean) | undefined;
  maxElapsedMs: number;
  backoff: Backoff;
  retryIf: (error: unknown, attempt: number) => boolean;
  onRetry: ((event: RetryEvent) => void) | undefined;
  respectRetryAfter: boolean;
  maxRetryAfterMs: number;
  budget: RetryBudget | undefined;
  retryOnOpenCircuit: boolean;
  time: Scheduler;
  /** Reports errors thrown by `onRetry` (the one-shot `retry` has no policy emitter). */
  reporter: Emitter<RetryEvents>;
}

const oneShotReporter = new Emitter<RetryEvents>({ component: 'retry' });

function resolve(component: string, options: RetryOptions, reporter: Emitter<RetryEvents>): ResolvedRetry {
  checkOptions(component, options, RETRY_KEYS);
  const {
    name,
    maxAttempts = 3,
    backoff,
    retryIf = isRetryableByDefault,
    retryIfResult,
    maxElapsedMs = Infinity,
    signal,
    onRetry,
    respectRetryAfter = true,
    maxRetryAfterMs = 60_000,
    budget,
    retryOnOpenCircuit = false,
    clock,
    unref = false,
  } = options;
  checkString('name', name);
  checkInt('maxAttempts', maxAttempts, 1, { allowInfinity: true });
  checkFunction('backoff', backoff);
  checkFunction('retryIf', retryIf);
  checkFunction('retryIfResult', retryIfResult);
  checkMs('maxElapsedMs', maxElapsedMs, { allowInfinity: true });
  checkSignal('signal', signal);
  checkFunction('onRetry', onRetry);
  checkBoolean('respectRetryAfter', respectRetryAfter);
  checkMs('maxRetryAfterMs', maxRetryAfterMs, { allowInfinity: true });
  checkBoolean('retryOnOpenCircuit', retryOnOpenCircuit);
  checkBoolean('unref', unref);
  if (budget !== undefined && (typeof budget !== 'object' || budget === null || typeof budget.tryRetry !== 'function')) {
    throw new ConfigurationError('budget', 'must be a RetryBudget from retryBudget()', { received: budget });
  }
  checkClock(clock);
  return {
    maxAttempts,
    retryIfResult,
    maxElapsedMs,
    backoff: backoff ?? (defaultBackoff ??= exponentialBackoff()),
    retryIf,
    onRetry,
    respectRetryAfter: respectRetryAfter !== false,
    maxRetryAfterMs,
    budget,
    retryOnOpenCircuit,
    time: toScheduler(clock, { unref }),
    reporter,
  };
}

/** @internal What an attempt ended with: an error, or a result `retryIfResult` wants retried. */
type Failed = { error: unknown; result?: undefined } | { error?: undefined; result: { value: unknown } };

async function retryLoop<T>(
  o: ResolvedRetry,
  events: Emitter<RetryEvents> | undefined,
  fn: PolicyFn<T>,
  signal: AbortSignal | undefined,
  first: Failed,
  counters: RetryCounters,
  started: number,
): Promise<T> {
  let failed = first;
  let previousDelayMs = 0;
  const giveUp = (attempts: number, reason: GiveUpEvent['reason'], thrown: unknown): unknown => {
    counters.giveUps++;
    if (events?.has('giveUp')) events.emit('giveUp', { attempts, error: thrown, reason });
    return thrown;
  };
  for (let attempt = 1; ; attempt++) {
    // decide whether to retry the failed `attempt`
    let reason: GiveUpEvent['reason'] | undefined;
    let delayMs = 0;
    const cause = failed.result === undefined ? failed.error : failed.result.value;
    if (signal?.aborted) reason = 'aborted';
    else if (attempt >= o.maxAttempts) reason = 'maxAttempts';
    else if (failed.result === undefined && !o.retryOnOpenCircuit && isBreakerRejection(cause)) reason = 'circuitOpen';
    else if (failed.result === undefined && !safeRetryIf(o, cause, attempt)) reason = 'notRetryable';
    else {
      delayMs = Math.max(0, Number(o.backoff({ attempt, previousDelayMs, error: cause })) || 0);
      if (o.respectRetryAfter) {
        const after = retryAfterFromError(cause, o.time.now());
        if (after !== undefined) {
          if (after > o.maxRetryAfterMs) reason = 'retryAfterTooLong';
          else delayMs = Math.max(delayMs, after);
        }
      }
      if (reason === undefined && o.maxElapsedMs !== Infinity && o.time.now() + delayMs - started > o.maxElapsedMs) reason = 'maxElapsed';
      if (reason === undefined && o.budget !== undefined && !o.budget.tryRetry()) reason = 'budget';
    }
    if (reason !== undefined) {
      if (reason === 'aborted') throw giveUp(attempt, reason, abortReason(signal!));
      if (failed.result !== undefined) {
        // out of retries for a result: the caller gets the last result, not an error
        counters.successes++;
        return failed.result.value as T;
      }
      throw giveUp(attempt, reason, cause);
    }
    const event = { attempt, delayMs, error: cause };
    counters.retries++; // counted with the `retry` event, even if the wait below is aborted
    o.reporter.call(o.onRetry, event, 'onRetry');
    events?.emit('retry', event);
    try {
      await sleep(delayMs, signal, o.time);
    } catch (aborted) {
      // the caller aborted during the wait: that is giving up too
      throw giveUp(attempt, 'aborted', aborted);
    }
    previousDelayMs = delayMs;
    counters.attempts++;
    let value: T;
    try {
      value = await callFn(fn, attempt + 1, signal);
    } catch (e) {
      failed = { error: e };
      continue;
    }
    if (o.retryIfResult !== undefined && safeRetryIfResult(o, value, attempt + 1)) {
      failed = { result: { value } };
      continue;
    }
    counters.successes++;
    return value;
  }
}

function safeRetryIfResult(o: ResolvedRetry, value: unknown, attempt: number): boolean {
  try {
    return o.retryIfResult!(value, attempt) === true;
  } catch {
    return false;
  }
}

function safeRetryIf(o: ResolvedRetry, error: unknown, attempt: number): boolean {
  try {
    return o.retryIf(error, attempt) === true;
  } catch {
    return false;
  }
}

class RetryPolicyImpl extends Emitter<RetryEvents> implements RetryPolicy {
  readonly [RETRY_MARK] = true as const;
  readonly kind = 'retry' as const;
  readonly name: string;
  readonly #o: ResolvedRetry;
  readonly #signal: AbortSignal | undefined;
  readonly #counters: RetryCounters = { attempts: 0, retries: 0, giveUps: 0, successes: 0 };
  constructor(options: RetryOptions) {
    const name = typeof options === 'object' && options !== null && typeof options.name === 'string' ? options.name : 'retry';
    super({ component: `retry ${name}` });
    this.#o = resolve('retryPolicy', options, this);
    this.#signal = options.signal;
    this.name = options.name ?? 'retry';
  }

  async execute<T>(fn: PolicyFn<T>, signal: AbortSignal | undefined = this.#signal): Promise<T> {
    if (typeof fn !== 'function') throw new ConfigurationError('fn', 'must be a function', { received: fn });
    if (signal?.aborted) throw abortReason(signal);
    this.#o.budget?.recordRequest();
    const counters = this.#counters;
    const o = this.#o;
    const started = o.maxElapsedMs === Infinity ? 0 : o.time.now();
    counters.attempts++;
    let value: T;
    try {
      value = await callFn(fn, 1, signal);
    } catch (error) {
      return retryLoop(o, this, fn, signal, { error }, counters, started);
    }
    if (o.retryIfResult !== undefined && safeRetryIfResult(o, value, 1)) return retryLoop(o, this, fn, signal, { result: { value } }, counters, started);
    counters.successes++;
    return value;
  }

  stats(): RetryStats {
    const c = this.#counters;
    return { name: this.name, attempts: c.attempts, retries: c.retries, giveUps: c.giveUps, successes: c.successes };
  }
}

/**
 * Creates a reusable retry {@link Policy} (for {@link wrap}, or to share one configuration).
 *
 * @example
 * ```ts
 * const policy = retryPolicy({ maxAttempts: 5, backoff: exponentialBackoff({ initial: 200 }) });
 * policy.on('retry', ({ attempt, delayMs }) => log.warn({ attempt, delayMs }, 'retrying'));
 * const user = await policy.execute(({ signal }) => fetch(url, { signal }));
 * ```
 */
export function retryPolicy(options: RetryOptions = {}): RetryPolicy {
  return new RetryPolicyImpl(options);
}

/**
 * Calls `fn` until it succeeds, at most `maxAttempts` times, waiting `backoff` between
 * attempts. `fn` receives `{ attempt, signal }`. Rejects with the last error, or with
 * `signal.reason` as soon as `signal` aborts (also during a wait).
 *
 * @example
 * ```ts
 * const res = await retry(({ signal }) => fetch(url, { signal }), {
 *   maxAttempts: 4,
 *   backoff: exponentialBackoff({ initial: 100, max: 2_000, jitter: 'full' }),
 *   onRetry: ({ attempt, delayMs, error }) => console.warn(attempt, delayMs, error),
 * });
 * ```
 */
export function retry<T>(fn: PolicyFn<T>, options: RetryOptions = {}): Promise<T> {
  checkRequired('fn', fn, 'a function');
  checkFunction('fn', fn);
  return runOnce(fn, resolve('retry', options, oneShotReporter), options.signal);
}

async function runOnce<T>(fn: PolicyFn<T>, o: ResolvedRetry, signal: AbortSignal | undefined): Promise<T> {
  if (signal?.aborted) throw abortReason(signal);
  o.budget?.recordRequest();
  const started = o.maxElapsedMs === Infinity ? 0 : o.time.now();
  const counters = { attempts: 1, retries: 0, giveUps: 0, successes: 0 };
  let value: T;
  try {
    value = await callFn(fn, 1, signal);
  } catch (error) {
    return retryLoop(o, undefined, fn, signal, { error }, counters, started);
  }
  if (o.retryIfResult !== undefined && safeRetryIfResult(o, value, 1)) return retryLoop(o, undefined, fn, signal, { result: { value } }, counters, started);
  return value;
}
