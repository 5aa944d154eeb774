import { auditStoreSuite } from '@armor/test-utils';
import { describe, expect, it } from 'vitest';
import { ConfigurationError, ValidationError } from '@armor/errors';
import { manualClock } from '@armor/core';
import {
  AuditError,
  createAuditLog,
  ed25519Signer,
  exportBundle,
  generateSigningKey,
  memoryAuditStore,
  memoryWitness,
  verifyBundle,
  verifyStream,
  type AuditEntry,
  type Checkpoint,
} from './index.js';

auditStoreSuite('memory', {
  makeStore: () => memoryAuditStore(),
  audit: { createAuditLog, ed25519Signer, generateSigningKey, exportBundle, verifyBundle },
});

const ev = (i: number) => ({ action: 'doc.updated', actor: { id: `u${i % 2}` }, targets: [{ type: 'doc', id: `d${i}` }], metadata: { i } });

async function fixture(n = 20) {
  const key = generateSigningKey();
  const store = memoryAuditStore();
  const log = createAuditLog({ store, signer: ed25519Signer(key.secretKey) });
  for (let i = 0; i < n; i++) await log.append(ev(i));
  const cp = await log.checkpoint();
  const entries: AuditEntry[] = [];
  for await (const e of log.entries()) entries.push(e);
  return { key, store, log, entries, checkpoints: [cp!] };
}

const kinds = async (input: { entries: AuditEntry[]; checkpoints: Checkpoint[]; publicKeys: string[]; witnessed?: Checkpoint[] }) =>
  (await verifyStream({ stream: 'default', ...input })).findings.map((f) => f.kind);

describe('verify finds each kind of tampering', () => {
  it('an untouched log verifies clean', async () => {
    const { entries, checkpoints, key } = await fixture();
    expect(await kinds({ entries, checkpoints, publicKeys: [key.publicKey] })).toEqual([]);
  });

  it('an edited field: row_hash_mismatch', async () => {
    const { entries, checkpoints, key } = await fixture();
    entries[5]!.event.metadata = { i: 999 };
    expect(await kinds({ entries, checkpoints, publicKeys: [key.publicKey] })).toEqual(['row_hash_mismatch']);
  });

  it('an edited field with the whole chain re-hashed: checkpoint_mismatch', async () => {
    const { entries, checkpoints, key } = await fixture();
    const { entryHash } = await import('./entry.js');
    entries[5]!.event.metadata = { i: 999 };
    for (let i = 5; i < entries.length; i++) {
      if (i > 0) entries[i]!.prevHash = entries[i - 1]!.hash;
      entries[i]!.hash = entryHash(entries[i]!);
    }
    expect(await kinds({ entries, checkpoints, publicKeys: [key.publicKey] })).toEqual(['checkpoint_mismatch']);
  });

  it('a deleted middle row: seq_gap', async () => {
    const { entries, checkpoints, key } = await fixture();
    entries.splice(7, 1);
    expect(await kinds({ entries, checkpoints, publicKeys: [key.publicKey] })).toEqual(['seq_gap']);
  });

  it('the newest rows deleted: truncated_after_checkpoint', async () => {
    const { entries, checkpoints, key } = await fixture();
    entries.splice(17);
    expect(await kinds({ entries, checkpoints, publicKeys: [key.publicKey] })).toEqual(['truncated_after_checkpoint']);
  });

  it('reordered rows: seq_out_of_order and broken links', async () => {
    const { entries, checkpoints, key } = await fixture();
    [entries[3], entries[4]] = [entries[4]!, entries[3]!];
    const found = await kinds({ entries, checkpoints, publicKeys: [key.publicKey] });
    expect(found).toContain('seq_out_of_order');
  });

  it('a forged row inserted in the middle: detected', async () => {
    const { entries, checkpoints, key } = await fixture();
    entries.splice(9, 0, { ...entries[8]!, event: { ...entries[8]!.event, action: 'forged' } });
    const found = await kinds({ entries, checkpoints, publicKeys: [key.publicKey] });
    expect(found).toEqual(expect.arrayContaining(['row_hash_mismatch', 'seq_out_of_order']));
  });

  it('a replaced checkpoint (signed with another key): unknown_key; edited: bad_signature', async () => {
    const { entries, checkpoints, key, log } = await fixture();
    const other = ed25519Signer(generateSigningKey().secretKey);
    const { makeCheckpoint } = await import('./checkpoint.js');
    const forged = makeCheckpoint({ stream: 'default', seq: 20, hash: entries[19]!.hash }, undefined, other, checkpoints[0]!.time);
    expect(await kinds({ entries, checkpoints: [forged], publicKeys: [key.publicKey] })).toEqual(['unknown_key']);
    const edited = { ...checkpoints[0]!, seq: 19, hash: entries[18]!.hash };
    expect(await kinds({ entries, checkpoints: [edited], publicKeys: [key.publicKey] })).toEqual(['bad_signature']);
    expect(log).toBeDefined();
  });

  it('a swapped key (attacker re-signs with their own key and publishes it): the verifier trusts only its keys', async () => {
    const { entries, checkpoints } = await fixture();
    const attackerKey = generateSigningKey();
    expect(await kinds({ entries, checkpoints, publicKeys: [attackerKey.publicKey] })).toEqual(['unknown_key']);
  });

  it('a checkpoint deleted from the log but kept by the witness: checkpoint_fork, and truncation still found', async () => {
    const { entries, checkpoints, key } = await fixture();
    entries.splice(15);
    expect(await kinds({ entries, checkpoints: [], publicKeys: [key.publicKey], witnessed: checkpoints })).toEqual([
      'checkpoint_fork',
      'truncated_after_checkpoint',
    ]);
  });

  it('personal data edited after the fact: personal_data_mismatch; erased: fine', async () => {
    const { entries, checkpoints, key } = await fixture();
    const withPersonal = await (async () => {
      const store = memoryAuditStore();
      const log = createAuditLog({ store });
      await log.append({ action: 'login', actor: { id: 'u1', name: 'Ada' }, context: { ip: '203.0.113.9' } });
      const out: AuditEntry[] = [];
      for await (const e of log.entries()) out.push(e);
      return out;
    })();
    withPersonal[0]!.personal!.data.actorName = 'Eve';
    expect((await verifyStream({ stream: 'default', entries: withPersonal })).findings.map((f) => f.kind)).toEqual(['personal_data_mismatch']);
    withPersonal[0]!.personal = null;
    expect((await verifyStream({ stream: 'default', entries: withPersonal })).ok).toBe(true);
    expect(await kinds({ entries, checkpoints, publicKeys: [key.publicKey] })).toEqual([]);
  });
});

