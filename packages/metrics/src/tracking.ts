import { checkFunction, checkNumber, checkOptions } from '@armor/core';
import { ConfigurationError, fingerprint, fromUnknown } from '@armor/errors';
import { hubOf } from './hub.js';
import { toJsonSafe } from './safe-json.js';
import { createRegistry, exponentialBuckets, type Registry } from './registry.js';
import type { ErrorGroup, SlowOperation } from './snapshot.js';

let fallback: Registry | undefined;

function checkRegistry(registry: unknown): void {
  if (registry !== undefined && typeof (registry as Registry | null)?.counter !== 'function')
    throw new ConfigurationError('registry', 'must be a registry from createRegistry()', { received: registry });
}
/**
 * The registry used by {@link trackOperation} and {@link recordError} when none is passed.
 * Created on first use.
 */
export function defaultRegistry(): Registry {
  return (fallback ??= createRegistry());
}

/** Options of {@link trackOperation}. */
export interface TrackOperationOptions {
  /** Registry receiving `operation_duration_seconds`. @default defaultRegistry() */
  registry?: Registry;
  /** Calls slower than this (ms) go into the slow-operation log. @default 500 */
  slowMs?: number;
  /**
   * A summary of the arguments for the slow log (e.g. the SQL text). It is redacted with
   * {@link redactSummary} (quoted values and numbers become `?`) and cut to 200 characters.
   */
  summary?: string | (() => string);
}

/**
 * Redacts an argument summary for the slow-operation log: quoted strings and numbers become `?`,
 * whitespace collapses, and the result is cut to 200 characters.
 *
 * @example redactSummary("select * from users where email = 'a@b.c' and id = 42") // "select * from users where email = ? and id = ?"
 */
export function redactSummary(text: string): string {
  const out = text
    .replace(/'(?:[^'\\]|\\.|'')*'|"(?:[^"\\]|\\.)*"/g, '?')
    .replace(/\b\d+(?:\.\d+)?\b/g, '?')
    .replace(/\s+/g, ' ')
    .trim();
  return out.length > 200 ? `${out.slice(0, 199)}…` : out;
}

function opsHistogram(registry: Registry) {
  return registry.histogram({
    name: 'operation_duration_seconds',
    help: 'Duration of tracked operations (trackOperation) in seconds',
    labelNames: ['operation', 'outcome'] as const,
    buckets: exponentialBuckets(0.001, 2.5, 12),
  });
}

/**
 * Times an async (or sync) operation — a database query above all — recording
 * `operation_duration_seconds{operation, outcome}`; calls slower than `slowMs` are added to the
 * bounded slow-operation log (name, duration, time, redacted summary, failed) that the
 * `MonitoringSnapshot` shows. Errors are rethrown unchanged.
 *
 * @example
 * ```ts
 * const rows = await trackOperation('db.users.byEmail', () => pool.query(sql, [email]), { slowMs: 100, summary: sql, registry });
 * ```
 */
export async function trackOperation<T>(name: string, fn: () => T | PromiseLike<T>, options: TrackOperationOptions = {}): Promise<Awaited<T>> {
  if (typeof name !== 'string' || name === '') throw new ConfigurationError('name', 'must be a non-empty string', { received: name });
  if (typeof fn !== 'function') throw new ConfigurationError('fn', 'must be a function', { received: fn });
  checkOptions('trackOperation', options, ['registry', 'slowMs', 'summary']);
  const slowMs = options.slowMs ?? 500;
  checkNumber('slowMs', slowMs, { min: 0, allowInfinity: true, unit: 'ms' });
  checkRegistry(options.registry);
  if (typeof options.summary !== 'string') checkFunction('summary', options.summary);
  const registry = options.registry ?? defaultRegistry();
  const clock = registry.clock;
  const start = clock.now();
  let failed = false;
  try {
    return await fn();
  } catch (error) {
    failed = true;
    throw error;
  } finally {
    const end = clock.now();
    const durationMs = Math.max(0, end - start);
    opsHistogram(registry).observe({ operation: name, outcome: failed ? 'error' : 'ok' }, durationMs / 1000);
    if (durationMs > slowMs) {
      const entry: SlowOperation = { name, durationMs, at: end, thresholdMs: slowMs };
      if (failed) entry.failed = true;
      const traceId = currentTraceId(registry);
      if (traceId !== undefined) entry.traceId = traceId;
      if (options.summary !== undefined) {
        try {
          const text = typeof options.summary === 'function' ? options.summary() : options.summary;
          if (typeof text === 'string') entry.summary = redactSummary(text);
        } catch {
          // a broken summary must not change the outcome
        }
      }
      const hub = hubOf(registry);
      hub.slowOps.push(entry);
      if (hub.slowOps.length > hub.slowOpsLimit) hub.slowOps.splice(0, hub.slowOps.length - hub.slowOpsLimit);
    }
  }
}

