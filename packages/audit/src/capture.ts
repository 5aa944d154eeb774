/**
 * Capture: turn the other Armor packages' security decisions into audit events, without a
 * dependency on them (structural types only).
 *
 * - {@link auditSecurityErrors}: an `onError` hook for `createErrorHandler` (`@armor/errors`)
 *   that records authentication failures, API-key refusals, CSRF refusals, access denials and
 *   rate-limit refusals.
 * - {@link auditRateLimitBlocks}: records each key's entry into a rate-limit block (once per block).
 * - {@link auditApiKeyEvent}: records API key creation, rotation and revocation.
 *
 * Capture never throws into the request path and never lets an attacker flood the log: each
 * recorder dedupes by key within a window, bounded in memory (O(1) per event when full).
 *
 * @module
 */
import { checkInt, checkOptions, checkString, systemClock, type Clock } from '@armor/core';
import { ConfigurationError } from '@armor/errors';
import type { AuditEventInput } from './event.js';
import type { AuditLog } from './log.js';

/** Where captured events go, and how they are bounded. */
export interface CaptureOptions {
  /** Stream to append to. @default the log's default stream */
  stream?: string;
  /** At most one event per (action, subject) within this many milliseconds. @default 60_000 */
  dedupeMs?: number;
  /** Subjects remembered for deduplication; the oldest is forgotten first. @default 10_000 */
  maxTracked?: number;
  /** Called when an append fails (the request is never affected). @default ignore */
  onAppendError?: (error: unknown) => void;
  /** @default systemClock */
  clock?: Clock;
}

const CAPTURE_KEYS = ['stream', 'dedupeMs', 'maxTracked', 'onAppendError', 'clock'];

/** A bounded "seen recently" set: insertion-ordered Map, oldest evicted first, O(1) per call. */
function recentSet(max: number, windowMs: number, clock: Clock) {
  const seen = new Map<string, number>();
  return (key: string): boolean => {
    const now = clock.now();
    const at = seen.get(key);
    if (at !== undefined && now - at < windowMs) return false;
    seen.delete(key);
    seen.set(key, now);
    if (seen.size > max) seen.delete(seen.keys().next().value as string);
    return true;
  };
}

function recorder(log: AuditLog, options: CaptureOptions, known: readonly string[] = CAPTURE_KEYS) {
  checkOptions('capture', options, known);
  if (typeof log?.append !== 'function') throw new ConfigurationError('log', 'must be an AuditLog from createAuditLog()');
  checkInt('dedupeMs', options.dedupeMs ?? 60_000, 0);
  checkInt('maxTracked', options.maxTracked ?? 10_000, 1);
  if (options.stream !== undefined) checkString('stream', options.stream);
  const fresh = recentSet(options.maxTracked ?? 10_000, options.dedupeMs ?? 60_000, options.clock ?? systemClock);
  return (dedupeKey: string, event: AuditEventInput): void => {
    if (!fresh(dedupeKey)) return;
    try {
      log.append(event, options.stream !== undefined ? { stream: options.stream } : {}).catch((error: unknown) => options.onAppendError?.(error));
    } catch (error) {
      options.onAppendError?.(error);
    }
  };
}

/** The slice of an `ArmorError` the error hook reads. */
interface ErrorLike {
  code?: unknown;
  status?: unknown;
}
/** The slice of `@armor/errors`' `ErrorContext` the error hook reads. */
interface ErrorContextLike {
  instance?: string | undefined;
  log?: Record<string, unknown> | undefined;
}

const ACTIONS: Record<string, string> = {
  UNAUTHENTICATED: 'auth.failed',
  API_KEY_INVALID: 'auth.api_key_refused',
  API_KEY_EXPIRED: 'auth.api_key_refused',
  API_KEY_REVOKED: 'auth.api_key_refused',
  FORBIDDEN: 'access.denied',
  INSUFFICIENT_SCOPE: 'access.denied',
  CSRF_TOKEN_MISSING: 'csrf.refused',
  CSRF_TOKEN_INVALID: 'csrf.refused',
  CSRF_TOKEN_MISMATCH: 'csrf.refused',
  CSRF_TOKEN_EXPIRED: 'csrf.refused',
  CSRF_SESSION_MISMATCH: 'csrf.refused',
  CSRF_ORIGIN_REJECTED: 'csrf.refused',
  RATE_LIMITED: 'rate_limit.refused',
};

const str = (v: unknown, max = 256): string | undefined => (typeof v === 'string' && v.length > 0 ? v.slice(0, max) : undefined);

