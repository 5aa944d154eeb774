/**
 * Redis calls: the one structural client type and the one guard every Redis-backed Armor
 * component (cache store, tiered cache and its lock, rate-limit store, breaker state) calls
 * Redis through.
 *
 * The guard gives every call:
 * - a per-call timeout (the caller always settles within `timeoutMs`), every call's deadline kept
 *   under ONE timer per guard (not a timer per call: see `redis-deadlines.ts`);
 * - fail-fast while the client says it is disconnected, and a wait for a client that is still
 *   connecting (so `enableOfflineQueue: false` works from the first request);
 * - a small local circuit: after a timeout or a connection error the guard refuses calls for
 *   `cooldownMs` without touching Redis, then lets one probe through; when it opens, every call
 *   still waiting (for Redis or for the client to connect) fails at once with reason
 *   `circuit-open`; so a hung Redis costs any caller at most one `timeoutMs` per cooldown,
 *   however many calls were made in the first `timeoutMs` of the hang;
 * - one `ready` listener per client, however many calls wait for it to connect;
 * - no unhandled rejection, ever: a call that settles after its timeout is swallowed.
 *
 * Hand-written rather than built on `@armor/resilience`'s breaker: the kernel sits below every
 * package (resilience itself uses this guard for its Redis-shared state).
 *
 * @module
 */
import { Emitter, type Observable } from './emitter.js';
import { checkFunction, checkMs, checkOptions, checkString } from './options.js';
import { onReady } from './redis-ready.js';
import { createDeadlines, type Waiting } from './redis-deadlines.js';
import { checkClock, toScheduler, type Clock, type Scheduler } from './time.js';

/** A Redis command argument. */
export type RedisArg = string | number | Uint8Array;

/**
 * The part of an ioredis client (`Redis` or `Cluster`) Armor uses. Structural, so no Armor
 * package's public types need `ioredis` installed; components that need more commands extend
 * it. Pass your `new Redis(url)`: Armor never connects, quits or configures it.
 */
export interface RedisClientLike {
  eval(script: string, numKeys: number, ...args: RedisArg[]): Promise<unknown>;
  /** ioredis connection status (`wait`, `connecting`, `connect`, `ready`, `reconnecting`, `close`, `end`). */
  readonly status?: string;
  /** Used to wait for `ready` while the client connects (one listener per client, whatever the number of waiting calls). */
  once?(event: 'ready', listener: () => void): unknown;
  /** Removes the `ready` waiter. */
  removeListener?(event: 'ready', listener: () => void): unknown;
}

/** Why a guarded call failed. */
export type RedisFailureReason = 'timeout' | 'disconnected' | 'circuit-open' | 'error';

/** What the guard knows about a failed call; {@link RedisGuardOptions.toError} turns it into the component's typed error. */
export interface RedisFailure {
  readonly operation: string;
  readonly reason: RedisFailureReason;
  readonly message: string;
  readonly cause?: unknown;
}

/** Events of a {@link RedisGuard}. */
export interface RedisGuardEvents {
  /**
   * The local circuit opened: calls fail fast until `until` (epoch ms). Every call still waiting
   * at that moment has just failed with reason `circuit-open` (one `error` event each).
   */
  open: { name: string; until: number; failure: RedisFailure };
  /** A call succeeded after the circuit was open: Redis is back. */
  close: { name: string };
  /** A call failed (timeout, disconnected, circuit open, or an outage error). */
  error: { name: string; failure: RedisFailure };
}

/** Options of {@link createRedisGuard}. */
export interface RedisGuardOptions {
  /** Names the component in events and messages, e.g. `rate-limit redis store`. @default 'redis' */
  name?: string;
  /** Milliseconds a call may take before it fails with reason `timeout`. @default 1_000 */
  timeoutMs?: number;
  /**
   * Milliseconds the local circuit stays open after a timeout or a connection error; calls in
   * this window fail at once with reason `circuit-open`, and so does every call that was still
   * waiting when the circuit opened. Then one probe call goes to Redis.
   * @default 1_000
   */
  cooldownMs?: number;
  /** Injectable clock (tests). @default the system clock */
  clock?: Clock;
  /** Turns a failure into the component's typed error. @default a plain `Error` carrying the failure */
  toError?: (failure: RedisFailure) => Error;
  /**
   * Decides whether an error Redis answered counts as an outage (trips the circuit). By
   * default every error except an ioredis `ReplyError` (a command or script error, which means
   * Redis is up) counts, and so do `LOADING`, `BUSY`, `MASTERDOWN`, `CLUSTERDOWN`, `TRYAGAIN` replies.
   */
  isOutage?: (error: unknown) => boolean;
}

