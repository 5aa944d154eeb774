/**
 * Spans for what Armor components decide, and the active trace id for everything Armor records.
 *
 * Span names and attributes: OpenTelemetry has no semantic conventions for retries, circuit
 * breakers, caches or rate limits, so those attributes live under `armor.*`; where a convention
 * exists it is used (`error.type`). Every span is a child of the active span (the request's), so
 * a trace shows why a request waited, failed fast or was refused.
 *
 * @module
 */
import { SpanStatusCode, trace, isSpanContextValid, type Attributes, type Tracer } from '@opentelemetry/api';
import { checkOptions, checkString, kindOf } from '@armor/core';
import { ConfigurationError } from '@armor/errors';

/**
 * The trace id of the active span (32 hex characters), or `undefined` outside a valid span.
 *
 * @example
 * ```ts no-run
 * recordError(error, { registry, context: { traceId: activeTraceId() } });
 * ```
 */
export function activeTraceId(): string | undefined {
  const context = trace.getActiveSpan()?.spanContext();
  return context && isSpanContextValid(context) ? context.traceId : undefined;
}

/** `error.type` as the semantic conventions define it: the error's code, else its class name. */
export function errorType(error: unknown): string {
  try {
    const e = error as { code?: unknown; name?: unknown } | null;
    if (typeof e?.code === 'string' && e.code !== '') return e.code;
    if (typeof e?.name === 'string' && e.name !== '') return e.name;
  } catch {
    // a throwing getter: fall through
  }
  return '_OTHER';
}

/** Options of {@link traceComponent}. */
export interface TraceComponentOptions {
  /** The tracer. @default trace.getTracer('@armor/opentelemetry') */
  tracer?: Tracer;
  /** Names the component in `armor.component.name`. @default the component's `name`, else its kind */
  name?: string;
}

interface Subscribable {
  on(event: string, listener: (payload: never) => void): () => void;
}

const nameOf = (component: unknown): string | undefined => {
  try {
    const direct = (component as { name?: unknown }).name;
    if (typeof direct === 'string' && direct !== '') return direct;
    const stats = (component as { stats?: () => { name?: unknown } }).stats?.();
    return typeof stats?.name === 'string' ? stats.name : undefined;
  } catch {
    return undefined;
  }
};

/**
 * Turns a component's events into spans (children of the active span):
 * - retry policy: `armor.retry` per retry (`armor.retry.attempt`, `armor.retry.delay_ms`,
 *   `error.type`), `armor.retry.give_up` (status error, `armor.retry.reason`);
 * - circuit breaker: `armor.circuit_breaker.rejected` (`armor.circuit_breaker.retry_after_ms`),
 *   `armor.circuit_breaker.state_change` (`armor.circuit_breaker.from`/`.to`);
 * - cache: `armor.cache.load` per loader run (`armor.cache.load.duration_ms`, `error.type`),
 *   `armor.cache.grace` when a stale value was served after a failed load;
 * - rate limiter: `armor.rate_limit.decision` (`armor.rate_limit.decision` = allowed|limited,
 *   `.limit`, `.remaining`, `.retry_after_ms`). The key is never recorded (it is often an IP or
 *   a user id).
 *
 * Every span carries `armor.component.kind` and `armor.component.name`. Returns a function that
 * unsubscribes. Throws a `ConfigurationError` for something that is not an Armor component.
 *
 * @example
 * ```ts no-run
 * const stop = traceComponent(retryPolicy({ name: 'payments' }));
 * ```
 */
export function traceComponent(component: unknown, options: TraceComponentOptions = {}): () => void {
  checkOptions('traceComponent', options, ['tracer', 'name']);
  checkString('name', options.name);
  const kind = kindOf(component);
  if (kind === undefined || typeof (component as Partial<Subscribable>).on !== 'function') {
    throw new ConfigurationError('component', 'must be an Armor policy, cache or rate limiter (something with a kind and on())', { received: component });
  }
  const tracer = options.tracer ?? trace.getTracer('@armor/opentelemetry');
  const base: Attributes = { 'armor.component.kind': kind, 'armor.component.name': options.name ?? nameOf(component) ?? kind };
  const on = (event: string, listener: (payload: Record<string, unknown>) => void) =>
    (component as Subscribable).on(event, listener as (payload: never) => void);
  const span = (name: string, attributes: Attributes, error?: unknown, startTime?: number) => {
    const s = tracer.startSpan(name, { attributes: { ...base, ...attributes }, ...(startTime === undefined ? {} : { startTime }) });
    if (error !== undefined) {
      s.setAttribute('error.type', errorType(error));
      s.setStatus({ code: SpanStatusCode.ERROR });
    }
    s.end();
  };
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
  const offs: (() => void)[] = [];
  switch (kind) {
    case 'retry':
      offs.push(
        on('retry', (e) => span('armor.retry', { 'armor.retry.attempt': num(e.attempt), 'armor.retry.delay_ms': num(e.delayMs), 'error.type': errorType(e.error) })),
        on('giveUp', (e) => span('armor.retry.give_up', { 'armor.retry.attempts': num(e.attempts), 'armor.retry.reason': String(e.reason) }, e.error ?? new Error('gave up'))),
      );
      break;
    case 'circuit-breaker':
      offs.push(
        on('rejected', (e) => span('armor.circuit_breaker.rejected', { 'armor.circuit_breaker.retry_after_ms': num(e.retryAfterMs) })),
        on('stateChange', (e) => span('armor.circuit_breaker.state_change', { 'armor.circuit_breaker.from': String(e.from), 'armor.circuit_breaker.to': String(e.to) })),
      );
      break;
    case 'cache':
      offs.push(
        on('load', (e) => {
          const durationMs = num(e.durationMs) ?? 0;
          span('armor.cache.load', { 'armor.cache.load.duration_ms': durationMs }, e.error, Date.now() - durationMs);
        }),
        on('grace', (e) => span('armor.cache.grace', {}, e.error)),
      );
      break;
    case 'rate-limiter': {
      const decision = (allowed: boolean) => (e: Record<string, unknown>) => {
        const r = (e.result ?? {}) as Record<string, unknown>;
        span('armor.rate_limit.decision', {
          'armor.rate_limit.decision': allowed ? 'allowed' : 'limited',
          'armor.rate_limit.limit': num(r.limit),
          'armor.rate_limit.remaining': num(r.remaining),
          'armor.rate_limit.retry_after_ms': allowed ? undefined : num(r.retryAfterMs),
        });
      };
      offs.push(on('allowed', decision(true)), on('limited', decision(false)));
      break;
    }
    default:
      throw new ConfigurationError('component', `has kind "${kind}", which has no spans (retry, circuit-breaker, cache and rate-limiter do)`, { received: kind });
  }
  return () => {
    for (const off of offs.splice(0)) off();
  };
}
