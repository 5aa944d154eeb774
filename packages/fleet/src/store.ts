/**
 * `redisFleetStore`: what is not a metric — error groups and slow operations — shared by every
 * instance through Redis, so the fleet dashboard shows one world and nothing is lost on restart.
 *
 * - Error groups merge by fingerprint across instances: one count, the earliest first-seen, the
 *   latest message and sample, and first/last seen and count per release and instance.
 * - Slow operations: one list, newest first, bounded.
 * - Every call goes through the kernel's Redis guard (per-call timeout, fail-fast, one timeout
 *   per cooldown), so a hung Redis never holds a request or the sync loop.
 *
 * @module
 */
import { checkInt, checkOptions, checkRequired, checkString } from '@armor/core';
import { createRedisGuard, type RedisClientLike, type RedisGuard } from '@armor/core/redis';
import { ServiceUnavailableError } from '@armor/errors';
import type { ErrorGroup, ErrorGroupSighting, SlowOperation } from '@armor/metrics';

export type { ErrorGroupSighting };

/** An error group of the fleet: the contract's group with `seen` always present. */
export interface FleetErrorGroup extends ErrorGroup {
  /** Per release and instance, most recently seen first. */
  seen: ErrorGroupSighting[];
}

/** A slow operation of the fleet, with the instance and release that reported it. */
export interface FleetSlowOperation extends SlowOperation {
  instance?: string;
  release?: string;
}

/** Options of {@link redisFleetStore}. */
export interface RedisFleetStoreOptions {
  /** Your ioredis client (not closed by the store). */
  client: RedisClientLike;
  /** Key prefix. @default 'armor:fleet:' */
  prefix?: string;
  /** Error groups kept (the least recently seen are dropped). @default 1_000 */
  maxGroups?: number;
  /** Slow operations kept, newest first. @default 200 */
  maxSlowOperations?: number;
  /** Milliseconds each Redis call may take. @default 1_000 */
  timeoutMs?: number;
}

/**
 * Identifies a push so that a retry counts once: `source` names one pusher (one `syncToFleet` in
 * one process), `seq` grows with each push of that source. For an error group, `seq` is the
 * running total of occurrences the source pushed for it (this push included): the store adds
 * `seq` minus what it already applied from the source, so a push that timed out but ran, and its
 * retry with more occurrences, together count exactly once.
 */
export interface FleetPush {
  source: string;
  seq: number;
}

/** The store. */
export interface FleetStore {
  /**
   * Adds `delta` occurrences of `group`, seen on `instance` running `release`. With `where.push`,
   * idempotent: the store applies `push.seq` minus the total already applied from `push.source`
   * (nothing when that is not positive), whatever `delta` says.
   */
  recordErrorGroup(group: ErrorGroup, delta: number, where: { instance: string; release: string; push?: FleetPush }): Promise<void>;
  /** Adds one slow operation. With `push`, a push whose `seq` is not above the source's last one is ignored. */
  recordSlowOperation(operation: FleetSlowOperation, push?: FleetPush): Promise<void>;
  /** The most recently seen groups (at most `limit`), and how many groups are stored. */
  errorGroups(limit?: number): Promise<{ total: number; groups: FleetErrorGroup[] }>;
  /** The newest slow operations (at most `limit`). */
  slowOperations(limit?: number): Promise<FleetSlowOperation[]>;
  /** The guard the store calls Redis through (its state and events). */
  readonly guard: RedisGuard;
}