describe('append', () => {
  it('validates the event and names every bad field (no values)', async () => {
    const log = createAuditLog({ store: memoryAuditStore() });
    const error = await log.append({ action: '', actor: { id: 'u' }, extra: 1 } as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    const paths = (error as ValidationError).issues.map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['/action', '']));
  });

  it('redacts secrets before hashing and storing (through @armor/privacy)', async () => {
    const log = createAuditLog({ store: memoryAuditStore() });
    const entry = await log.append({ action: 'login', actor: { id: 'u1' }, metadata: { password: 'hunter2', note: 'Bearer abc.def.ghi' } });
    expect(JSON.stringify(entry)).not.toContain('hunter2');
    expect(JSON.stringify(entry)).not.toContain('abc.def.ghi');
  });

  it('keeps personal data out of the hashed event (only a salted commitment)', async () => {
    const log = createAuditLog({ store: memoryAuditStore() });
    const entry = await log.append({ action: 'login', actor: { id: 'u1', name: 'Ada Lovelace' }, context: { ip: '203.0.113.9', userAgent: 'UA' } });
    expect(JSON.stringify(entry.event)).not.toContain('Ada');
    expect(JSON.stringify(entry.event)).not.toContain('203.0.113.9');
    expect(entry.event.personalCommitment).toMatch(/^[0-9a-f]{64}$/);
    expect(entry.personal?.data).toMatchObject({ actorName: 'Ada Lovelace', ip: '203.0.113.9', userAgent: 'UA' });
  });

  it('uses the clock for the entry time', async () => {
    const clock = manualClock(Date.UTC(2026, 0, 2, 3, 4, 5, 6));
    const log = createAuditLog({ store: memoryAuditStore(), clock });
    expect((await log.append(ev(1))).time).toBe('2026-01-02T03:04:05.006Z');
  });

  it('makes a checkpoint every N appends, and witnesses it', async () => {
    const witness = memoryWitness();
    const key = generateSigningKey();
    const log = createAuditLog({ store: memoryAuditStore(), signer: ed25519Signer(key.secretKey), witness, checkpointEvery: 5 });
    for (let i = 0; i < 12; i++) await log.append(ev(i));
    expect((await witness.list('default')).map((c) => c.seq)).toEqual([5, 10]);
    expect(await log.verify()).toMatchObject({ ok: true, anchoredSeq: 10, unanchored: 2 });
  });
});

describe('bad options and bad input', () => {
  it.each([
    [{}, 'store'],
    [{ store: memoryAuditStore(), signer: {} }, 'signer'],
    [{ store: memoryAuditStore(), witness: 1 }, 'witness'],
    [{ store: memoryAuditStore(), checkpointEvery: -1 }, 'checkpointEvery'],
    [{ store: memoryAuditStore(), checkpointEvry: 1 }, 'checkpointEvry'],
  ])('createAuditLog(%o) names %s', (options, option) => {
    expect(() => createAuditLog(options as never)).toThrow(ConfigurationError);
    expect(() => createAuditLog(options as never)).toThrow(option);
  });

  it('a malformed key is a typed error', () => {
    expect(() => ed25519Signer('abc')).toThrow(AuditError);
    expect(() => ed25519Signer(new Uint8Array(31))).toThrow(/32 bytes/);
  });

  it('checkpoint() without a signer names the option', async () => {
    await expect(createAuditLog({ store: memoryAuditStore() }).checkpoint()).rejects.toThrow(/signer/);
  });

  it.each([
    ['', 'malformed_bundle'],
    ['not json', 'malformed_bundle'],
    ['[1,2]', 'malformed_bundle'],
    ['{"format":"cloudtrail-digest","version":1}', 'foreign_bundle'],
    ['{"format":"armor-audit-bundle","version":2,"stream":"s"}', 'foreign_bundle'],
    ['{"format":"armor-audit-bundle","version":1,"stream":"s"}\n{"what":1}', 'malformed_bundle'],
    ['{"format":"armor-audit-bundle","version":1,"stream":"s"}\n{"entry":{"seq":1}}\n{"checkpoint":{}}', 'malformed_bundle'],
  ])('verifyBundle(%j) is a typed %s error', async (text, reason) => {
    await expect(verifyBundle(text, { publicKeys: [] })).rejects.toMatchObject({ name: 'AuditError', reason });
  });

  it('a bundle with garbage entries reports findings instead of crashing', async () => {
    const text = ['{"format":"armor-audit-bundle","version":1,"stream":"s","afterSeq":0}', '{"entry":{"v":1,"stream":"s","seq":1,"event":{"x":1n}}}'.replace('1n', '1')].join('\n');
    const report = await verifyBundle(text, { publicKeys: [] });
    expect(report.ok).toBe(false);
    expect(report.findings[0]!.kind).toBe('row_hash_mismatch');
  });
});
