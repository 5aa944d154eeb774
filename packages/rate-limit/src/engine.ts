/**
 * The algorithms, as pure functions over a small numeric state. The memory store and
 * `transactionalStore` run them in JavaScript; the Redis store runs a line-by-line Lua port
 * (`stores/redis-script.ts`). Both must stay in step: the conformance tests run the same
 * scenarios against every store.
 *
 * @module
 */
import type { LimitState, RateLimitPolicy, StoreOperation, StoreOutcome, StoreRequest } from './types.js';

/** Tolerance for floating-point comparisons of points. */
const EPS = 1e-9;

/** What applying one operation does: the outcome, the state to write, and its lifetime. */
export interface Evaluation {
  outcome: StoreOutcome;
  /** `undefined` = leave as is; `null` = delete; a state = write it. */
  write: LimitState | null | undefined;
  /** Milliseconds the written state must live (≥ 1). */
  ttlMs: number;
}

interface Usage {
  /** fixed/sliding: window start. */
  ws: number;
  /** fixed/sliding: count in the current window; bucket: tokens; gcra: TAT. */
  x: number;
  /** sliding: previous window's count. */
  prev: number;
}

function load(p: RateLimitPolicy, st: LimitState | undefined, now: number): Usage {
  const W = p.windowMs;
  switch (p.algorithm) {
    case 'fixed-window': {
      const ws = Math.floor(now / W) * W;
      return { ws, x: st && st.a === ws ? st.b : 0, prev: 0 };
    }
    case 'sliding-window': {
      const ws = Math.floor(now / W) * W;
      if (!st) return { ws, x: 0, prev: 0 };
      if (st.a === ws) return { ws, x: st.b, prev: st.c };
      if (st.a === ws - W) return { ws, x: 0, prev: st.b };
      return { ws, x: 0, prev: 0 };
    }
    case 'token-bucket': {
      if (!st) return { ws: now, x: p.capacity, prev: 0 };
      const elapsed = Math.max(0, now - st.b);
      return { ws: now, x: Math.min(p.capacity, st.a + elapsed / p.msPerPoint), prev: 0 };
    }
    case 'gcra':
      return { ws: now, x: st ? Math.max(st.a, now) : now, prev: 0 };
  }
}

/** Points available now (may be fractional or negative after penalties). */
function available(p: RateLimitPolicy, u: Usage, now: number): number {
  switch (p.algorithm) {
    case 'fixed-window':
      return p.limit - u.x;
    case 'sliding-window':
      return p.limit - (u.prev * (p.windowMs - (now - u.ws))) / p.windowMs - u.x;
    case 'token-bucket':
      return u.x;
    case 'gcra':
      return (p.capacity * p.msPerPoint - (u.x - now)) / p.msPerPoint;
  }
}

/** Takes `delta` points (negative gives them back). */
function take(p: RateLimitPolicy, u: Usage, now: number, delta: number): void {
  switch (p.algorithm) {
    case 'fixed-window':
    case 'sliding-window':
      u.x = Math.max(0, u.x + delta);
      return;
    case 'token-bucket':
      u.x = Math.min(p.capacity, u.x - delta);
      return;
    case 'gcra':
      u.x = Math.max(now, u.x + delta * p.msPerPoint);
      return;
  }
}

/** Milliseconds until `need` points are available (ignoring blocks). */
function waitFor(p: RateLimitPolicy, u: Usage, now: number, need: number): number {
  const W = p.windowMs;
  switch (p.algorithm) {
    case 'fixed-window':
      return u.x + need <= p.limit + EPS ? 0 : u.ws + W - now;
    case 'sliding-window': {
      if (available(p, u, now) + EPS >= need) return 0;
      if (u.x + need <= p.limit + EPS && u.prev > 0) {
        return Math.max(0, u.ws + W - ((p.limit - u.x - need) * W) / u.prev - now);
      }
      // Not before the next window, where this window's count becomes the weighted one.
      return u.ws + W + Math.max(0, W - ((p.limit - need) * W) / u.x) - now;
    }
    case 'token-bucket':
      return Math.max(0, (need - u.x) * p.msPerPoint);
    case 'gcra':
      return Math.max(0, u.x + need * p.msPerPoint - p.capacity * p.msPerPoint - now);
  }
}

/** Milliseconds until the key is back to full capacity; also how long its state matters. */
function fullIn(p: RateLimitPolicy, u: Usage, now: number): number {
  const W = p.windowMs;
  switch (p.algorithm) {
    case 'fixed-window':
      return u.x > 0 ? u.ws + W - now : 0;
    case 'sliding-window':
      return u.x > 0 ? u.ws + 2 * W - now : u.prev > 0 ? u.ws + W - now : 0;
    case 'token-bucket':
      return Math.max(0, (p.capacity - u.x) * p.msPerPoint);
    case 'gcra':
      return Math.max(0, u.x - now);
  }
}

