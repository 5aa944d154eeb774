/**
 * Shared types and helpers: the policy contract, execution context, abortable sleep, signal
 * linking and option validation.
 *
 * @module
 */
import { ConfigurationError, type ArmorError } from '@armor/errors';
import type { Scheduler } from './clock.js';

/** What every policy passes to the function it runs. */
export interface PolicyContext {
  /** 1-based attempt number (set by the nearest enclosing retry; `1` otherwise). */
  readonly attempt: number;
  /** Aborted when the caller gives up (caller's signal, a timeout, a losing hedge ...). */
  readonly signal: AbortSignal;
}

/** The function a policy runs. */
export type PolicyFn<T> = (context: PolicyContext) => T | PromiseLike<T>;

/**
 * A composable policy: anything with `execute(fn, signal?)`. Every policy of this package
 * implements it, and {@link wrap} composes any of them.
 */
export interface Policy {
  /**
   * Runs `fn` under this policy.
   * @param fn - Receives `{ attempt, signal }`.
   * @param signal - Cancels the whole execution; rejects with `signal.reason`.
   */
  execute<T>(fn: PolicyFn<T>, signal?: AbortSignal): Promise<T>;
}

/** @internal Marker for retry policies (lets {@link wrap} forward the attempt number). */
export const RETRY_MARK = Symbol.for('armor.resilience.retry');

/**
 * @internal A context whose signal is created lazily: a caller without a signal pays nothing
 * unless `fn` reads `context.signal` (and then gets a fresh never-aborted signal, so
 * listeners added to it can never pile up on a shared object).
 */
export class Context implements PolicyContext {
  readonly attempt: number;
  #signal: AbortSignal | undefined;
  constructor(attempt: number, signal: AbortSignal | undefined) {
    this.attempt = attempt;
    this.#signal = signal;
  }
  get signal(): AbortSignal {
    return (this.#signal ??= new AbortController().signal);
  }
}

/** @internal Rejection value for an aborted signal. */
export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

interface Hub {
  callbacks: Set<() => void>;
  handler: () => void;
}
const hubs = new WeakMap<AbortSignal, Hub>();

/**
 * @internal Runs `callback` once when `signal` aborts. However many executions wait on one
 * signal at once, the signal carries at most ONE listener from this package (a fan-out hub),
 * so composed policies never trigger MaxListeners warnings; the returned function removes the
 * callback, and the listener itself goes away when no callback is left.
 */
export function onAbort(signal: AbortSignal, callback: () => void): () => void {
  let hub = hubs.get(signal);
  if (hub === undefined) {
    const callbacks = new Set<() => void>();
    const handler = () => {
      hubs.delete(signal);
      for (const cb of callbacks) cb();
      callbacks.clear();
    };
    hub = { callbacks, handler };
    hubs.set(signal, hub);
    signal.addEventListener('abort', handler, { once: true });
  }
  const current = hub;
  current.callbacks.add(callback);
  return () => {
    if (!current.callbacks.delete(callback) || current.callbacks.size > 0) return;
    if (hubs.get(signal) === current) {
      hubs.delete(signal);
      signal.removeEventListener('abort', current.handler);
    }
  };
}

/**
 * @internal Waits `ms` milliseconds. Rejects at once with the abort reason when `signal`
 * aborts (also while waiting); the timer and the listener are always removed.
 */
export function sleep(ms: number, signal: AbortSignal | undefined, scheduler: Scheduler): Promise<void> {
  if (signal?.aborted) return Promise.reject(abortReason(signal));
  if (ms <= 0 && signal === undefined) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const handle = scheduler.setTimeout(() => {
      off();
      resolve();
    }, ms);
    const off =
      signal === undefined
        ? noop
        : onAbort(signal, () => {
            scheduler.clearTimeout(handle);
            reject(abortReason(signal));
          });
  });
}

/** @internal */
export const noop = (): void => {};

/** @internal `true` for ArmorErrors that are exposed client errors (4xx other than 408/429). */
export function isClientError(error: unknown): boolean {
  if (!(error instanceof Error) && (typeof error !== 'object' || error === null)) return false;
  const e = error as Partial<ArmorError>;
  const status = e.status;
  return (
    typeof status === 'number' &&
    status >= 400 &&
    status < 500 &&
    status !== 408 &&
    status !== 429 &&
    e.expose === true &&
    typeof e.code === 'string'
  );
}

// ---------------------------------------------------------------------------------------
// validation

/** @internal */
export function checkFunction(name: string, value: unknown): void {
  if (typeof value !== 'function') throw new ConfigurationError(name, 'must be a function', { received: value });
}

/** @internal */
export function checkOptionalFunction(name: string, value: unknown): void {
  if (value !== undefined) checkFunction(name, value);
}

/** @internal Non-negative finite number (or undefined). */
export function checkMs(name: string, value: unknown, { min = 0, allowInfinity = false } = {}): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || Number.isNaN(value) || value < min || (!allowInfinity && !Number.isFinite(value))) {
    throw new ConfigurationError(name, `must be a ${allowInfinity ? '' : 'finite '}number >= ${min}`, { received: value });
  }
}

/** @internal Integer >= min (or undefined). */
export function checkInt(name: string, value: unknown, min: number, { allowInfinity = false } = {}): void {
  if (value === undefined) return;
  const ok = typeof value === 'number' && ((allowInfinity && value === Infinity) || (Number.isInteger(value) && value >= min));
  if (!ok) throw new ConfigurationError(name, `must be an integer >= ${min}${allowInfinity ? ' (or Infinity)' : ''}`, { received: value });
}

/** @internal */
export function checkOptions(name: string, value: unknown): void {
  if (value !== undefined && (typeof value !== 'object' || value === null)) {
    throw new ConfigurationError(name, 'must be an object', { received: value });
  }
}

/** @internal */
export function checkClock(value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== 'object' || value === null || typeof (value as { now?: unknown }).now !== 'function') {
    throw new ConfigurationError('clock', 'must be an object with a now() method', { received: value });
  }
}

/** @internal */
export function checkSignal(name: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== 'object' || value === null || typeof (value as AbortSignal).addEventListener !== 'function' || typeof (value as AbortSignal).aborted !== 'boolean') {
    throw new ConfigurationError(name, 'must be an AbortSignal', { received: value });
  }
}

/** @internal */
export function checkName(value: unknown): void {
  if (value !== undefined && (typeof value !== 'string' || value === '')) {
    throw new ConfigurationError('name', 'must be a non-empty string', { received: value });
  }
}