/** The guard: wrap every Redis call in {@link RedisGuard.run}. */
export interface RedisGuard extends Observable<RedisGuardEvents> {
  /**
   * Runs `call` under the guard. Rejects with `toError(failure)` on a timeout, a disconnected
   * client or an open circuit; an error the call itself rejects with is passed through unchanged
   * (after being counted when it is an outage).
   */
  run<T>(operation: string, call: () => Promise<T>): Promise<T>;
  /** `closed` (calls go to Redis), `open` (failing fast) or `half-open` (one probe in flight or allowed). */
  readonly state: 'closed' | 'open' | 'half-open';
  /** The timeout every call gets, in ms. */
  readonly timeoutMs: number;
  /** Closes the circuit at once (e.g. after the app saw the client reconnect). */
  reset(): void;
}

const DOWN = new Set(['reconnecting', 'close', 'end']);
const CONNECTING = new Set(['wait', 'connecting', 'connect']);
const OUTAGE_REPLY = /^(LOADING|BUSY|MASTERDOWN|CLUSTERDOWN|TRYAGAIN)\b/;

/** The default outage test (see {@link RedisGuardOptions.isOutage}). */
export function isRedisOutage(error: unknown): boolean {
  let name: unknown;
  let message: unknown;
  try {
    name = (error as { name?: unknown } | null)?.name;
    message = (error as { message?: unknown } | null)?.message;
  } catch {
    return true;
  }
  if (name === 'ReplyError') return typeof message === 'string' && OUTAGE_REPLY.test(message);
  return true;
}

const noop = (): void => {};

/** An `Error` that carries the guard's failure (when no `toError` is given). */
export class RedisGuardError extends Error {
  override readonly name = 'RedisGuardError';
  readonly failure: RedisFailure;
  constructor(failure: RedisFailure) {
    super(failure.message, { cause: failure.cause });
    this.failure = failure;
  }
}

/**
 * Creates a guard around one Redis client.
 *
 * @param client - Your ioredis client (only `status`, `once` and `removeListener` are read here).
 * @example
 * ```ts
 * const guard = createRedisGuard(client, { name: 'my store', timeoutMs: 500 });
 * const value = await guard.run('get', () => client.eval("return redis.call('GET', KEYS[1])", 1, 'k'));
 * ```
 */