/**
 * An `onError` hook for `createErrorHandler` that audits security refusals (401, API-key, CSRF,
 * 403 and 429 codes). The actor is `context.log.userId` (or `keyId`) when set, else
 * `anonymous`; `context.log.ip`, `requestId` and `userAgent` become the event's context.
 * Deduplicated per (action, actor, ip) within `dedupeMs`.
 *
 * @example
 * ```ts no-run
 * const errors = createErrorHandler({ onError: auditSecurityErrors(log) });
 * ```
 */
export function auditSecurityErrors(log: AuditLog, options: CaptureOptions = {}): (error: ErrorLike, context: ErrorContextLike) => void {
  const record = recorder(log, options);
  return (error, context) => {
    const code = typeof error?.code === 'string' ? error.code : undefined;
    const action = code ? ACTIONS[code] : undefined;
    if (!action) return;
    const l = context?.log ?? {};
    const actorId = str(l.userId) ?? str(l.keyId) ?? 'anonymous';
    const ip = str(l.ip, 64);
    const requestId = str(l.requestId, 128);
    const userAgent = str(l.userAgent, 512);
    const context2: NonNullable<AuditEventInput['context']> = {};
    if (ip) context2.ip = ip;
    if (requestId) context2.requestId = requestId;
    if (userAgent) context2.userAgent = userAgent;
    record(`${action}\u0000${actorId}\u0000${ip ?? ''}`, {
      action,
      actor: { id: actorId, type: actorId === 'anonymous' ? 'anonymous' : str(l.keyId) && !str(l.userId) ? 'api_key' : 'user' },
      outcome: 'denied',
      context: context2,
      metadata: { code: code!, ...(context?.instance ? { path: context.instance.slice(0, 512) } : {}) },
    });
  };
}

/** The slice of a rate limiter (`createRateLimiter` of `@armor/rate-limit`) this reads. */
interface LimiterLike {
  on(event: 'limited', listener: (event: { key: string; result: { reason?: string | undefined; retryAfterMs?: number | undefined } }) => void): () => void;
}

/**
 * Audits each key's entry into a rate-limit block (`rate_limit.blocked`, outcome `denied`),
 * once per key within `dedupeMs`. The limiter key is personal data when it is an IP address or
 * an account, so it is stored erasably (`personal.key`). Returns an unsubscribe function.
 */
export function auditRateLimitBlocks(limiter: LimiterLike, log: AuditLog, options: CaptureOptions & { name?: string } = {}): () => void {
  if (typeof limiter?.on !== 'function') throw new ConfigurationError('limiter', 'must be a rate limiter from createRateLimiter() (with on())');
  const { name, ...rest } = options;
  const record = recorder(log, rest);
  return limiter.on('limited', (event) => {
    if (event?.result?.reason !== 'blocked' || typeof event.key !== 'string') return;
    record(event.key, {
      action: 'rate_limit.blocked',
      actor: { id: 'rate-limiter', type: 'system' },
      outcome: 'denied',
      metadata: { limiter: name ?? 'default', retryAfterMs: Math.round(Number(event.result.retryAfterMs) || 0) },
      personal: { key: event.key.slice(0, 512) },
    });
  });
}

/** What happened to an API key. */
export type ApiKeyAction = 'created' | 'rotated' | 'revoked';

/**
 * Records an API key lifecycle event (`api_key.created`, `api_key.rotated`, `api_key.revoked`)
 * by `actorId` on key `keyId` (the public id, never the secret). Awaitable, and idempotent when
 * `idempotencyKey` is given. Throws like `append` (call it where the change is made, in the same
 * transaction with `tx` when the store supports it).
 */
export function auditApiKeyEvent(
  log: AuditLog,
  action: ApiKeyAction,
  details: { actorId: string; keyId: string; scopes?: readonly string[]; reason?: string; idempotencyKey?: string },
  options: { stream?: string; tx?: unknown } = {},
) {
  if (!['created', 'rotated', 'revoked'].includes(action)) throw new ConfigurationError('action', 'must be created, rotated or revoked', { received: action });
  const metadata: Record<string, string | string[]> = {};
  if (details.scopes) metadata.scopes = [...details.scopes];
  if (details.reason) metadata.reason = details.reason;
  return log.append(
    {
      action: `api_key.${action}`,
      actor: { id: details.actorId },
      targets: [{ type: 'api_key', id: details.keyId }],
      metadata,
      ...(details.idempotencyKey ? { idempotencyKey: details.idempotencyKey } : {}),
    },
    options,
  );
}
