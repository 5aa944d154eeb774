/**
 * The Lua port of `engine.ts`, run atomically by Redis. Keep it in step with the engine:
 * the store conformance suite runs the same scenarios against the memory and Redis stores.
 *
 * KEYS: one per operation. ARGV[1]: all-or-nothing (1/0). Then one argument per operation:
 * 10 little-endian doubles (struct-packed, 80 bytes): kind (1 consume, 2 peek, 3 penalize, 4 reward, 5 reset), algorithm (1 fixed, 2 sliding,
 * 3 token bucket, 4 gcra), limit, capacity, windowMs, msPerPoint, blockDurationMs,
 * blockGrowth, maxBlockDurationMs, cost. The clock is Redis `TIME`.
 * State: 5 little-endian doubles (struct.pack), or for a fixed window counting in the current
 * window with no block and no strike, the points taken as a plain integer whose expiry is the
 * window's end (`PXAT`), which the fast consume script increments without reading the clock
 * (see `redis-consume-script.ts`). Returns 6 integers per operation: allowed, remaining, resetMs, retryAfterMs, reason
 * (0 none, 1 limit, 2 blocked), blockedMs (milliseconds until the key's block ends; 0 when not blocked), like the fast
 * consume scripts and the JavaScript engine.
 *
 * @module
 */
