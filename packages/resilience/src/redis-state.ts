/**
 * A {@link BreakerStateStore} on Redis, so N processes share one breaker state: when one
 * opens the circuit every process fails fast, and one probe (cluster-wide) decides when to
 * close it. Uses the caller's ioredis client (any client with a compatible `eval`), with Lua
 * scripts so every transition is atomic.
 *
 * @module
 */
import { ConfigurationError } from '@armor/errors';
import type { AcquireResult, BreakerState, BreakerStateStore, SharedBreakerSnapshot } from './breaker.js';
import { checkMs } from './policy.js';

/** The subset of an ioredis client this store uses. */
export interface RedisEvalClient {
  eval(script: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
}

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
}

// KEYS[1] = hash; ARGV = op, now, ...
const SCRIPT = `
local key = KEYS[1]
local op = ARGV[1]
local now = tonumber(ARGV[2])
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
  local maxProbes = tonumber(ARGV[3])
  local lease = tonumber(ARGV[4])
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
  local from = ARGV[3]
  local to = ARGV[4]
  if (from == '*' or from == state) and to ~= state then
    state = to; since = now; probes = 0; leaseUntil = 0
    if to == 'open' then openUntil = tonumber(ARGV[5]) else openUntil = 0 end
    save()
  end
end
return { state, string.format('%.17g', since), string.format('%.17g', openUntil), permit }
`;

const STATES = new Set<string>(['closed', 'open', 'half-open', 'isolated']);

function parse(reply: unknown): AcquireResult {
  if (!Array.isArray(reply) || reply.length < 4) throw new Error(`unexpected reply from Redis: ${String(reply)}`);
  const [state, since, openUntil, permit] = reply.map(String) as [string, string, string, string];
  if (!STATES.has(state)) throw new Error(`unknown breaker state in Redis: ${state}`);
  const snapshot: SharedBreakerSnapshot = { state: state as BreakerState, since: Number(since), openUntil: Number(openUntil) };
  return { permit: permit as AcquireResult['permit'], snapshot };
}

/**
 * Shares a circuit breaker's state through Redis.
 *
 * @example
 * ```ts
 * import Redis from 'ioredis';
 * const client = new Redis(process.env.REDIS_URL);
 * const breaker = circuitBreaker({
 *   name: 'payments',
 *   state: redisBreakerState({ client, key: 'breaker:payments' }),
 * });
 * ```
 */
export function redisBreakerState(options: RedisBreakerStateOptions): BreakerStateStore {
  if (typeof options !== 'object' || options === null) throw new ConfigurationError('options', 'must be an object', { received: options });
  const { client, key, syncIntervalMs = 1_000 } = options;
  if (typeof client !== 'object' || client === null || typeof (client as { eval?: unknown }).eval !== 'function') {
    throw new ConfigurationError('client', 'must be an ioredis client (an object with eval())', { received: client });
  }
  if (typeof key !== 'string' || key === '') throw new ConfigurationError('key', 'must be a non-empty string', { received: key });
  checkMs('syncIntervalMs', syncIntervalMs);
  const run = async (...args: (string | number)[]) => parse(await client.eval(SCRIPT, 1, key, ...args));
  return {
    syncIntervalMs,
    read: async () => (await run('read', 0)).snapshot,
    acquire: (now, maxProbes, probeLeaseMs) => run('acquire', now, maxProbes, probeLeaseMs),
    transition: async (from, to, now, openUntil) => (await run('transition', now, from, to, openUntil)).snapshot,
  };
}