export function createRedisGuard(client: Pick<RedisClientLike, 'status' | 'once' | 'removeListener'>, options: RedisGuardOptions = {}): RedisGuard {
  checkOptions('createRedisGuard', options, ['name', 'timeoutMs', 'cooldownMs', 'clock', 'toError', 'isOutage']);
  const { name = 'redis', timeoutMs = 1_000, cooldownMs = 1_000, clock, toError, isOutage = isRedisOutage } = options;
  checkString('name', name);
  checkMs('timeoutMs', timeoutMs, { min: 1 });
  checkMs('cooldownMs', cooldownMs);
  checkClock(clock);
  checkFunction('toError', toError);
  checkFunction('isOutage', isOutage);
  const scheduler: Scheduler = toScheduler(clock);
  const events = new Emitter<RedisGuardEvents>({ component: name });
  const makeError = (failure: RedisFailure): Error => {
    if (!toError) return new RedisGuardError(failure);
    try {
      return toError(failure);
    } catch (e) {
      return e instanceof Error ? e : new RedisGuardError(failure);
    }
  };

  let state: 'closed' | 'open' | 'half-open' = 'closed';
  let openUntil = 0;
  let probing = false;
  const deadlines = createDeadlines(scheduler, timeoutMs);

  const fail = (failure: RedisFailure, trip: boolean): Error => {
    const opens = trip && state !== 'open';
    if (trip) openUntil = scheduler.now() + cooldownMs;
    if (opens) {
      state = 'open';
      events.emit('open', { name, until: openUntil, failure });
    }
    events.emit('error', { name, failure });
    const error = makeError(failure);
    if (opens) deadlines.abandonAll();
    return error;
  };
  const succeed = () => {
    if (state !== 'closed') {
      state = 'closed';
      events.emit('close', { name });
    }
  };

  /** One call in flight: waiting for Redis (or for the client to connect) until its deadline. */
  class Call<T> implements Waiting {
    prev: Waiting | undefined = undefined;
    next: Waiting | undefined = undefined;
    deadline = 0;
    done = false;
    connected = false;
    offReady = noop;
    constructor(
      readonly operation: string,
      readonly probe: boolean,
      readonly resolve: (value: T) => void,
      readonly reject: (error: unknown) => void,
    ) {}
    /** Ends the call once: leaves the waiting calls, drops its ready-waiter, ends its probe. */
    finish(): boolean {
      if (this.done) return false;
      this.done = true;
      deadlines.remove(this);
      this.offReady();
      return true;
    }
    endProbe() {
      if (!this.probe) return;
      probing = false;
      if (state === 'half-open') state = 'open';
    }
    expire() {
      if (!this.finish()) return;
      const { operation } = this;
      this.reject(fail({ operation, reason: 'timeout', message: `${name}: ${this.connected ? `Redis did not answer ${operation}` : 'the Redis client was not ready'} within ${timeoutMs} ms` }, true));
      this.endProbe();
    }
    abandon() {
      if (!this.finish()) return;
      this.reject(fail({ operation: this.operation, reason: 'circuit-open', message: `${name}: the circuit opened while this call waited` }, false));
      this.endProbe();
    }
    ok(value: T) {
      if (!this.finish()) return;
      succeed();
      this.resolve(value);
      this.endProbe();
    }
    error(error: unknown) {
      if (!this.finish()) return;
      let outage = true;
      try {
        outage = isOutage(error);
      } catch {
        // a throwing classifier counts as an outage
      }
      if (outage) fail({ operation: this.operation, reason: 'error', message: `${name}: Redis ${this.operation} failed: ${describe(error)}`, cause: error }, true);
      else succeed(); // Redis answered: it is up
      this.reject(error);
      this.endProbe();
    }
    go(call: () => Promise<T>) {
      this.connected = true;
      let pending: Promise<T>;
      try {
        pending = Promise.resolve(call());
      } catch (error) {
        pending = Promise.reject(error);
      }
      // a call that settles after the guard gave up on it is swallowed (never an unhandled rejection)
      pending.then(
        (value) => this.ok(value),
        (error: unknown) => this.error(error),
      );
    }
  }

  function run<T>(operation: string, call: () => Promise<T>): Promise<T> {
    let probe = false;
    if (state !== 'closed') {
      if (state === 'open' && scheduler.now() < openUntil) {
        return Promise.reject(fail({ operation, reason: 'circuit-open', message: `${name}: Redis failed recently; not calling it until the ${cooldownMs} ms cooldown ends` }, false));
      }
      if (probing) {
        return Promise.reject(fail({ operation, reason: 'circuit-open', message: `${name}: a probe call to Redis is in flight; failing fast` }, false));
      }
      state = 'half-open';
      probing = probe = true;
    }
    let status: unknown;
    try {
      status = client.status;
    } catch {
      status = undefined;
    }
    if (typeof status === 'string' && DOWN.has(status)) {
      const error = fail({ operation, reason: 'disconnected', message: `${name}: Redis is not connected (client status "${status}")` }, false);
      if (probe) {
        probing = false;
        if (state === 'half-open') state = 'open';
      }
      return Promise.reject(error);
    }
    return new Promise<T>((resolve, reject) => {
      const waiting = new Call<T>(operation, probe, resolve, reject);
      deadlines.add(waiting);
      if (typeof status === 'string' && CONNECTING.has(status) && typeof client.once === 'function') waiting.offReady = onReady(client, () => waiting.go(call));
      else waiting.go(call);
    });
  }

  return {
    run,
    get state() {
      if (state === 'open' && scheduler.now() >= openUntil) return 'half-open';
      return state;
    },
    timeoutMs,
    reset() {
      probing = false;
      succeed();
    },
    on: (event, listener) => events.on(event, listener),
  };
}

function describe(error: unknown): string {
  try {
    const message = (error as { message?: unknown } | null)?.message;
    return typeof message === 'string' ? message.slice(0, 200) : String(error).slice(0, 200);
  } catch {
    return 'unreadable error';
  }
}
