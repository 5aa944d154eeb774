import { manualClock } from '@armor/core';
import { AuthenticationError, createErrorHandler, RateLimitError, ValidationError, ArmorError } from '@armor/errors';
import { createRateLimiter } from '@armor/rate-limit';
import { describe, expect, it } from 'vitest';
import { auditApiKeyEvent, auditRateLimitBlocks, auditSecurityErrors, createAuditLog, memoryAuditStore, type AuditEntry, type AuditLog } from './index.js';

async function all(log: AuditLog): Promise<AuditEntry[]> {
  const out: AuditEntry[] = [];
  for await (const e of log.entries()) out.push(e);
  return out;
}
const settle = () => new Promise((r) => setTimeout(r, 10));

describe('capture', () => {
  it('auditSecurityErrors records refusals through the real error handler, deduplicated, never other errors', async () => {
    const clock = manualClock(0);
    const log = createAuditLog({ store: memoryAuditStore() });
    const handler = createErrorHandler({ onError: auditSecurityErrors(log, { clock, dedupeMs: 60_000 }) });
    const handle = (e: unknown, c: Parameters<typeof handler.handle>[1]) => handler.handle(e, c);
    const ctx = { instance: '/admin', log: { ip: '203.0.113.9', requestId: 'r1' } };
    for (let i = 0; i < 50; i++) handle(new AuthenticationError(), ctx); // a brute-force burst: one event
    handle(new ArmorError('CSRF_TOKEN_MISMATCH'), ctx);
    handle(new RateLimitError(), { ...ctx, log: { ...ctx.log, userId: 'u7' } });
    handle(new ValidationError(), ctx); // not a security decision
    handle(new Error('boom'), ctx); // a 500
    await settle();
    const entries = await all(log);
    expect(entries.map((e) => [e.event.action, e.event.actor.id, e.event.outcome])).toEqual([
      ['auth.failed', 'anonymous', 'denied'],
      ['csrf.refused', 'anonymous', 'denied'],
      ['rate_limit.refused', 'u7', 'denied'],
    ]);
    expect(entries[0]!.personal?.data).toMatchObject({ ip: '203.0.113.9' });
    clock.advance(60_000);
    handle(new AuthenticationError(), ctx);
    await settle();
    expect((await all(log)).length).toBe(4);
  });

  it('an attacker rotating identities cannot grow memory: the dedupe set is bounded', async () => {
    const log = createAuditLog({ store: memoryAuditStore() });
    const hook = auditSecurityErrors(log, { maxTracked: 100, clock: manualClock(0) });
    for (let i = 0; i < 1000; i++) hook({ code: 'UNAUTHENTICATED' }, { log: { ip: `198.51.100.${i % 256}`, userId: `u${i}` } });
    await settle();
    expect((await all(log)).length).toBe(1000); // distinct subjects are each recorded
    hook({ code: 'UNAUTHENTICATED' }, { log: { ip: '198.51.100.0', userId: 'u0' } }); // forgotten (evicted) → recorded again
    await settle();
    expect((await all(log)).length).toBe(1001);
  });

  it('a failing append never reaches the request path', async () => {
    const errors: unknown[] = [];
    const broken = { append: () => Promise.reject(new Error('db down')) } as unknown as AuditLog;
    const hook = auditSecurityErrors(broken, { onAppendError: (e) => errors.push(e) });
    expect(() => hook({ code: 'FORBIDDEN' }, {})).not.toThrow();
    await settle();
    expect(errors).toHaveLength(1);
  });

  it('auditRateLimitBlocks records each key’s block once, from a real limiter', async () => {
    const log = createAuditLog({ store: memoryAuditStore() });
    const limiter = createRateLimiter({ algorithm: 'fixed-window', limit: 2, windowMs: 60_000, blockDurationMs: 60_000 });
    const stop = auditRateLimitBlocks(limiter, log, { name: 'login' });
    for (let i = 0; i < 10; i++) await limiter.consume('ip:203.0.113.5');
    await settle();
    const entries = await all(log);
    expect(entries.map((e) => e.event.action)).toEqual(['rate_limit.blocked']);
    expect(entries[0]!.event.metadata).toMatchObject({ limiter: 'login' });
    expect(JSON.stringify(entries[0]!.event)).not.toContain('203.0.113.5'); // the key is personal data
    stop();
  });

  it('auditApiKeyEvent records lifecycle events idempotently', async () => {
    const log = createAuditLog({ store: memoryAuditStore() });
    await auditApiKeyEvent(log, 'revoked', { actorId: 'admin', keyId: 'key_1', reason: 'leaked', idempotencyKey: 'op-1' });
    await auditApiKeyEvent(log, 'revoked', { actorId: 'admin', keyId: 'key_1', reason: 'leaked', idempotencyKey: 'op-1' });
    const entries = await all(log);
    expect(entries.map((e) => [e.event.action, e.event.targets])).toEqual([['api_key.revoked', [{ type: 'api_key', id: 'key_1' }]]]);
    expect(() => auditApiKeyEvent(log, 'deleted' as never, { actorId: 'a', keyId: 'k' })).toThrow(/action/);
  });
});
