/**
 * Dedicated Lua scripts for the hot path: one `consume` of one key, one script per algorithm
 * (chosen from the policy, so Redis runs no algorithm dispatch). They read and write the
 * same state as `RATE_LIMIT_LUA` (5 little-endian doubles) and must give exactly the answer
 * its `kind = 1`, single-key, not-all-or-nothing path gives; the Redis parity property test
 * runs both against the JavaScript engine.
 *
 * The fixed window keeps a key that counts in the current window, with no block and no strike,
 * as a plain integer (the points taken) whose expiry is exactly the window's end (`PXAT`).
 * Such a key exists only until its window ends, so a consume of it needs no clock: `INCRBY`,
 * then `PTTL` (> 0: the key's window is still the current one; it is also the time left, i.e.
 * `resetMs`). Everything else (the first hit of a window, a refusal, blocks and strikes, a
 * fractional cost or count) reads Redis `TIME` and the 40-byte state as before. Keys of the
 * previous format are still read.
 *
 * KEYS[1]: the key. ARGV: the policy numbers the script reads, as decimal strings that
 * round-trip exactly (windows: limit, windowMs; bucket/GCRA: capacity, msPerPoint; then, with
 * blocks, blockDurationMs, blockGrowth, maxBlockDurationMs), then the cost. Plain strings keep
 * ioredis on its fast string-encoding path.
 * Returns remaining, resetMs when allowed; remaining, resetMs, retryAfterMs, reason (1 limit,
 * 2 blocked), blockedMs (0 when not blocked) when refused.
 *
 * @module
 */
import type { Algorithm, RateLimitPolicy } from '../types.js';

interface Parts {
  /** The two policy numbers this algorithm reads: windows use limit and W, buckets cap and P. */
  uses: 'window' | 'rate';
  /** Sets `x` (and `ws`, `prev`) from `raw` / `sa`, `sb`, `sc`. */
  load: string;
  /** Points available now (expression). */
  avail: string;
  /** Takes `cost` points. */
  take: string;
  /** Milliseconds until `cost` points could be taken (expression, may use statements before). */
  wait: string;
  /** Milliseconds until full capacity (statement setting `full`). */
  full: string;
  /** The state to store. */
  pack: string;
  /**
   * Windows: when the stored state is of this window with points taken and no block or
   * strike, its expiry is already this window's absolute end, so the write keeps it (KEEPTTL).
   */
  keep?: string;
  /**
   * The hot path run before the clock is read (fixed window: a plain count). Must return
   * exactly what the general path would, or leave the key as it found it.
   */
  hot?: string;
  /** {@link Parts.hot} for the script with blocks. */
  hotWithBlocks?: string;
  /**
   * Writes a new state other than with `pack` and a relative expiry (statement; `false`
   * expression when it does not apply): the fixed window's plain count.
   */
  plain?: string;
}

