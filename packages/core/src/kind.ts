/**
 * Kinds: every Armor policy, limiter, cache and store says what it is in a readonly `kind`
 * property, so bridges (metrics, OpenTelemetry) dispatch on it instead of guessing from shapes.
 *
 * @module
 */

/** Every kind an Armor component reports. */
export type ArmorKind =
  | 'retry'
  | 'timeout'
  | 'circuit-breaker'
  | 'bulkhead'
  | 'fallback'
  | 'hedge'
  | 'wrap'
  | 'cache'
  | 'batch-loader'
  | 'rate-limiter'
  | 'health'
  | 'registry';

/** Something that says what it is. */
export interface Kinded<K extends ArmorKind = ArmorKind> {
  /** What this component is, e.g. `'circuit-breaker'`. */
  readonly kind: K;
}

const KINDS: ReadonlySet<string> = new Set<ArmorKind>([
  'retry', 'timeout', 'circuit-breaker', 'bulkhead', 'fallback', 'hedge', 'wrap', 'cache', 'batch-loader', 'rate-limiter', 'health', 'registry',
]);

/**
 * The `kind` of `value` when it is an Armor component, else `undefined`. Never throws (a
 * throwing getter reads as `undefined`).
 *
 * @example
 * ```ts
 * kindOf({ kind: 'retry' }); // 'retry'
 * kindOf({});                // undefined
 * ```
 */
export function kindOf(value: unknown): ArmorKind | undefined {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return undefined;
  try {
    const kind = (value as { kind?: unknown }).kind;
    return typeof kind === 'string' && KINDS.has(kind) ? (kind as ArmorKind) : undefined;
  } catch {
    return undefined;
  }
}
