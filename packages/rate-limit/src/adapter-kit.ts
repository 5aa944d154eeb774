/**
 * @internal What the Hono, Fastify and Next.js adapters share: options checked once, one limit
 * decision per request (allowed with headers, or an `ArmorError` to answer), the request-once
 * guard and configuration warnings with stable codes.
 *
 * @module
 */
import { checkOneOf } from '@armor/core';
import { ConfigurationError, RateLimitError, type ArmorError } from '@armor/errors';
import { UnknownClientError } from './errors.js';
import { checkAdapterOptions, checkUnknownClient, headersFor, reportUnknownClient, resolveLimiter, storeFailure, type HeaderMode, type LimiterSource, type UnknownClientPolicy } from './fetch.js';
import type { RateLimiter } from './limiter.js';
import type { RateLimitResult } from './types.js';

/** Omit over each member of a union. */
export type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** The options every framework adapter shares (besides the limiter source). */
export interface SharedAdapterOptions<Ctx> {
  /** The key of a request. @default ipKey of the client address */
  keyGenerator?: ((ctx: Ctx) => string | Promise<string>) | undefined;
  /**
   * Without a `keyGenerator`: what to do with a request whose client address cannot be known.
   * `'refuse'` answers 400 (`UnknownClientError`); `{ key }` limits every such request under that key.
   * @default 'refuse'
   */
  unknownClient?: UnknownClientPolicy | undefined;
  /** Called for every request whose client address cannot be known. */
  onUnknownClient?: ((event: { request: Ctx }) => void) | undefined;
  /** Requests for which this returns `true` are not limited. */
  skip?: ((ctx: Ctx) => boolean | Promise<boolean>) | undefined;
  /** Points a request costs: a number, or a function of the request. @default 1 */
  cost?: number | ((ctx: Ctx) => number | Promise<number>) | undefined;
  /** Headers to send. @default 'standard' */
  headers?: HeaderMode | undefined;
  /** Problem `detail` of the 429 response. @default 'Too many requests, please try again later.' */
  message?: string | undefined;
  /**
   * `'respond'`: answer here (429 problem+json, or 503 when the store is down and the limiter
   * fails closed). `'next'`: throw that `RateLimitError` / `RateLimitStoreError` to the
   * framework's error handler (Hono's `app.onError`, Fastify's `setErrorHandler`).
   * @default 'respond'
   */
  onError?: 'respond' | 'next' | undefined;
}

/** @internal The adapter keys of {@link SharedAdapterOptions}. */
export const SHARED_KEYS = ['keyGenerator', 'unknownClient', 'onUnknownClient', 'skip', 'cost', 'headers', 'message', 'onError'] as const;

/** One request's verdict: headers to send, and the error to answer with when refused. */
export interface Decision {
  readonly result: RateLimitResult | undefined;
  readonly headers: Record<string, string>;
  readonly error: ArmorError | undefined;
}

/** @internal A checked adapter: its limiter and the per-request steps. */
export interface LimitCheck<Ctx> {
  readonly limiter: RateLimiter;
  readonly toNext: boolean;
  readonly skip: ((ctx: Ctx) => boolean | Promise<boolean>) | undefined;
  /** The key of a request, `undefined` when its client cannot be known. */
  key(ctx: Ctx, address: () => string | undefined): string | undefined | Promise<string | undefined>;
  /** Counts the request under `key` (or applies the unknown-client policy) and decides. */
  decide(ctx: Ctx, key: string | undefined): Decision | Promise<Decision>;
}

