import { ConfigurationError, isArmorError } from '@armor/errors';
import { describe, expect, it } from 'vitest';
import {
  breakerRegistry,
  bulkhead,
  circuitBreaker,
  constantBackoff,
  exponentialBackoff,
  fallback,
  fallbackPolicy,
  hedge,
  hedgePolicy,
  redisBreakerState,
  retry,
  retryBudget,
  retryPolicy,
  timeout,
  timeoutPolicy,
  wrap,
} from './index.js';

const fn = () => 1;

/** [description, construct, option named in the error] */
const table: [string, () => unknown, string][] = [
  ['retry: negative maxAttempts', () => retryPolicy({ maxAttempts: -1 }), 'maxAttempts'],
  ['retry: zero maxAttempts', () => retryPolicy({ maxAttempts: 0 }), 'maxAttempts'],
  ['retry: fractional maxAttempts', () => retryPolicy({ maxAttempts: 1.5 }), 'maxAttempts'],
  ['retry: NaN maxAttempts', () => retryPolicy({ maxAttempts: Number.NaN }), 'maxAttempts'],
  ['retry: string maxAttempts', () => retryPolicy({ maxAttempts: '3' as never }), 'maxAttempts'],
  ['retry: non-function backoff', () => retryPolicy({ backoff: 100 as never }), 'backoff'],
  ['retry: non-function retryIf', () => retryPolicy({ retryIf: true as never }), 'retryIf'],
  ['retry: non-function onRetry', () => retryPolicy({ onRetry: 'log' as never }), 'onRetry'],
  ['retry: bad signal', () => retryPolicy({ signal: {} as never }), 'signal'],
  ['retry: negative maxRetryAfterMs', () => retryPolicy({ maxRetryAfterMs: -5 }), 'maxRetryAfterMs'],
  ['retry: bad budget', () => retryPolicy({ budget: {} as never }), 'budget'],
  ['retry: bad clock', () => retryPolicy({ clock: {} as never }), 'clock'],
  ['retry: empty name', () => retryPolicy({ name: '' }), 'name'],
  ['retry: options not an object', () => retryPolicy('fast' as never), 'options'],
  ['retry(): non-function fn', () => retry(42 as never), 'fn'],
  ['constantBackoff: negative', () => constantBackoff(-1), 'backoff'],
  ['exponentialBackoff: negative initial', () => exponentialBackoff({ initial: -1 }), 'initial'],
  ['exponentialBackoff: factor < 1', () => exponentialBackoff({ factor: 0.5 }), 'factor'],
  ['exponentialBackoff: unknown jitter', () => exponentialBackoff({ jitter: 'random' as never }), 'jitter'],
  ['exponentialBackoff: max < initial', () => exponentialBackoff({ initial: 1000, max: 10 }), 'max'],
  ['exponentialBackoff: NaN max', () => exponentialBackoff({ max: Number.NaN }), 'max'],
  ['retryBudget: negative ratio', () => retryBudget({ ratio: -0.1 }), 'ratio'],
  ['retryBudget: zero window', () => retryBudget({ windowMs: 0 }), 'windowMs'],
  ['timeout: non-function fn', () => timeout('x' as never, 10), 'fn'],
  ['timeout: zero ms', () => timeout(fn, 0), 'ms'],
  ['timeout: negative ms', () => timeout(fn, -1), 'ms'],
  ['timeout: Infinity ms', () => timeout(fn, Infinity), 'ms'],
  ['timeoutPolicy: NaN ms', () => timeoutPolicy(Number.NaN), 'ms'],
  ['breaker: failureRate 0', () => circuitBreaker({ failureRate: 0 }), 'failureRate'],
  ['breaker: failureRate > 1', () => circuitBreaker({ failureRate: 1.5 }), 'failureRate'],
  ['breaker: failureRate negative', () => circuitBreaker({ failureRate: -0.5 }), 'failureRate'],
  ['breaker: failureRate NaN', () => circuitBreaker({ failureRate: Number.NaN }), 'failureRate'],
  ['breaker: both strategies', () => circuitBreaker({ failureRate: 0.5, failureThreshold: 3 }), 'failureThreshold'],
  ['breaker: failureThreshold 0', () => circuitBreaker({ failureThreshold: 0 }), 'failureThreshold'],
  ['breaker: minimumThroughput 0', () => circuitBreaker({ failureRate: 0.5, minimumThroughput: 0 }), 'minimumThroughput'],
  ['breaker: windowMs 0', () => circuitBreaker({ failureRate: 0.5, windowMs: 0 }), 'windowMs'],
  ['breaker: buckets 0', () => circuitBreaker({ failureRate: 0.5, buckets: 0 }), 'buckets'],
  ['breaker: negative halfOpenAfterMs', () => circuitBreaker({ halfOpenAfterMs: -1 }), 'halfOpenAfterMs'],
  ['breaker: halfOpenMaxConcurrent 0', () => circuitBreaker({ halfOpenMaxConcurrent: 0 }), 'halfOpenMaxConcurrent'],
  ['breaker: negative slowCallMs', () => circuitBreaker({ slowCallMs: -1 }), 'slowCallMs'],
  ['breaker: non-function isFailure', () => circuitBreaker({ isFailure: 'yes' as never }), 'isFailure'],
  ['breaker: non-function onStateChange', () => circuitBreaker({ onStateChange: 1 as never }), 'onStateChange'],
  ['breaker: bad state store', () => circuitBreaker({ state: {} as never }), 'state'],
  ['registry: max 0', () => breakerRegistry({ max: 0 }), 'max'],
  ['registry: bad breaker options', () => breakerRegistry({ breaker: { failureRate: 2 } }), 'failureRate'],
  ['registry: breaker not object', () => breakerRegistry({ breaker: 3 as never }), 'breaker'],
  ['registry: idleMs 0', () => breakerRegistry({ idleMs: 0 }), 'idleMs'],
  ['registry: bad clock', () => breakerRegistry({ clock: {} as never }), 'clock'],
  ['bulkhead: missing maxConcurrent', () => bulkhead({} as never), 'maxConcurrent'],
  ['bulkhead: maxConcurrent 0', () => bulkhead({ maxConcurrent: 0 }), 'maxConcurrent'],
  ['bulkhead: negative maxQueue', () => bulkhead({ maxConcurrent: 1, maxQueue: -1 }), 'maxQueue'],
  ['fallback: non-function fn', () => fallback(null as never, 1), 'fn'],
  ['fallback: bad shouldFallback', () => fallback(fn, 1, { shouldFallback: 1 as never }), 'shouldFallback'],
  ['hedge: non-function fn', () => hedge({} as never, { delayMs: 1 }), 'fn'],
  ['hedge: missing delayMs', () => hedge(fn, {} as never), 'delayMs'],
  ['hedge: negative maxHedges', () => hedge(fn, { delayMs: 1, maxHedges: -1 }), 'maxHedges'],
  ['wrap: not a policy', () => wrap({} as never), 'policies[0]'],
  ['redisBreakerState: no client', () => redisBreakerState({ key: 'k' } as never), 'client'],
  ['redisBreakerState: empty key', () => redisBreakerState({ client: { eval: async () => null }, key: '' }), 'key'],
  ['redisBreakerState: negative syncIntervalMs', () => redisBreakerState({ client: { eval: async () => null }, key: 'k', syncIntervalMs: -1 }), 'syncIntervalMs'],
  ['redisBreakerState: unknown timeSource', () => redisBreakerState({ client: { eval: async () => null }, key: 'k', timeSource: 'local' as never }), 'timeSource'],
  ['breaker: probeLeaseMs 0', () => circuitBreaker({ probeLeaseMs: 0 }), 'probeLeaseMs'],
  ['fallbackPolicy: empty name', () => fallbackPolicy(1, { name: '' }), 'name'],
  ['fallbackPolicy: bad shouldFallback', () => fallbackPolicy(1, { shouldFallback: 1 as never }), 'shouldFallback'],
  ['hedgePolicy: empty name', () => hedgePolicy({ delayMs: 1, name: '' }), 'name'],
  ['hedgePolicy: missing delayMs', () => hedgePolicy({} as never), 'delayMs'],
  ['timeoutPolicy: empty name', () => timeoutPolicy(1, { name: '' }), 'name'],
  ['retry: non-boolean unref', () => retryPolicy({ unref: 'yes' as never }), 'unref'],
  ['retry: non-boolean retryOnOpenCircuit', () => retryPolicy({ retryOnOpenCircuit: 1 as never }), 'retryOnOpenCircuit'],
  ['timeout: non-boolean unref', () => timeout(fn, 10, { unref: 1 as never }), 'unref'],
  ['hedgePolicy: non-boolean unref', () => hedgePolicy({ delayMs: 1, unref: 'no' as never }), 'unref'],
  ['redisBreakerState: timeoutMs 0', () => redisBreakerState({ client: { eval: async () => null }, key: 'k', timeoutMs: 0 }), 'timeoutMs'],
  ['redisBreakerState: negative cooldownMs', () => redisBreakerState({ client: { eval: async () => null }, key: 'k', cooldownMs: -1 }), 'cooldownMs'],
];

