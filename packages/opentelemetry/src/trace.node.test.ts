import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { circuitBreaker, manualClock, retryPolicy, constantBackoff } from '@armor/resilience';
import { createRateLimiter } from '@armor/rate-limit';
import { createCache } from '@armor/cache';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { activeTraceId, traceComponent } from './index.js';

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const tracer = provider.getTracer('test');

beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(provider);
});
afterAll(() => {
  trace.disable();
  context.disable();
});
beforeEach(() => exporter.reset());

describe('traceComponent', () => {
  it('retries become child spans of the request span, with attempt, delay and error.type', async () => {
    const retry = retryPolicy({ name: 'payments', maxAttempts: 3, backoff: constantBackoff(1) });
    const stop = traceComponent(retry);
    let calls = 0;
    let traceId: string | undefined;
    await tracer.startActiveSpan('GET /pay', async (request) => {
      traceId = activeTraceId();
      await retry.execute(() => {
        if (++calls < 3) throw Object.assign(new Error('boom'), { code: 'ECONNRESET' });
        return 'ok';
      });
      request.end();
    });
    stop();
    const spans = exporter.getFinishedSpans();
    const retries = spans.filter((s) => s.name === 'armor.retry');
    const parent = spans.find((s) => s.name === 'GET /pay')!;
    expect(traceId).toBe(parent.spanContext().traceId);
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(retries).toHaveLength(2);
    expect(retries.map((s) => s.attributes)).toEqual([
      expect.objectContaining({ 'armor.component.kind': 'retry', 'armor.component.name': 'payments', 'armor.retry.attempt': 1, 'armor.retry.delay_ms': 1, 'error.type': 'ECONNRESET' }),
      expect.objectContaining({ 'armor.retry.attempt': 2 }),
    ]);
    for (const s of retries) {
      expect(s.spanContext().traceId).toBe(traceId);
      expect(s.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
    }
  });

  it('breaker rejections and state changes are spans; rate-limit decisions record no key', async () => {
    const clock = manualClock();
    const breaker = circuitBreaker({ name: 'search', clock, failureThreshold: 1, halfOpenAfterMs: 1000 });
    const limiter = createRateLimiter({ name: 'api', algorithm: 'fixed-window', limit: 1, windowMs: 60_000 });
    const stops = [traceComponent(breaker), traceComponent(limiter)];
    await breaker.execute(() => Promise.reject(new Error('down'))).catch(() => undefined);
    await breaker.execute(() => 'never').catch(() => undefined);
    await limiter.consume('203.0.113.9');
    await limiter.consume('203.0.113.9');
    for (const stop of stops) stop();
    const byName = (n: string) => exporter.getFinishedSpans().filter((s) => s.name === n);
    expect(byName('armor.circuit_breaker.state_change').map((s) => [s.attributes['armor.circuit_breaker.from'], s.attributes['armor.circuit_breaker.to']])).toEqual([['closed', 'open']]);
    expect(byName('armor.circuit_breaker.rejected')[0]!.attributes).toMatchObject({ 'armor.component.name': 'search', 'armor.circuit_breaker.retry_after_ms': 1000 });
    const decisions = byName('armor.rate_limit.decision');
    expect(decisions.map((s) => s.attributes['armor.rate_limit.decision'])).toEqual(['allowed', 'limited']);
    expect(decisions[1]!.attributes).toMatchObject({ 'armor.rate_limit.limit': 1, 'armor.rate_limit.remaining': 0 });
    expect(JSON.stringify(decisions.map((s) => s.attributes))).not.toContain('203.0.113.9');
  });

  it('cache loads are spans with their duration; a failed load has error.type and an error status', async () => {
    const cache = createCache<string>({ name: 'users', ttlMs: 60_000 });
    const stop = traceComponent(cache);
    await tracer.startActiveSpan('GET /users/1', async (request) => {
      await cache.getOrSet('user:1', async () => 'Ada');
      await cache.getOrSet('user:1', async () => 'never'); // a hit: no load
      await cache.getOrSet('user:2', () => Promise.reject(Object.assign(new Error('db'), { code: 'DATABASE_ERROR' }))).catch(() => undefined);
      request.end();
    });
    stop();
    const loads = exporter.getFinishedSpans().filter((s) => s.name === 'armor.cache.load');
    expect(loads).toHaveLength(2);
    expect(loads[0]!.attributes).toMatchObject({ 'armor.component.kind': 'cache', 'armor.component.name': 'users' });
    expect(loads[0]!.attributes['armor.cache.load.duration_ms']).toBeGreaterThanOrEqual(0);
    expect(loads[1]!.attributes['error.type']).toBe('DATABASE_ERROR');
    expect(loads[1]!.status.code).toBe(2); // SpanStatusCode.ERROR
    expect(JSON.stringify(loads.map((s) => s.attributes))).not.toContain('user:');
  });

  it('refuses what is not an Armor component and unknown options', () => {
    expect(() => traceComponent({})).toThrow(/component/);
    expect(() => traceComponent(retryPolicy(), { tracr: tracer } as never)).toThrow(/did you mean "tracer"/);
  });

  it('activeTraceId is undefined outside a span', () => {
    expect(activeTraceId()).toBeUndefined();
  });
});