/** The slow-operation log of `registry`, oldest first (at most 100 entries). */
export function slowOperations(registry: Registry = defaultRegistry()): SlowOperation[] {
  return hubOf(registry).slowOps.map((s) => ({ ...s }));
}

/** Options of {@link recordError}. */
export interface RecordErrorOptions {
  registry?: Registry;
  /**
   * Extra context kept with the latest sample (e.g. route, request id). Copied at once through
   * a JSON-safe, bounded copy (circular references, `BigInt`s, throwing getters and huge strings
   * are made safe; class instances such as an Express `req` become `'[ClassName]'`), so anything
   * may be passed.
   */
  context?: Record<string, unknown>;
}

/** Longest sample message kept (characters). */
const MAX_MESSAGE = 2_000;
/** Longest sample stack kept (characters). */
const MAX_STACK = 8_000;

const text = (value: unknown, max: number): string | undefined => {
  try {
    return typeof value === 'string' ? (value.length > max ? `${value.slice(0, max)}…` : value) : undefined;
  } catch {
    return undefined;
  }
};
const read = (value: unknown, key: string): unknown => {
  try {
    return (value as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
};

/**
 * Records an error: normalizes it with `fromUnknown`, groups it by `fingerprint()` from
 * `@armor/errors` (count, first/last seen, the latest sample with stack), and counts
 * `errors_total{code}`. At most 200 groups are kept; the least recently seen is dropped.
 * Returns the group's fingerprint (`''` when even that could not be computed).
 *
 * Never throws because of the error or the context it is given (throwing getters, forged Armor
 * errors, circular or 5 MB contexts): monitoring must not hurt the request path. Only misuse —
 * an unknown option, a registry that is not one — throws a `ConfigurationError`.
 *
 * @example
 * ```ts
 * const errors = createErrorHandler({ onError: (e) => recordError(e, { registry }) });
 * ```
 */
export function recordError(error: unknown, options: RecordErrorOptions = {}): string {
  checkOptions('recordError', options, ['registry', 'context']);
  checkRegistry(options.registry);
  const registry = options.registry ?? defaultRegistry();
  try {
    return record(registry, error, options.context);
  } catch {
    return '';
  }
}

function record(registry: Registry, error: unknown, context: unknown): string {
  const armor = fromUnknown(error);
  const code = typeof armor.code === 'string' ? armor.code : 'INTERNAL';
  const status = typeof armor.status === 'number' && Number.isInteger(armor.status) ? armor.status : 500;
  let fp: string;
  try {
    fp = fingerprint(armor);
  } catch {
    fp = `code:${code}`;
  }
  const now = registry.clock.now();
  const hub = hubOf(registry);
  const cause = read(armor, 'cause');
  const wrapped = code === 'INTERNAL' && cause instanceof Error;
  const source = wrapped ? cause : armor;
  const message = text(read(source, 'message'), MAX_MESSAGE) ?? text(read(armor, 'message'), MAX_MESSAGE) ?? '(unreadable message)';
  const stack = text(read(source, 'stack'), MAX_STACK);
  const name = text(read(source, 'name'), 200) ?? text(read(armor, 'name'), 200) ?? 'Error';
  const sample: NonNullable<ErrorGroup['sample']> = { message };
  if (stack !== undefined) sample.stack = stack;
  const traceId = currentTraceId(registry);
  if (traceId !== undefined) sample.traceId = traceId;
  if (context !== undefined) {
    const safe = toJsonSafe(context);
    if (typeof safe === 'object' && safe !== null && !Array.isArray(safe)) sample.context = safe as Record<string, unknown>;
    else sample.context = { value: safe };
  }
  const existing = hub.errorGroups.get(fp);
  if (existing) {
    existing.count++;
    existing.lastSeen = now;
    existing.message = sample.message;
    existing.sample = sample;
    hub.errorGroups.delete(fp); // re-insert: Map order = least recently seen first
    hub.errorGroups.set(fp, existing);
  } else {
    hub.errorGroups.set(fp, { fingerprint: fp, code, status, name, message, count: 1, firstSeen: now, lastSeen: now, sample });
    if (hub.errorGroups.size > hub.errorGroupsLimit) {
      const oldest = hub.errorGroups.keys().next().value;
      if (oldest !== undefined) hub.errorGroups.delete(oldest);
    }
  }
  registry.counter({ name: 'errors_total', help: 'Errors recorded with recordError(), by code', labelNames: ['code'] as const }).inc({ code });
  return fp;
}

/** Error groups of `registry`, most recently seen first. */
export function errorGroups(registry: Registry = defaultRegistry()): ErrorGroup[] {
  return [...hubOf(registry).errorGroups.values()].reverse().map((g) => ({ ...g }));
}

/** The registry's current trace id; a throwing source reads as none. */
function currentTraceId(registry: Registry): string | undefined {
  try {
    const id = registry.traceId?.();
    return typeof id === 'string' && id !== '' ? id.slice(0, 64) : undefined;
  } catch {
    return undefined;
  }
}
