/**
 * A {@link BreakerStateStore} on Redis, so N processes share one breaker state: when one
 * opens the circuit every process fails fast, and one probe (cluster-wide) decides when to
 * close it. Uses the caller's ioredis client (any client with a compatible `eval`), with Lua
 * scripts so every transition is atomic. Times are Redis server time (`TIME`) by default, so
 * clock skew between processes does not move `openUntil` or probe leases.
 *
 * Every Redis call goes through the kernel's guard (`createRedisGuard` of `@armor/core/redis`): a
 * per-call timeout, fail-fast while the client is disconnected, and a local circuit, so a hung
 * or dead Redis costs a breaker at most one `timeoutMs` per `cooldownMs`; the breaker reports
 * a `storeError` and keeps working on its local state.
 *
 * @module
 */
import { ConfigurationError, ExternalServiceError } from '@armor/errors';
import {
  checkClock,
  checkMs,
  checkOneOf,
  checkOptions,
  checkRequired,
  checkString,
  type Clock,
} from '@armor/core';
import { createRedisGuard, type RedisClientLike, type RedisFailure } from '@armor/core/redis';

import type { AcquireResult, BreakerState, BreakerStateStore, SharedBreakerSnapshot } from './breaker.js';

/**
 * The part of an ioredis client this store uses (`eval`, and `status`/`once`/`removeListener`
 * when present, for the guard). Structural: `ioredis` need not be installed for the types.
 */
export type RedisEvalClient = RedisClientLike;

/** Options of {@link redisBreakerState}. */
export interface RedisBreakerStateOptions {
  /** Your ioredis client (`new Redis(url)`); it is not closed by the breaker. */
  client: RedisEvalClient;
  /** The Redis key (a hash) holding this breaker's state, e.g. `breaker:payments`. */
  key: string;
  /**
   * How often (ms) each process re-reads the shared state before a call. `0` reads before
   * every call (strongest consistency, one round trip per call). Transitions are always
   * written at once. @default 1_000
   */
  syncIntervalMs?: number;
  /**
   * Whose clock the shared state runs on.
   *
   * - `'redis'`: the Redis server's `TIME`, read inside each script. `openUntil`, the
   *   open → half-open move and probe leases are judged on one clock for every process, so
   *   skew between process clocks does not shift them; the store converts the times it
   *   returns into each breaker's clock (the error is about one round trip). Needs Redis
   *   >= 3.2 (script effects replication).
   * - `'breaker'`: the time each breaker passes in (its `clock`). Use it to drive a shared
   *   breaker with `manualClock()` in tests. Process clocks must then agree (NTP): a process
   *   whose clock runs `d` ms ahead opens the circuit `d` ms longer for everyone.
   *
   * @default 'redis'
   */
  timeSource?: 'redis' | 'breaker';
  /**
   * Milliseconds one Redis call may take. Past it the call fails (the breaker emits
   * `storeError` and goes on with its local state) and the store's local circuit opens for
   * `cooldownMs`. @default 500
   */
  timeoutMs?: number;
  /**
   * Milliseconds the store stops calling Redis after a timeout or a connection error; then one
   * call probes it. While it waits, calls fail at once (the breaker uses its local state).
   * @default 1_000
   */
  cooldownMs?: number;
  /** Clock of the guard's timeout and cooldown (tests). @default the system clock */
  clock?: Clock;
}

/** Every option name of {@link redisBreakerState}. */
const KEYS = ['client', 'key', 'syncIntervalMs', 'timeSource', 'timeoutMs', 'cooldownMs', 'clock'] as const;

// KEYS[1] = hash; ARGV = op, caller's now, time source ('redis' | 'breaker'), ...op arguments.
// Every time is in the script's clock (Redis TIME or the caller's); the reply ends with that
// clock's now so the caller can convert the times into its own clock.
const SCRIPT = `
local key = KEYS[1]
local op = ARGV[1]
local callerNow = tonumber(ARGV[2])
local now = callerNow
if ARGV[3] == 'redis' then
  if redis.replicate_commands then redis.replicate_commands() end
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local h = redis.call('HMGET', key, 'state', 'since', 'openUntil', 'probes', 'leaseUntil')
local state = h[1] or 'closed'
local since = tonumber(h[2]) or 0
local openUntil = tonumber(h[3]) or 0
local probes = tonumber(h[4]) or 0
local leaseUntil = tonumber(h[5]) or 0
local permit = 'call'
local function save()
  redis.call('HSET', key, 'state', state, 'since', string.format('%.17g', since), 'openUntil', string.format('%.17g', openUntil), 'probes', probes, 'leaseUntil', string.format('%.17g', leaseUntil))
end
if op == 'acquire' then
  local maxProbes = tonumber(ARGV[4])
  local lease = tonumber(ARGV[5])
  if state == 'open' and now >= openUntil then
    state = 'half-open'; since = openUntil; openUntil = 0; probes = 0; leaseUntil = 0
  end
  if state == 'half-open' then
    if probes >= maxProbes and now >= leaseUntil then probes = 0 end
    if probes < maxProbes then
      probes = probes + 1; leaseUntil = now + lease; permit = 'probe'
    else
      permit = 'rejected'
    end
    save()
  elseif state ~= 'closed' then
    permit = 'rejected'
  end
elseif op == 'transition' then
  local from = ARGV[4]
  local to = ARGV[5]
  if (from == '*' or from == state) and to ~= state then
    state = to; since = now; probes = 0; leaseUntil = 0
    -- the caller's openUntil, as a duration from its now, on this script's clock
    if to == 'open' then openUntil = now + (tonumber(ARGV[6]) - callerNow) else openUntil = 0 end
    save()
  end
elseif op == 'release' then
  -- a caller-aborted probe gives its shared slot back at once
  if state == 'half-open' and probes > 0 then
    probes = probes - 1
    save()
  end
end
return { state, string.format('%.17g', since), string.format('%.17g', openUntil), permit, string.format('%.17g', now) }
`;

