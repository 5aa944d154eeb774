/**
 * Histogram bucket helpers.
 *
 * @module
 */
import { ConfigurationError } from '@armor/errors';

/** Default histogram buckets (seconds). */
export const DEFAULT_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** `count` buckets starting at `start`, each `width` apart. @example linearBuckets(0.1, 0.1, 5) // [0.1, 0.2, 0.3, 0.4, 0.5] */
export function linearBuckets(start: number, width: number, count: number): number[] {
  if (!Number.isFinite(start)) throw new ConfigurationError('start', 'must be a finite number', { received: start });
  if (!(width > 0) || !Number.isFinite(width)) throw new ConfigurationError('width', 'must be a finite number > 0', { received: width });
  if (!Number.isInteger(count) || count < 1) throw new ConfigurationError('count', 'must be an integer >= 1', { received: count });
  return Array.from({ length: count }, (_, i) => Number((start + i * width).toPrecision(12)));
}

/** `count` buckets starting at `start`, each `factor` times the previous. @example exponentialBuckets(0.001, 2, 4) // [0.001, 0.002, 0.004, 0.008] */
export function exponentialBuckets(start: number, factor: number, count: number): number[] {
  if (!(start > 0) || !Number.isFinite(start)) throw new ConfigurationError('start', 'must be a finite number > 0', { received: start });
  if (!(factor > 1) || !Number.isFinite(factor)) throw new ConfigurationError('factor', 'must be a finite number > 1', { received: factor });
  if (!Number.isInteger(count) || count < 1) throw new ConfigurationError('count', 'must be an integer >= 1', { received: count });
  return Array.from({ length: count }, (_, i) => Number((start * factor ** i).toPrecision(12)));
}
