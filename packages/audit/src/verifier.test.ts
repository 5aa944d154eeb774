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
