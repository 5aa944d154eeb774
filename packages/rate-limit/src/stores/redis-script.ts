/**
 * The Lua port of `engine.ts`, run atomically by Redis. Keep it in step with the engine:
 * the store conformance suite runs the same scenarios against the memory and Redis stores.
 *
 * KEYS: one per operation. ARGV[1]: all-or-nothing (1/0). Then 10 fields per operation:
 * kind (1 consume, 2 peek, 3 penalize, 4 reward, 5 reset), algorithm (1 fixed, 2 sliding,
 * 3 token bucket, 4 gcra), limit, capacity, windowMs, msPerPoint, blockDurationMs,
 * blockGrowth, maxBlockDurationMs, cost. The clock is Redis `TIME`.
 * Returns 5 integers per operation: allowed, remaining, resetMs, retryAfterMs, reason
 * (0 none, 1 limit, 2 blocked).
 *
 * @module
 */
export const RATE_LIMIT_LUA = `
local EPS = 1e-9
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local n = #KEYS
local ops = {}
for i = 1, n do
  local b = 1 + (i - 1) * 10
  ops[i] = { kind = tonumber(ARGV[b + 1]), alg = tonumber(ARGV[b + 2]), limit = tonumber(ARGV[b + 3]),
    cap = tonumber(ARGV[b + 4]), W = tonumber(ARGV[b + 5]), P = tonumber(ARGV[b + 6]), bms = tonumber(ARGV[b + 7]),
    growth = tonumber(ARGV[b + 8]), maxb = tonumber(ARGV[b + 9]), cost = tonumber(ARGV[b + 10]) }
end

local function decode(raw)
  if not raw then return nil end
  local st = {}
  for v in string.gmatch(raw, '%S+') do st[#st + 1] = tonumber(v) end
  return st
end

local function load(p, st)
  if p.alg == 1 then
    local ws = math.floor(now / p.W) * p.W
    if st and st[1] == ws then return ws, st[2], 0 end
    return ws, 0, 0
  elseif p.alg == 2 then
    local ws = math.floor(now / p.W) * p.W
    if not st then return ws, 0, 0 end
    if st[1] == ws then return ws, st[2], st[3] end
    if st[1] == ws - p.W then return ws, 0, st[2] end
    return ws, 0, 0
  elseif p.alg == 3 then
    if not st then return now, p.cap, 0 end
    local el = now - st[2]
    if el < 0 then el = 0 end
    return now, math.min(p.cap, st[1] + el / p.P), 0
  else
    if not st then return now, now, 0 end
    return now, math.max(st[1], now), 0
  end
end

local function avail(p, ws, x, prev)
  if p.alg == 1 then return p.limit - x
  elseif p.alg == 2 then return p.limit - prev * (p.W - (now - ws)) / p.W - x
  elseif p.alg == 3 then return x
  else return (p.cap * p.P - (x - now)) / p.P end
end

local function take(p, x, delta)
  if p.alg == 1 or p.alg == 2 then return math.max(0, x + delta)
  elseif p.alg == 3 then return math.min(p.cap, x - delta)
  else return math.max(now, x + delta * p.P) end
end

local function waitfor(p, ws, x, prev, need)
  if p.alg == 1 then
    if x + need <= p.limit + EPS then return 0 end
    return ws + p.W - now
  elseif p.alg == 2 then
    if avail(p, ws, x, prev) + EPS >= need then return 0 end
    if x + need <= p.limit + EPS and prev > 0 then
      return math.max(0, ws + p.W - (p.limit - x - need) * p.W / prev - now)
    end
    return ws + p.W + math.max(0, p.W - (p.limit - need) * p.W / x) - now
  elseif p.alg == 3 then
    return math.max(0, (need - x) * p.P)
  else
    return math.max(0, x + need * p.P - p.cap * p.P - now)
  end
end

local function fullin(p, ws, x, prev)
  if p.alg == 1 then
    if x > 0 then return ws + p.W - now end
    return 0
  elseif p.alg == 2 then
    if x > 0 then return ws + 2 * p.W - now end
    if prev > 0 then return ws + p.W - now end
    return 0
  elseif p.alg == 3 then
    return math.max(0, (p.cap - x) * p.P)
  else
    return math.max(0, x - now)
  end
end

local function encode(p, ws, x, prev, bu, s)
  local a, b, c = ws, x, prev
  if p.alg == 1 then c = 0
  elseif p.alg == 3 then a, b, c = x, now, 0
  elseif p.alg == 4 then a, b, c = x, 0, 0 end
  return string.format('%.17g %.17g %.17g %.17g %d', a, b, c, bu, s)
end

local function blockfor(p, s)
  return math.min(p.maxb, p.bms * (p.growth ^ (s - 1)))
end

-- returns allowed, remaining, resetMs, retryMs, reason, write (0 none, 1 set, 2 del), value, ttl
local function evalop(p, st, commit)
  if p.kind == 5 then
    return 1, math.floor(p.cap), 0, 0, 0, 2, nil, 1
  end
  local ws, x, prev = load(p, st)
  local bu, s = 0, 0
  if st then
    if st[4] > now then bu = st[4] end
    s = st[5]
  end
  local allowed, reason = 0, 0
  local need = p.cost
  local changed = false
  local before = avail(p, ws, x, prev)
  if p.kind == 2 then
    if bu == 0 and before + EPS >= need then allowed = 1 end
    if bu > 0 then reason = 2 elseif allowed == 0 then reason = 1 end
  elseif p.kind == 1 then
    if bu > 0 then
      reason = 2
    elseif before + EPS >= need then
      allowed = 1
      if commit then
        x = take(p, x, need)
        changed = true
      end
    else
      reason = 1
      if p.bms > 0 then
        s = s + 1
        bu = now + blockfor(p, s)
        changed = true
      end
    end
  else
    if p.kind == 3 then x = take(p, x, need) else x = take(p, x, -need) end
    changed = true
    need = 1
    local after = avail(p, ws, x, prev)
    if p.kind == 3 and bu == 0 and p.bms > 0 and after + EPS < 1 then
      s = s + 1
      bu = now + blockfor(p, s)
    end
    if bu == 0 and after + EPS >= 1 then allowed = 1 end
    if bu > 0 then reason = 2 elseif allowed == 0 then reason = 1 end
  end
  local remaining = 0
  if bu == 0 then remaining = math.max(0, math.floor(avail(p, ws, x, prev) + EPS)) end
  local full = fullin(p, ws, x, prev)
  local left = 0
  if bu > 0 then left = bu - now end
  local reset = math.ceil(math.max(full, left))
  local retry = 0
  if allowed == 0 then retry = math.ceil(math.max(left, waitfor(p, ws, x, prev, need))) end
  if not changed then return allowed, remaining, reset, retry, reason, 0, nil, 1 end
  local extra = 0
  if s > 0 then extra = p.maxb end
  local ttl = math.max(full, left + extra)
  if ttl <= 0 then return allowed, remaining, reset, retry, reason, 2, nil, 1 end
  return allowed, remaining, reset, retry, reason, 1, encode(p, ws, x, prev, bu, s), math.ceil(ttl)
end

local states = {}
for i = 1, n do states[i] = decode(redis.call('GET', KEYS[i])) end

local function run(commit)
  local res = {}
  for i = 1, n do res[i] = { evalop(ops[i], states[i], commit) } end
  return res
end

local res
if ARGV[1] == '1' then
  res = run(false)
  local refused = false
  for i = 1, n do
    if ops[i].kind == 1 and res[i][1] == 0 then refused = true end
  end
  if not refused then res = run(true) end
else
  res = run(true)
end

local out = {}
for i = 1, n do
  local r = res[i]
  if r[6] == 1 then
    redis.call('SET', KEYS[i], r[7], 'PX', r[8])
  elseif r[6] == 2 then
    redis.call('DEL', KEYS[i])
  end
  out[#out + 1] = r[1]
  out[#out + 1] = r[2]
  out[#out + 1] = r[3]
  out[#out + 1] = r[4]
  out[#out + 1] = r[5]
end
return out
`;
