/**
 * Shared types and helpers: the policy contract and the execution context. Time, abort
 * helpers, events and option checks come from `@armor/core`.
 *
 * @module
 */
import type { ArmorError } from '@armor/errors';
import { raceAbort } from '@armor/core';

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

/**
 * @internal Calls `fn` with a fresh context. With a caller signal, the result settles at once
 * with the abort reason when the signal aborts, even if `fn` ignores it (`raceAbort`); without
 * one, nothing is added to the hot path.
 */
export function callFn<T>(fn: PolicyFn<T>, attempt: number, signal: AbortSignal | undefined): T | PromiseLike<T> {
  if (signal === undefined) return fn(new Context(attempt, undefined));
  return raceAbort(Promise.resolve(fn(new Context(attempt, signal))), signal);
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

/**
 * @internal Marks a breaker's own open-circuit rejection, so an enclosing retry can fail fast
 * instead of sleeping until the breaker's `retryAfterMs` (see `RetryOptions.retryOnOpenCircuit`).
 * A registered symbol, so it works across duplicate installs.
 */
export const BREAKER_REJECTION = Symbol.for('armor.resilience.breaker-rejection');

/** `true` when `error` is a circuit breaker's own rejection (it refused to run `fn`). */
export function isBreakerRejection(error: unknown): boolean {
  try {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[BREAKER_REJECTION] === true;
  } catch {
    return false;
  }
}