// KEYS: index zset, group hash, sightings hash, applied-pushes hash. ARGV: fp, code, status,
// name, message, delta, first, last, sample, where, maxGroups, prefix, push source ('' for none),
// push seq. Dropping the oldest groups deletes keys not in KEYS: fine on a standalone Redis or a
// single shard (use a hash tag in `prefix` on a cluster).
const RECORD = `
local h = KEYS[2]
local delta = tonumber(ARGV[6])
if ARGV[13] ~= '' then
  local seq = tonumber(ARGV[14])
  local applied = tonumber(redis.call('HGET', KEYS[4], ARGV[13]) or '0')
  if seq <= applied then return 0 end
  delta = seq - applied
  redis.call('HSET', KEYS[4], ARGV[13], ARGV[14])
end
local first = tonumber(ARGV[7])
local last = tonumber(ARGV[8])
if redis.call('EXISTS', h) == 0 then
  redis.call('HSET', h, 'code', ARGV[2], 'status', ARGV[3], 'name', ARGV[4], 'firstSeen', ARGV[7], 'lastSeen', '0', 'count', '0')
end
redis.call('HINCRBY', h, 'count', delta)
if first < tonumber(redis.call('HGET', h, 'firstSeen')) then redis.call('HSET', h, 'firstSeen', ARGV[7]) end
if last >= tonumber(redis.call('HGET', h, 'lastSeen')) then
  redis.call('HSET', h, 'lastSeen', ARGV[8], 'message', ARGV[5], 'sample', ARGV[9], 'code', ARGV[2], 'status', ARGV[3], 'name', ARGV[4])
end
local w = redis.call('HGET', KEYS[3], ARGV[10])
local wf, wl, wc = first, last, 0
if w then
  local a, b, c = string.match(w, '^([^,]+),([^,]+),([^,]+)$')
  wf = math.min(tonumber(a), first); wl = math.max(tonumber(b), last); wc = tonumber(c)
end
redis.call('HSET', KEYS[3], ARGV[10], string.format('%.0f,%.0f,%.0f', wf, wl, wc + delta))
redis.call('ZADD', KEYS[1], redis.call('HGET', h, 'lastSeen'), ARGV[1])
local max = tonumber(ARGV[11])
local n = redis.call('ZCARD', KEYS[1])
if n > max then
  local old = redis.call('ZRANGE', KEYS[1], 0, n - max - 1)
  for _, f in ipairs(old) do redis.call('DEL', ARGV[12] .. 'g:' .. f, ARGV[12] .. 'w:' .. f, ARGV[12] .. 'a:' .. f) end
  redis.call('ZREMRANGEBYRANK', KEYS[1], 0, n - max - 1)
end
return 1
`;

// KEYS: index zset. ARGV: limit, prefix. Returns total, then per group: fp, hash fields, sightings.
const LIST = `
local total = redis.call('ZCARD', KEYS[1])
local fps = redis.call('ZREVRANGE', KEYS[1], 0, tonumber(ARGV[1]) - 1)
local out = { total }
for _, f in ipairs(fps) do
  table.insert(out, f)
  table.insert(out, redis.call('HGETALL', ARGV[2] .. 'g:' .. f))
  table.insert(out, redis.call('HGETALL', ARGV[2] .. 'w:' .. f))
end
return out
`;

// KEYS: list, source's last seq. ARGV: operation, max, seq ('' for none), seq key ttl (s).
const PUSH = `
if ARGV[3] ~= '' then
  local last = tonumber(redis.call('GET', KEYS[2]) or '0')
  if tonumber(ARGV[3]) <= last then return 0 end
  redis.call('SET', KEYS[2], ARGV[3], 'EX', tonumber(ARGV[4]))
end
redis.call('LPUSH', KEYS[1], ARGV[1])
redis.call('LTRIM', KEYS[1], 0, tonumber(ARGV[2]) - 1)
return 1
`;
/** Seconds a source's last slow-operation seq is kept (a week: far longer than any retry). */
const SEQ_TTL_S = 7 * 24 * 3600;
const RANGE = `return redis.call('LRANGE', KEYS[1], 0, tonumber(ARGV[1]) - 1)`;

const pairs = (flat: unknown): Record<string, string> => {
  const out: Record<string, string> = {};
  if (!Array.isArray(flat)) return out;
  for (let i = 0; i + 1 < flat.length; i += 2) out[String(flat[i])] = String(flat[i + 1]);
  return out;
};

const safeJson = (value: unknown): string => {
  try {
    return JSON.stringify(value) ?? 'null';
  } catch {
    return 'null';
  }
};

/**
 * Creates the Redis-backed fleet store.
 *
 * @example
 * ```ts no-run
 * import { Redis } from 'ioredis';
 * const store = redisFleetStore({ client: new Redis(process.env.REDIS_URL!) });
 * ```
 */