function save(p: RateLimitPolicy, u: Usage, now: number, bu: number, s: number): LimitState {
  switch (p.algorithm) {
    case 'fixed-window':
      return { a: u.ws, b: u.x, c: 0, bu, s };
    case 'sliding-window':
      return { a: u.ws, b: u.x, c: u.prev, bu, s };
    case 'token-bucket':
      return { a: u.x, b: now, c: 0, bu, s };
    case 'gcra':
      return { a: u.x, b: 0, c: 0, bu, s };
  }
}

function blockFor(p: RateLimitPolicy, strikes: number): number {
  return Math.min(p.maxBlockDurationMs, p.blockDurationMs * Math.pow(p.blockGrowth, strikes - 1));
}

/**
 * Applies one operation to one key's state. Pure: returns what to write.
 *
 * @param commit - `false` evaluates a `consume` without taking points (all-or-nothing batches).
 */
export function evaluate(op: StoreOperation, st: LimitState | undefined, now: number, commit = true): Evaluation {
  const p = op.policy;
  if (op.kind === 'reset') {
    return { outcome: { allowed: true, remaining: Math.floor(p.capacity), resetMs: 0, retryAfterMs: 0, reason: undefined }, write: null, ttlMs: 1 };
  }
  const u = load(p, st, now);
  let bu = st && st.bu > now ? st.bu : 0;
  let s = st ? st.s : 0;
  let allowed: boolean;
  let reason: 'limit' | 'blocked' | undefined;
  let need = op.cost;
  let changed = false;
  const before = available(p, u, now);

  switch (op.kind) {
    case 'peek':
      allowed = bu === 0 && before + EPS >= need;
      reason = bu ? 'blocked' : allowed ? undefined : 'limit';
      break;
    case 'consume':
      if (bu) {
        allowed = false;
        reason = 'blocked';
      } else if (before + EPS >= need) {
        allowed = true;
        reason = undefined;
        if (commit) {
          take(p, u, now, need);
          changed = true;
        }
      } else {
        allowed = false;
        reason = 'limit';
        if (p.blockDurationMs > 0) {
          s += 1;
          bu = now + blockFor(p, s);
          changed = true;
        }
      }
      break;
    case 'penalize':
    case 'reward': {
      take(p, u, now, op.kind === 'penalize' ? need : -need);
      changed = true;
      need = 1;
      const after = available(p, u, now);
      if (op.kind === 'penalize' && !bu && p.blockDurationMs > 0 && after + EPS < 1) {
        s += 1;
        bu = now + blockFor(p, s);
      }
      allowed = !bu && after + EPS >= 1;
      reason = bu ? 'blocked' : allowed ? undefined : 'limit';
      break;
    }
  }

  const remaining = bu ? 0 : Math.max(0, Math.floor(available(p, u, now) + EPS));
  const full = fullIn(p, u, now);
  const blockLeft = bu ? bu - now : 0;
  const outcome: StoreOutcome = {
    allowed,
    remaining,
    resetMs: Math.ceil(Math.max(full, blockLeft)),
    retryAfterMs: allowed ? 0 : Math.ceil(Math.max(blockLeft, waitFor(p, u, now, need))),
    reason,
  };
  if (!changed) return { outcome, write: undefined, ttlMs: 1 };
  const ttl = Math.max(full, blockLeft + (s > 0 ? p.maxBlockDurationMs : 0));
  if (ttl <= 0) return { outcome, write: null, ttlMs: 1 };
  return { outcome, write: save(p, u, now, bu, s), ttlMs: Math.ceil(ttl) };
}

/**
 * Evaluates a whole batch against the current states (same order as `request.ops`),
 * honoring `allOrNothing`: if any `consume` is refused, the other consumes take nothing and
 * report the state as it is.
 */
export function evaluateBatch(request: StoreRequest, states: readonly (LimitState | undefined)[]): Evaluation[] {
  const { ops, now } = request;
  if (!request.allOrNothing) return ops.map((op, i) => evaluate(op, states[i], now));
  const trial = ops.map((op, i) => evaluate(op, states[i], now, false));
  const refused = trial.some((e, i) => ops[i]!.kind === 'consume' && !e.outcome.allowed);
  if (refused) return trial;
  return ops.map((op, i) => evaluate(op, states[i], now));
}
