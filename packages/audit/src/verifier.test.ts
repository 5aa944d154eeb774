import { manualClock } from '@armor/core';
import { createRegistry } from '@armor/metrics';
import { describe, expect, it } from 'vitest';
import { createAuditLog, ed25519Signer, generateSigningKey, memoryAuditStore, scheduleVerification, type AuditStore } from './index.js';

async function setup() {
  const clock = manualClock(Date.UTC(2026, 11, 6));
  const base = memoryAuditStore();
  let tampered = false;
  // A store whose reads can be tampered with, as a database attacker would.
  const store: AuditStore = {
    ...base,
    async read(stream, after, limit) {
      const rows = await base.read(stream, after, limit);
      if (tampered) for (const r of rows) if (r.seq === 2) r.event.metadata = { i: 'edited' };
      return rows;
    },
  };
  const log = createAuditLog({ store, signer: ed25519Signer(generateSigningKey().secretKey), clock });
  for (let i = 0; i < 4; i++) await log.append({ action: 'a', actor: { id: 'u' }, metadata: { i } }, { stream: 't1' });
  await log.checkpoint('t1');
  await log.append({ action: 'a', actor: { id: 'u' } }, { stream: 't1' });
  const registry = createRegistry();
  return { clock, log, registry, store, tamper: () => (tampered = true) };
}

describe('scheduleVerification', () => {
  it('exports the verification outcome as armor_audit_* metrics', async () => {
    const { clock, log, registry, store, tamper } = await setup();
    const verifier = scheduleVerification({ log, streams: () => store.streams(), registry, clock, intervalMs: 60_000 });
    clock.advance(90_000);
    const [report] = await verifier.runOnce();
    expect(report).toMatchObject({ ok: true, lastSeq: 5, unanchored: 1 });
    let text = registry.metrics();
    expect(text).toContain('armor_audit_last_verified_seq{stream="t1"} 5');
    expect(text).toContain('armor_audit_findings{stream="t1"} 0');
    expect(text).toContain('armor_audit_unanchored_entries{stream="t1"} 1');
    expect(text).toContain('armor_audit_checkpoint_age_seconds{stream="t1"} 90');
    tamper();
    await verifier.runOnce();
    text = registry.metrics();
    expect(text).toContain('armor_audit_findings{stream="t1"} 1');
    expect(text).toContain('armor_audit_verification_failures_total{stream="t1"} 1');
    verifier.stop();
  });

  it('a stream that cannot be read counts as a failure; a throwing onReport is contained', async () => {
    const { log, registry } = await setup();
    const broken = { ...log, verify: () => Promise.reject(new Error('db down')) };
    const seen: unknown[] = [];
    const verifier = scheduleVerification({
      log: broken,
      streams: ['t1'],
      registry,
      onReport: (r) => {
        seen.push(r);
        throw new Error('listener bug');
      },
    });
    await expect(verifier.runOnce()).resolves.toEqual([]);
    expect(seen).toMatchObject([{ stream: 't1', error: expect.any(Error) }]);
    expect(registry.metrics()).toContain('armor_audit_verification_failures_total{stream="t1"} 1');
    verifier.stop();
  });

  it.each([
    [{ streams: [] }, 'log'],
    [{ log: {}, streams: [] }, 'log'],
    [{ log: { verify: (): number => 1 }, streams: 'x' }, 'streams'],
    [{ log: { verify: (): number => 1 }, streams: [], intervalMs: 0 }, 'intervalMs'],
    [{ log: { verify: (): number => 1 }, streams: [], registry: {} }, 'registry'],
    [{ log: { verify: (): number => 1 }, streams: [], interval: 5 }, 'interval'],
  ])('refuses %o naming %s', (options, name) => {
    expect(() => scheduleVerification(options as never)).toThrow(name);
  });
});

describe('auditSnapshotSection', () => {
  it('is a valid audit section of the snapshot contract, integrity from the verifier, no personal data', async () => {
    const { auditSnapshotSection } = await import('./index.js');
    const { auditSectionSchema } = await import('@armor/metrics/schema');
    const { clock, log, registry } = await setup();
    await log.append({ action: 'login', actor: { id: 'u9', name: 'Ada Lovelace' }, context: { ip: '203.0.113.9' }, outcome: 'denied' }, { stream: 't1' });
    const verifier = scheduleVerification({ log, streams: ['t1'], registry, clock });
    const before = await auditSnapshotSection({ log, streams: ['t1', 'empty'], verifier, recentPerStream: 3 });
    expect(before.streams[0]).toMatchObject({ stream: 't1', ok: null, lastSeq: 6 });
    await verifier.runOnce();
    clock.advance(30_000);
    const section = await auditSnapshotSection({ log, streams: ['t1', 'empty'], verifier, recentPerStream: 3, now: () => clock.now() });
    expect(auditSectionSchema.safeParse(section).success).toBe(true);
    expect(section.streams).toEqual([
      { stream: 't1', ok: true, lastSeq: 6, findings: 0, unanchored: 2, verifiedAt: clock.now() - 30_000, checkpointAgeSeconds: 30 },
      { stream: 'empty', ok: null, lastSeq: 0, findings: 0, unanchored: 0 },
    ]);
    expect(section.recent.map((e) => e.seq)).toEqual([6, 5, 4]);
    expect(section.recent[0]).toMatchObject({ action: 'login', actorId: 'u9', outcome: 'denied' });
    expect(JSON.stringify(section)).not.toMatch(/Ada|203\.0\.113/);
    verifier.stop();
  });
});