const PARTS: Record<Algorithm, Parts> = {
  'fixed-window': {
    uses: 'window',
    load: `local ws = floor(now / W) * W
local x = 0
if raw and sa == ws then x = sb end`,
    avail: `limit - x`,
    take: `x = max(0, x + cost)`,
    wait: `local wait = 0
if x + cost > limit + EPS then wait = ws + W - now end`,
    full: `local full = 0
if x > 0 then full = ws + W - now end`,
    pack: `pack('<ddddd', ws, x, 0, bu, s)`,
    // A plain count (see the module comment), first thing in the script (no clock, no
    // prologue). Used for whole costs only (a fractional cost gets the script without it).
    // Without blocks, INCRBY first: it answers a number only for a plain key (or none: it then
    // creates one, with no expiry); a 40-byte state (left by fractional costs) makes it answer
    // an error, caught. With blocks, where 40-byte states (strikes) are common, a GET first,
    // so Redis never records an error reply. PTTL > 0: the key's window is the current one,
    // and PTTL = window end - now in whole ms (= the general path's ceil'd resetMs); PTTL <= W
    // refuses a key of a longer window (a changed policy under the same name, or Redis's
    // clock went back). The limit (ARGV[1], W is ARGV[2]) and a plain count are integers, so
    // no EPS. Otherwise the key is put back as it was and the general path decides.
    hot: `local c = redis.pcall('INCRBY', KEYS[1], COST)
if type(c) == 'number' then
  local ttl = redis.call('PTTL', KEYS[1])
  local limit = tonumber(ARGV[1])
  if ttl > 0 and ttl <= tonumber(ARGV[2]) and c <= limit then return { limit - c, ttl } end
  if ttl == -1 then redis.call('DEL', KEYS[1]) else redis.call('DECRBY', KEYS[1], COST) end
end`,
    hotWithBlocks: `local got = redis.call('GET', KEYS[1])
if got and #got < 40 then
  local c = redis.pcall('INCRBY', KEYS[1], COST)
  if type(c) == 'number' then
    local ttl = redis.call('PTTL', KEYS[1])
    local limit = tonumber(ARGV[1])
    if ttl > 0 and ttl <= tonumber(ARGV[2]) and c <= limit then return { limit - c, ttl } end
    redis.call('DECRBY', KEYS[1], COST)
  end
end`,
    plain: `bu == 0 and s == 0 and x == floor(x) and x < 1e14 and ws + W == floor(ws + W) and ws + W < 1e14`,
  },
  'sliding-window': {
    uses: 'window',
    load: `local ws = floor(now / W) * W
local x, prev = 0, 0
if raw then
  if sa == ws then x, prev = sb, sc elseif sa == ws - W then prev = sb end
end`,
    avail: `limit - prev * (W - (now - ws)) / W - x`,
    take: `x = max(0, x + cost)`,
    wait: `local wait = 0
if limit - prev * (W - (now - ws)) / W - x + EPS < cost then
  if x + cost <= limit + EPS and prev > 0 then
    wait = max(0, ws + W - (limit - x - cost) * W / prev - now)
  else
    wait = ws + W + max(0, W - (limit - cost) * W / x) - now
  end
end`,
    full: `local full = 0
if x > 0 then full = ws + 2 * W - now elseif prev > 0 then full = ws + W - now end`,
    pack: `pack('<ddddd', ws, x, prev, bu, s)`,
    keep: `raw and sa == ws and sb > 0 and x > 0 and sbu == 0 and s == 0`,
  },
  'token-bucket': {
    uses: 'rate',
    load: `local x = cap
if raw then
  local el = now - sb
  if el < 0 then el = 0 end
  x = min(cap, sa + el / P)
end`,
    avail: `x`,
    take: `x = min(cap, x - cost)`,
    wait: `local wait = max(0, (cost - x) * P)`,
    full: `local full = max(0, (cap - x) * P)`,
    pack: `pack('<ddddd', x, now, 0, bu, s)`,
  },
  gcra: {
    uses: 'rate',
    load: `local x = now
if raw and sa > now then x = sa end`,
    avail: `(cap * P - (x - now)) / P`,
    take: `x = max(now, x + cost * P)`,
    wait: `local wait = max(0, x + cost * P - cap * P - now)`,
    full: `local full = max(0, x - now)`,
    pack: `pack('<ddddd', x, 0, 0, bu, s)`,
  },
};

