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

/** Scratch usage, reused by every evaluation (evaluations are synchronous, never nested). */
const U: Usage = { ws: 0, x: 0, prev: 0 };

function load(p: RateLimitPolicy, st: LimitState | undefined, now: number): Usage {
  const W = p.windowMs;
  const u = U;
  u.ws = now;
  u.x = 0;
  u.prev = 0;
  switch (p.algorithm) {
    case 'fixed-window':
      u.ws = Math.floor(now / W) * W;
      if (st !== undefined && st.a === u.ws) u.x = st.b;
      return u;
    case 'sliding-window':
      u.ws = Math.floor(now / W) * W;
      if (st === undefined) return u;
      if (st.a === u.ws) {
        u.x = st.b;
        u.prev = st.c;
      } else if (st.a === u.ws - W) u.prev = st.b;
      return u;
    case 'token-bucket':
      u.x = st === undefined ? p.capacity : Math.min(p.capacity, st.a + Math.max(0, now - st.b) / p.msPerPoint);
      return u;
    case 'gcra':
      u.x = st === undefined ? now : Math.max(st.a, now);
      return u;
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

function save(p: RateLimitPolicy, u: Usage, now: number, bu: number, s: number, into: LimitState | undefined): LimitState {
  const st = into ?? { a: 0, b: 0, c: 0, bu: 0, s: 0 };
  st.bu = bu;
  st.s = s;
  switch (p.algorithm) {
    case 'fixed-window':
      st.a = u.ws;
      st.b = u.x;
      st.c = 0;
      return st;
    case 'sliding-window':
      st.a = u.ws;
      st.b = u.x;
      st.c = u.prev;
      return st;
    case 'token-bucket':
      st.a = u.x;
      st.b = now;
      st.c = 0;
      return st;
    case 'gcra':
      st.a = u.x;
      st.b = 0;
      st.c = 0;
      return st;
  }
}

/**
 * @internal `true` when a stored state still restricts its key at `now`: blocked, carrying
 * strikes (the next block grows), or without a whole point available (at its limit, or
 * penalized past it). Forgetting such a key would lift a limit, so in-process stores evict
 * these last.
 */
export function restricts(p: RateLimitPolicy, st: LimitState, now: number): boolean {
  if (st.bu > now || st.s > 0) return true;
  return available(p, load(p, st, now), now) + EPS < 1;
}

function blockFor(p: RateLimitPolicy, strikes: number): number {
  return Math.min(p.maxBlockDurationMs, p.blockDurationMs * Math.pow(p.blockGrowth, strikes - 1));
}

/** What a {@link step} wants written: set by every call (module scratch, read immediately). */
export const written: { state: LimitState | null | undefined; ttlMs: number } = { state: undefined, ttlMs: 1 };

/**
 * @internal Applies one operation; returns the outcome (with `limit`) and leaves the state to
 * write in {@link written}. `into` lets an in-process store reuse its state object.
 */
export function step(op: StoreOperation, st: LimitState | undefined, now: number, commit: boolean, into?: LimitState): StoreOutcome & { limit: number } {
  const p = op.policy;
  if (op.kind === 'reset') {
    written.state = null;
    written.ttlMs = 1;
    return { allowed: true, limit: p.capacity, remaining: Math.floor(p.capacity), resetMs: 0, retryAfterMs: 0, reason: undefined };
  }
  const u = load(p, st, now);
  let bu = st !== undefined && st.bu > now ? st.bu : 0;
  let s = st !== undefined ? st.s : 0;
  let allowed: boolean;
  let reason: 'limit' | 'blocked' | undefined;
  let need = op.cost;
  let changed = false;

  if (op.kind === 'consume') {
    if (bu) {
      allowed = false;
      reason = 'blocked';
    } else if (available(p, u, now) + EPS >= need) {
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
  } else if (op.kind === 'peek') {
    allowed = bu === 0 && available(p, u, now) + EPS >= need;
    reason = bu ? 'blocked' : allowed ? undefined : 'limit';
  } else {
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
  }

  const remaining = bu ? 0 : Math.max(0, Math.floor(available(p, u, now) + EPS));
  const full = fullIn(p, u, now);
  const blockLeft = bu ? bu - now : 0;
  const outcome: StoreOutcome & { limit: number } = {
    allowed,
    limit: p.capacity,
    remaining,
    resetMs: Math.ceil(full > blockLeft ? full : blockLeft),
    retryAfterMs: allowed ? 0 : Math.ceil(Math.max(blockLeft, waitFor(p, u, now, need))),
    reason,
  };
  if (blockLeft > 0) (outcome as { blockedMs?: number }).blockedMs = Math.ceil(blockLeft);
  written.ttlMs = 1;
  if (!changed) {
    written.state = undefined;
    return outcome;
  }
  const ttl = Math.max(full, blockLeft + (s > 0 ? p.maxBlockDurationMs : 0));
  if (ttl <= 0) {
    written.state = null;
    return outcome;
  }
  written.state = save(p, u, now, bu, s, into);
  written.ttlMs = Math.ceil(ttl);
  return outcome;
}

/**
 * Applies one operation to one key's state. Pure: returns what to write.
 *
 * @param commit - `false` evaluates a `consume` without taking points (all-or-nothing batches).
 */
export function evaluate(op: StoreOperation, st: LimitState | undefined, now: number, commit = true): Evaluation {
  const outcome = step(op, st, now, commit);
  return { outcome, write: written.state, ttlMs: written.ttlMs };
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