export function redisFleetStore(options: RedisFleetStoreOptions): FleetStore {
  checkOptions('redisFleetStore', options, ['client', 'prefix', 'maxGroups', 'maxSlowOperations', 'timeoutMs']);
  checkRequired('client', options?.client, 'an ioredis client');
  const { client, prefix = 'armor:fleet:', maxGroups = 1_000, maxSlowOperations = 200, timeoutMs = 1_000 } = options;
  checkString('prefix', prefix);
  checkInt('maxGroups', maxGroups, 1);
  checkInt('maxSlowOperations', maxSlowOperations, 1);
  const guard = createRedisGuard(client, {
    name: 'fleet store',
    timeoutMs,
    toError: (failure) => new ServiceUnavailableError(`Fleet store: ${failure.message}`, { cause: failure.cause }),
  });
  const index = `${prefix}groups`;
  const slowKey = `${prefix}slow`;

  return {
    guard,
    async recordErrorGroup(group, delta, where) {
      if (!(delta > 0) && !where.push) return;
      const fp = String(group.fingerprint);
      const sample = group.sample ? safeJson(group.sample) : '';
      await guard.run('recordErrorGroup', () =>
        client.eval(
          RECORD,
          4,
          index,
          `${prefix}g:${fp}`,
          `${prefix}w:${fp}`,
          `${prefix}a:${fp}`,
          fp,
          String(group.code),
          String(group.status),
          String(group.name),
          String(group.message),
          Math.floor(delta),
          Math.floor(group.firstSeen),
          Math.floor(group.lastSeen),
          sample,
          `${where.release}\t${where.instance}`,
          maxGroups,
          prefix,
          where.push ? String(where.push.source) : '',
          where.push ? Math.floor(where.push.seq) : 0,
        ),
      );
    },
    async recordSlowOperation(operation, push) {
      await guard.run('recordSlowOperation', () =>
        client.eval(PUSH, 2, slowKey, `${prefix}s:${push ? String(push.source) : ''}`, safeJson(operation), maxSlowOperations, push ? Math.floor(push.seq) : '', SEQ_TTL_S),
      );
    },
    async errorGroups(limit = 100) {
      const reply = (await guard.run('errorGroups', () => client.eval(LIST, 1, index, Math.max(1, Math.floor(limit)), prefix))) as unknown[];
      const total = Number(reply[0] ?? 0);
      const groups: FleetErrorGroup[] = [];
      for (let i = 1; i + 2 < reply.length; i += 3) {
        const fp = String(reply[i]);
        const h = pairs(reply[i + 1]);
        if (h.count === undefined) continue; // dropped between ZREVRANGE and HGETALL
        const seen = Object.entries(pairs(reply[i + 2]))
          .map(([key, value]) => {
            const [release = '', instance = ''] = key.split('\t');
            const [firstSeen, lastSeen, count] = value.split(',').map(Number) as [number, number, number];
            return { release, instance, firstSeen, lastSeen, count };
          })
          .sort((a, b) => b.lastSeen - a.lastSeen);
        let sample: ErrorGroup['sample'];
        try {
          sample = h.sample ? (JSON.parse(h.sample) as ErrorGroup['sample']) : undefined;
        } catch {
          sample = undefined;
        }
        groups.push({
          fingerprint: fp,
          code: h.code ?? 'INTERNAL_ERROR',
          status: Number(h.status ?? 500),
          name: h.name ?? 'Error',
          message: h.message ?? '',
          count: Number(h.count),
          firstSeen: Number(h.firstSeen),
          lastSeen: Number(h.lastSeen),
          ...(sample ? { sample } : {}),
          seen,
        });
      }
      return { total, groups };
    },
    async slowOperations(limit = 50) {
      const reply = (await guard.run('slowOperations', () => client.eval(RANGE, 1, slowKey, Math.max(1, Math.floor(limit))))) as unknown[];
      const out: FleetSlowOperation[] = [];
      for (const raw of reply) {
        try {
          out.push(JSON.parse(String(raw)) as FleetSlowOperation);
        } catch {
          // a foreign value in our list: skip it
        }
      }
      return out;
    },
  };
}