describe('bad input throws ConfigurationError naming the option, at construction', () => {
  it.each(table)('%s', (_name, construct, option) => {
    let thrown: unknown;
    try {
      const result = construct();
      // functions that return promises must still throw synchronously
      if (result instanceof Promise) result.catch(() => {});
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigurationError);
    expect(isArmorError(thrown, 'CONFIGURATION_ERROR')).toBe(true);
    expect((thrown as ConfigurationError).option).toBe(option);
    expect((thrown as Error).message).toContain(`"${option}"`);
  });

  it('policies reject a non-function fn at execute time with ConfigurationError', async () => {
    for (const p of [retryPolicy(), timeoutPolicy(10), circuitBreaker(), bulkhead({ maxConcurrent: 1 }), wrap()]) {
      await expect(p.execute(5 as never)).rejects.toBeInstanceOf(ConfigurationError);
    }
  });

  it('misspelled options are refused with the closest known name (did you mean)', () => {
    const message = (construct: () => unknown) => {
      try {
        construct();
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigurationError);
        return (error as Error).message;
      }
      throw new Error('did not throw');
    };
    expect(message(() => retryPolicy({ maxRetries: 3 } as never))).toMatch(/Unknown option "maxRetries".*did you mean "maxAttempts"/);
    expect(message(() => retry(fn, { maxRetries: 3 } as never))).toMatch(/Unknown option "maxRetries".*did you mean "maxAttempts"/);
    expect(message(() => bulkhead({ maxConcurrency: 3 } as never))).toMatch(/Unknown option "maxConcurrency".*did you mean "maxConcurrent"/);
    expect(message(() => timeoutPolicy(10, { unrefs: true } as never))).toMatch(/Unknown option "unrefs".*did you mean "unref"/);
    expect(message(() => hedgePolicy({ delayMs: 1, maxHedge: 2 } as never))).toMatch(/did you mean "maxHedges"/);
    expect(message(() => fallbackPolicy(1, { shouldFallBack: () => true } as never))).toMatch(/did you mean "shouldFallback"/);
    expect(message(() => exponentialBackoff({ intial: 5 } as never))).toMatch(/did you mean "initial"/);
    expect(message(() => retryBudget({ ration: 0.1 } as never))).toMatch(/did you mean "ratio"/);
    expect(message(() => breakerRegistry({ maxSize: 1 } as never))).toMatch(/Unknown option "maxSize"/);
    expect(message(() => redisBreakerState({ client: { eval: async () => null }, key: 'k', timeout: 5 } as never))).toMatch(/did you mean "timeoutMs"/);
    // a misspelled breaker option names the unknown key and lists the real one
    expect(message(() => circuitBreaker({ treshold: 3 } as never))).toMatch(/Unknown option "treshold" of circuitBreaker \(did you mean "failureThreshold"\?\)/);
    expect(message(() => circuitBreaker({ halfOpenAfter: 3 } as never))).toMatch(/did you mean "halfOpenAfterMs"/);
  });

  it('every policy says what it is (kind)', () => {
    expect(retryPolicy().kind).toBe('retry');
    expect(timeoutPolicy(1).kind).toBe('timeout');
    expect(circuitBreaker().kind).toBe('circuit-breaker');
    expect(bulkhead({ maxConcurrent: 1 }).kind).toBe('bulkhead');
    expect(fallbackPolicy(1).kind).toBe('fallback');
    expect(hedgePolicy({ delayMs: 1 }).kind).toBe('hedge');
    expect(wrap().kind).toBe('wrap');
    expect(breakerRegistry().kind).toBe('registry');
  });

  it('valid edge values are accepted', () => {
    expect(() => retryPolicy({ maxAttempts: Infinity })).not.toThrow();
    expect(() => circuitBreaker({ failureRate: 1 })).not.toThrow();
    expect(() => circuitBreaker({ halfOpenAfterMs: 0 })).not.toThrow();
    expect(() => bulkhead({ maxConcurrent: 1, maxQueue: Infinity })).not.toThrow();
    expect(() => exponentialBackoff({ max: Infinity })).not.toThrow();
  });
});