/** @internal Checks options and builds the per-request steps of an adapter. */
export function createLimitCheck<Ctx>(
  options: DistributiveOmit<LimiterSource, 'onLimited'> & SharedAdapterOptions<Ctx>,
  component: string,
  adapterKeys: readonly string[],
  ipKeyOf: (address: string) => string,
): LimitCheck<Ctx> {
  if (options === null || typeof options !== 'object') throw new ConfigurationError('options', 'must be an object', { received: options });
  const limiter = resolveLimiter(options as LimiterSource, component, [...SHARED_KEYS, ...adapterKeys]);
  const o = options as SharedAdapterOptions<Ctx>;
  const { keyGenerator, skip, cost, headers: mode = 'standard', message = 'Too many requests, please try again later.', unknownClient = 'refuse', onUnknownClient } = o;
  checkAdapterOptions(o);
  checkUnknownClient(unknownClient, onUnknownClient);
  checkOneOf('onError', o.onError, ['respond', 'next'] as const);
  const sync = typeof limiter.store.applySync === 'function';
  const settle = (result: RateLimitResult): Decision => {
    const outage = storeFailure(result, limiter);
    if (outage) return { result, headers: {}, error: outage };
    const headers = headersFor(result, limiter, mode);
    return { result, headers, error: result.allowed ? undefined : new RateLimitError(message, { retryAfterMs: result.retryAfterMs }) };
  };
  const count = (key: string, points: number): Decision | Promise<Decision> => (sync ? settle(limiter.consumeSync(key, points)) : limiter.consume(key, points).then(settle));
  return {
    limiter,
    toNext: o.onError === 'next',
    skip,
    key(ctx, address) {
      if (keyGenerator) return keyGenerator(ctx);
      const ip = address();
      return ip === undefined || ip === '' ? undefined : ipKeyOf(ip);
    },
    decide(ctx, key) {
      if (key === undefined) {
        reportUnknownClient(onUnknownClient, ctx);
        if (unknownClient === 'refuse') return { result: undefined, headers: {}, error: new UnknownClientError() };
        key = unknownClient.key;
      }
      const k = key;
      const points = typeof cost === 'function' ? cost(ctx) : (cost ?? 1);
      return typeof points === 'number' ? count(k, points) : Promise.resolve(points).then((p) => count(k, p));
    },
  };
}

/** Stable codes of the adapters' configuration warnings (each links to its docs section). */
export type RateLimitConfigCode = 'ERR_ARMOR_RL_PERMISSIVE_TRUST_PROXY' | 'ERR_ARMOR_RL_DOUBLE_COUNT' | 'ERR_ARMOR_RL_STORE_REUSE';

/** Where each configuration warning is explained. */
export const CONFIG_DOCS = 'https://github.com/armor-dev/armor/blob/main/packages/rate-limit/README.md#configuration-warnings';

/** A configuration problem found while serving (reported once per code and limiter). */
export interface RateLimitConfigWarning {
  readonly code: RateLimitConfigCode;
  readonly message: string;
  /** The docs section explaining the warning and its fix. */
  readonly docs: string;
}

const reported = new WeakMap<object, Set<string>>();

/**
 * @internal Reports a configuration warning once per `(owner, code)`: to `onWarning` when given,
 * else as a process warning (`process.emitWarning` where it exists, `console.warn` elsewhere).
 */
export function reportConfig(owner: object, code: RateLimitConfigCode, message: string, onWarning?: (warning: RateLimitConfigWarning) => void): void {
  let codes = reported.get(owner);
  if (!codes) reported.set(owner, (codes = new Set()));
  if (codes.has(code)) return;
  codes.add(code);
  const warning: RateLimitConfigWarning = { code, message, docs: `${CONFIG_DOCS}-${code.toLowerCase().replaceAll('_', '-')}` };
  try {
    if (onWarning) {
      onWarning(warning);
      return;
    }
    const proc = (globalThis as { process?: { emitWarning?: (message: string, options: { code: string; type: string; detail: string }) => void } }).process;
    if (typeof proc?.emitWarning === 'function') proc.emitWarning(message, { code, type: 'ArmorRateLimitWarning', detail: `See ${warning.docs}` });
    else console.warn(`[${code}] ${message} (see ${warning.docs})`);
  } catch {
    // isolated: a warning never fails a request
  }
}

const windows = new WeakMap<object, Map<string, number>>();

/**
 * @internal Warns when one store serves two limiters with different windows under the same key
 * prefix: their counters collide and each limiter reads the other's counts with the wrong window.
 */
export function checkStoreReuse(limiter: RateLimiter, onWarning?: (warning: RateLimitConfigWarning) => void): void {
  const store = limiter.store as object;
  const windowMs = limiter.policy.windowMs;
  let byPrefix = windows.get(store);
  if (!byPrefix) windows.set(store, (byPrefix = new Map<string, number>()));
  const seen = byPrefix.get(limiter.prefix);
  if (seen === undefined) {
    byPrefix.set(limiter.prefix, windowMs);
    return;
  }
  if (seen !== windowMs) {
    reportConfig(store, 'ERR_ARMOR_RL_STORE_REUSE', `one store serves two limiters with the prefix '${limiter.prefix}' and different windows (${seen} ms and ${windowMs} ms): their counters collide. Give each limiter its own prefix (or name).`, onWarning);
  }
}