export const RATE_LIMIT_LUA = `
local EPS = 1e-9
local floor, ceil, max, min = math.floor, math.ceil, math.max, math.min
local unpack, pack, num = struct.unpack, struct.pack, tonumber
local t = redis.call('TIME')
local now = t[1] * 1000 + t[2] / 1000 -- Lua reads the TIME strings as numbers in arithmetic (as tonumber would)
local n = #KEYS

local function avail(alg, limit, cap, W, P, ws, x, prev)
  if alg == 1 then return limit - x
  elseif alg == 2 then return limit - prev * (W - (now - ws)) / W - x
  elseif alg == 3 then return x
  else return (cap * P - (x - now)) / P end
end

local function waitfor(alg, limit, cap, W, P, ws, x, prev, need)
  if alg == 1 then
    if x + need <= limit + EPS then return 0 end
    return ws + W - now
  elseif alg == 2 then
    if avail(alg, limit, cap, W, P, ws, x, prev) + EPS >= need then return 0 end
    if x + need <= limit + EPS and prev > 0 then
      return max(0, ws + W - (limit - x - need) * W / prev - now)
    end
    return ws + W + max(0, W - (limit - need) * W / x) - now
  elseif alg == 3 then
    return max(0, (need - x) * P)
  else
    return max(0, x + need * P - cap * P - now)
  end
end

local function fullin(alg, cap, W, P, ws, x, prev)
  if alg == 1 then
    if x > 0 then return ws + W - now end
    return 0
  elseif alg == 2 then
    if x > 0 then return ws + 2 * W - now end
    if prev > 0 then return ws + W - now end
    return 0
  elseif alg == 3 then
    return max(0, (cap - x) * P)
  else
    return max(0, x - now)
  end
end

local raws = {}
for i = 1, n do raws[i] = redis.call('GET', KEYS[i]) end
local out, wmode, wval, wttl = {}, {}, {}, {}
local commit = ARGV[1] ~= '1'

for pass = 1, 2 do
  local refused = false
  for i = 1, n do
    local kind, alg, limit, cap, W, P, bms, growth, maxb, cost = unpack('<dddddddddd', ARGV[i + 1])
    local o = (i - 1) * 6
    if kind == 5 then
      out[o + 1], out[o + 2], out[o + 3], out[o + 4], out[o + 5], out[o + 6] = 1, floor(cap), 0, 0, 0, 0
      wmode[i] = 2
    else
      local raw = raws[i]
      local sa, sb, sc, sbu, ss
      if raw then
        if #raw == 40 then
          sa, sb, sc, sbu, ss = unpack('<ddddd', raw)
        elseif alg == 1 or alg == 2 then
          -- a window's plain count: its window began one window before its expiry
          sa, sb, sc, sbu, ss = redis.call('PEXPIRETIME', KEYS[i]) - W, num(raw) or 0, 0, 0, 0
        else
          raw = false
        end
      end
      -- load
      local ws, x, prev = now, 0, 0
      if alg == 1 then
        ws = floor(now / W) * W
        if raw and sa == ws then x = sb end
      elseif alg == 2 then
        ws = floor(now / W) * W
        if raw then
          if sa == ws then x, prev = sb, sc elseif sa == ws - W then prev = sb end
        end
      elseif alg == 3 then
        if raw then
          local el = now - sb
          if el < 0 then el = 0 end
          x = min(cap, sa + el / P)
        else
          x = cap
        end
      else
        x = now
        if raw and sa > now then x = sa end
      end
      local bu, s = 0, 0
      if raw then
        if sbu > now then bu = sbu end
        s = ss
      end
      local allowed, reason, need, changed = 0, 0, cost, false
      local before = avail(alg, limit, cap, W, P, ws, x, prev)
      if kind == 2 then
        if bu == 0 and before + EPS >= need then allowed = 1 end
        if bu > 0 then reason = 2 elseif allowed == 0 then reason = 1 end
      elseif kind == 1 then
        if bu > 0 then
          reason = 2
        elseif before + EPS >= need then
          allowed = 1
          if commit then
            if alg == 1 or alg == 2 then x = max(0, x + need)
            elseif alg == 3 then x = min(cap, x - need)
            else x = max(now, x + need * P) end
            changed = true
          end
        else
          reason = 1
          if bms > 0 then
            s = s + 1
            bu = now + min(maxb, bms * (growth ^ (s - 1)))
            changed = true
          end
        end
      else
        local delta = need
        if kind == 4 then delta = -need end
        if alg == 1 or alg == 2 then x = max(0, x + delta)
        elseif alg == 3 then x = min(cap, x - delta)
        else x = max(now, x + delta * P) end
        changed = true
        need = 1
        local after = avail(alg, limit, cap, W, P, ws, x, prev)
        if kind == 3 and bu == 0 and bms > 0 and after + EPS < 1 then
          s = s + 1
          bu = now + min(maxb, bms * (growth ^ (s - 1)))
        end
        if bu == 0 and after + EPS >= 1 then allowed = 1 end
        if bu > 0 then reason = 2 elseif allowed == 0 then reason = 1 end
      end
      local remaining = 0
      if bu == 0 then remaining = max(0, floor(avail(alg, limit, cap, W, P, ws, x, prev) + EPS)) end
      local full = fullin(alg, cap, W, P, ws, x, prev)
      local left = 0
      if bu > 0 then left = bu - now end
      local retry = 0
      if allowed == 0 then retry = ceil(max(left, waitfor(alg, limit, cap, W, P, ws, x, prev, need))) end
      out[o + 1], out[o + 2], out[o + 3], out[o + 4], out[o + 5], out[o + 6] = allowed, remaining, ceil(max(full, left)), retry, reason, ceil(left)
      if kind == 1 and allowed == 0 then refused = true end
      wmode[i] = 0
      if changed then
        local extra = 0
        if s > 0 then extra = maxb end
        local ttl = max(full, left + extra)
        if ttl <= 0 then
          wmode[i] = 2
        elseif alg == 1 and bu == 0 and s == 0 and x == floor(x) and x < 1e14 and ws + W == floor(ws + W) and ws + W < 1e14 then
          wmode[i] = 3
          wval[i] = x
          wttl[i] = ws + W
        else
          wmode[i] = 1
          wttl[i] = ceil(ttl)
          if alg == 1 then wval[i] = pack('<ddddd', ws, x, 0, bu, s)
          elseif alg == 2 then wval[i] = pack('<ddddd', ws, x, prev, bu, s)
          elseif alg == 3 then wval[i] = pack('<ddddd', x, now, 0, bu, s)
          else wval[i] = pack('<ddddd', x, 0, 0, bu, s) end
        end
      end
    end
  end
  if commit or refused then break end
  commit = true
end

for i = 1, n do
  if wmode[i] == 1 then
    redis.call('SET', KEYS[i], wval[i], 'PX', wttl[i])
  elseif wmode[i] == 3 then
    redis.call('SET', KEYS[i], string.format('%d', wval[i]), 'PXAT', string.format('%d', wttl[i])) -- integers (checked)
  elseif wmode[i] == 2 then
    redis.call('DEL', KEYS[i])
  end
end
return out
`;