const STATES = new Set<string>(['closed', 'open', 'half-open', 'isolated']);

/** Parses a script reply, converting its times (script clock) into the caller's clock. */
function parse(reply: unknown, callerNow: number): AcquireResult {
  if (!Array.isArray(reply) || reply.length < 5) throw new Error(`unexpected reply from Redis: ${String(reply)}`);
  const [state, since, openUntil, permit, scriptNow] = reply.map(String) as [string, string, string, string, string];
  if (!STATES.has(state)) throw new Error(`unknown breaker state in Redis: ${state}`);
  const shift = callerNow - Number(scriptNow);
  // 0 means "unset"; everything else moves into the caller's clock
  const local = (t: string) => (Number(t) === 0 || !Number.isFinite(shift) ? Number(t) : Number(t) + shift);
  const snapshot: SharedBreakerSnapshot = { state: state as BreakerState, since: local(since), openUntil: local(openUntil) };
  return { permit: permit as AcquireResult['permit'], snapshot };
}

/**
 * Shares a circuit breaker's state through Redis. Times are Redis server time unless
 * `timeSource: 'breaker'` (see {@link RedisBreakerStateOptions.timeSource}). Every call is
 * guarded (`timeoutMs`, default 500 ms; `cooldownMs`, default 1 s): with Redis hung or down a
 * breaker's `execute()` is delayed by at most one `timeoutMs` per `cooldownMs`, emits
 * `storeError`, and runs on local state.
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis';
 * const client = new Redis(process.env.REDIS_URL);
 * const breaker = circuitBreaker({
 *   name: 'payments',
 *   state: redisBreakerState({ client, key: 'breaker:payments' }),
 * });
 *
 * // in tests, drive the shared state with a manual clock:
 * const clock = manualClock(Date.now());
 * const testBreaker = circuitBreaker({ clock, state: redisBreakerState({ client, key: 'breaker:test', timeSource: 'breaker' }) });
 * ```
 */
export function redisBreakerState(options: RedisBreakerStateOptions): BreakerStateStore {
  checkOptions('redisBreakerState', options, KEYS);
  if (options === undefined) throw new ConfigurationError('options', 'must be an object', { received: options });
  const { client, key, syncIntervalMs = 1_000, timeSource = 'redis', timeoutMs = 500, cooldownMs = 1_000, clock } = options;
  checkRequired('client', client, 'an ioredis client');
  if (typeof client !== 'object' || client === null || typeof (client as { eval?: unknown }).eval !== 'function') {
    throw new ConfigurationError('client', 'must be an ioredis client (an object with eval())', { received: client });
  }
  checkRequired('key', key, 'a non-empty string');
  checkString('key', key);
  checkMs('syncIntervalMs', syncIntervalMs);
  checkOneOf('timeSource', timeSource, ['redis', 'breaker'] as const);
  checkMs('timeoutMs', timeoutMs, { min: 1 });
  checkMs('cooldownMs', cooldownMs);
  checkClock(clock);
  const guard = createRedisGuard(client, {
    name: `redisBreakerState ${key}`,
    timeoutMs,
    cooldownMs,
    ...(clock === undefined ? {} : { clock }),
    toError: (failure: RedisFailure) =>
      new ExternalServiceError(failure.message, { cause: failure.cause, details: { store: 'redisBreakerState', key, operation: failure.operation, reason: failure.reason } }),
  });
  const run = async (op: string, now: number, ...args: (string | number)[]) =>
    parse(await guard.run(op, () => client.eval(SCRIPT, 1, key, op, now, timeSource, ...args)), now);
  return {
    syncIntervalMs,
    read: async (now = Date.now()) => (await run('read', now)).snapshot,
    acquire: (now, maxProbes, probeLeaseMs) => run('acquire', now, maxProbes, probeLeaseMs),
    transition: async (from, to, now, openUntil) => (await run('transition', now, from, to, openUntil)).snapshot,
    release: async (now) => {
      await run('release', now);
    },
  };
}