function build(p: Parts, blocks: boolean, whole: boolean): string {
  const hot = whole ? (blocks ? p.hotWithBlocks : p.hot) : undefined;
  const policy = p.uses === 'window' ? 'limit, W' : 'cap, P';
  const read = blocks
    ? `local ${policy}, bms, growth, maxb, cost = num(ARGV[1]), num(ARGV[2]), num(ARGV[3]), num(ARGV[4]), num(ARGV[5]), num(ARGV[6])`
    : `local ${policy}, cost = num(ARGV[1]), num(ARGV[2]), num(ARGV[3])
local bms, growth, maxb = 0, 1, 0`;
  // A state that is not 40 bytes is a window's plain count (see the module comment): its
  // window began one window before its expiry. Other algorithms treat it as no state.
  const decode =
    p.uses === 'window'
      ? `if #raw == 40 then sa, sb, sc, sbu, ss = unpack('<ddddd', raw)
  else sa, sb, sc, sbu, ss = redis.call('PEXPIRETIME', KEYS[1]) - W, num(raw) or 0, 0, 0, 0 end`
      : `if #raw == 40 then sa, sb, sc, sbu, ss = unpack('<ddddd', raw) else raw = false end`;
  return `${hot ? hot.replaceAll('COST', blocks ? 'ARGV[6]' : 'ARGV[3]') : ''}
local EPS = 1e-9
local floor, ceil, max, min = math.floor, math.ceil, math.max, math.min
local pack, unpack = struct.pack, struct.unpack
local num = tonumber
${read}
local t = redis.call('TIME')
local now = t[1] * 1000 + t[2] / 1000 -- Lua reads the TIME strings as numbers in arithmetic (as tonumber would)
local raw = redis.call('GET', KEYS[1])
local sa, sb, sc, sbu, ss
if raw then
  ${decode}
end
${p.load}
local bu, s = 0, 0
if raw then
  if sbu > now then bu = sbu end
  s = ss
end
local allowed, reason, changed = 0, 0, false
if bu > 0 then
  reason = 2
elseif ${p.avail} + EPS >= cost then
  allowed = 1
  ${p.take}
  changed = true
else
  reason = 1
  if bms > 0 then
    s = s + 1
    bu = now + min(maxb, bms * (growth ^ (s - 1)))
    changed = true
  end
end
local remaining = 0
if bu == 0 then remaining = max(0, floor(${p.avail} + EPS)) end
${p.full}
local left = 0
if bu > 0 then left = bu - now end
local retry = 0
if allowed == 0 then
  ${p.wait}
  retry = ceil(max(left, wait))
end
if changed then
  local extra = 0
  if s > 0 then extra = maxb end
  local ttl = max(full, left + extra)
  if ttl <= 0 then
    redis.call('DEL', KEYS[1])
${p.plain ? `  elseif ${p.plain} then
    redis.call('SET', KEYS[1], string.format('%d', x), 'PXAT', string.format('%d', ws + W)) -- integers (checked): exact digits whatever Redis's number format
` : ''}${p.keep ? `  elseif ${p.keep} then
    redis.call('SET', KEYS[1], ${p.pack}, 'KEEPTTL')
` : ''}  else
    redis.call('SET', KEYS[1], ${p.pack}, 'PX', ceil(ttl))
  end
end
if allowed == 1 then return { remaining, ceil(max(full, left)) } end
return { remaining, ceil(max(full, left)), retry, reason, ceil(left) }
`;
}

const cache = new Map<string, string>();

/**
 * The single-key `consume` script of one algorithm, with or without blocks. Its arguments
 * (see {@link consumeArgs}) are only the numbers it reads, as Redis turns every argument into
 * a Lua string. `whole`: the script for whole costs (with the fixed window's clock-free hot
 * path); `false` for a fractional cost, which `INCRBY` cannot take.
 */
export function consumeScript(algorithm: Algorithm, blocks: boolean, whole = true): string {
  const id = `${algorithm}:${blocks}:${whole}`;
  let script = cache.get(id);
  if (script === undefined) cache.set(id, (script = build(PARTS[algorithm], blocks, whole)));
  return script;
}

/** The policy arguments of {@link consumeScript} (the cost follows them). */
export function consumeArgs(p: RateLimitPolicy): string[] {
  const uses = PARTS[p.algorithm].uses === 'window' ? [p.limit, p.windowMs] : [p.capacity, p.msPerPoint];
  if (p.blockDurationMs > 0) uses.push(p.blockDurationMs, p.blockGrowth, p.maxBlockDurationMs);
  // String(n) is the shortest decimal that round-trips, so Lua's tonumber reads the same double.
  return uses.map(String);
}
