/**
 * The audit store conformance suite: every `@armor/audit` store (memory, PostgreSQL on
 * node-postgres and PGlite, Convex) runs the same scenarios. The suite takes the package's
 * functions as an argument so test-utils does not depend on `@armor/audit` (no cycle).
 *
 * @module
 */
import { describe, expect, it } from 'vitest';

/* Structural slices of @armor/audit's API, as much as the suite uses. */
interface Entry {
  stream: string;
  seq: number;
  hash: string;
  prevHash: string;
  personal: unknown;
  event: { action: string; metadata: Record<string, unknown> };
}
interface Report {
  ok: boolean;
  entries: number;
  lastSeq: number;
  erased: number;
  anchoredSeq: number;
  findings: { kind: string }[];
}
interface Log {
  append(event: Record<string, unknown>, options?: { stream?: string }): Promise<Entry>;
  checkpoint(stream?: string): Promise<{ seq: number } | undefined>;
  verify(stream?: string, options?: { publicKeys?: readonly string[] }): Promise<Report>;
  entries(stream?: string, options?: { afterSeq?: number; batch?: number }): AsyncIterable<Entry>;
  erase(subject: string): Promise<number>;
  prune(stream: string, throughSeq: number): Promise<number>;
}
interface Store {
  head(stream: string): Promise<{ seq: number; hash: string } | null>;
  streams(): Promise<string[]>;
  checkpoints(stream: string): Promise<unknown[]>;
}

/** What {@link auditStoreSuite} needs. */
export interface AuditSuiteOptions<S extends Store> {
  /** A fresh, empty store. */
  makeStore(): Promise<S> | S;
  /** `@armor/audit`'s exports. */
  audit: {
    createAuditLog(options: { store: S; signer?: unknown }): Log;
    ed25519Signer(secret: string): { publicKey: string };
    generateSigningKey(): { secretKey: string; publicKey: string };
    exportBundle(source: { store: S; stream: string }): AsyncIterable<string>;
    verifyBundle(input: string, options: { publicKeys: readonly string[] }): Promise<Report>;
  };
  /** Concurrent appends in the concurrency scenario. @default 200 */
  concurrency?: number;
}

const event = (i: number, extra: Record<string, unknown> = {}) => ({
  action: 'doc.updated',
  actor: { id: `user-${i % 3}`, name: `User ${i % 3}` },
  targets: [{ type: 'doc', id: `d${i}` }],
  context: { ip: `203.0.113.${i % 250}`, requestId: `r${i}` },
  metadata: { i },
  ...extra,
});

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** Registers the conformance scenarios for one audit store. */
export function auditStoreSuite<S extends Store>(name: string, options: AuditSuiteOptions<S>): void {
  const { audit, concurrency = 200 } = options;
  const setup = async () => {
    const store = await options.makeStore();
    const key = audit.generateSigningKey();
    const log = audit.createAuditLog({ store, signer: audit.ed25519Signer(key.secretKey) });
    return { store, log, key };
  };

  describe(`audit store conformance: ${name}`, () => {
    it('an empty stream has no head and verifies clean', async () => {
      const { store, log } = await setup();
      expect(await store.head('nothing')).toBeNull();
      const report = await log.verify('nothing');
      expect(report).toMatchObject({ ok: true, entries: 0, lastSeq: 0 });
    });

    it('sequential appends form a gapless chain from seq 1', async () => {
      const { store, log } = await setup();
      const entries: Entry[] = [];
      for (let i = 0; i < 30; i++) entries.push(await log.append(event(i)));
      expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
      for (let i = 1; i < entries.length; i++) expect(entries[i]!.prevHash).toBe(entries[i - 1]!.hash);
      expect(await store.head('default')).toEqual({ seq: 30, hash: entries[29]!.hash });
      expect(await log.verify()).toMatchObject({ ok: true, entries: 30, lastSeq: 30 });
    });

    it(`${concurrency} concurrent appends to one stream form one gapless, valid chain`, async () => {
      const { log } = await setup();
      const results = await Promise.all(Array.from({ length: concurrency }, (_, i) => log.append(event(i), { stream: 's' })));
      expect(results.map((e) => e.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: concurrency }, (_, i) => i + 1));
      const read = await collect(log.entries('s', { batch: 37 }));
      expect(read.map((e) => e.seq)).toEqual(Array.from({ length: concurrency }, (_, i) => i + 1));
      expect(await log.verify('s')).toMatchObject({ ok: true, entries: concurrency });
    });

    it('streams are separate chains', async () => {
      const { store, log } = await setup();
      await log.append(event(1), { stream: 'tenant-a' });
      await log.append(event(2), { stream: 'tenant-b' });
      const b2 = await log.append(event(3), { stream: 'tenant-b' });
      expect(b2.seq).toBe(2);
      expect((await store.streams()).sort()).toEqual(['tenant-a', 'tenant-b']);
      expect((await log.verify('tenant-a')).ok).toBe(true);
      expect((await log.verify('tenant-b')).ok).toBe(true);
    });

    it('a retried append with the same idempotency key writes once, even concurrently', async () => {
      const { log } = await setup();
      const same = event(7, { idempotencyKey: 'req-7' });
      const [a, b, c] = await Promise.all([log.append(same), log.append(same), log.append(same)]);
      expect(a!.seq).toBe(1);
      expect(b!.seq).toBe(1);
      expect(c!.hash).toBe(a!.hash);
      await expect(log.append(event(8, { idempotencyKey: 'req-7' }))).rejects.toMatchObject({ name: 'AuditError', reason: 'idempotency_conflict' });
      expect((await log.verify()).entries).toBe(1);
    });

    it('checkpoints pin the head; pruning keeps what remains verifiable, and refuses a cut without a checkpoint', async () => {
      const { store, log, key } = await setup();
      for (let i = 0; i < 10; i++) await log.append(event(i));
      expect(await log.checkpoint()).toMatchObject({ seq: 10 });
      expect(await log.checkpoint()).toBeUndefined(); // nothing new since
      for (let i = 10; i < 15; i++) await log.append(event(i));
      await expect(log.prune('default', 12)).rejects.toMatchObject({ reason: 'retention_boundary' });
      expect(await log.prune('default', 10)).toBe(10);
      const report = await log.verify('default', { publicKeys: [key.publicKey] });
      expect(report).toMatchObject({ ok: true, entries: 5, anchoredSeq: 10 });
      expect((await store.checkpoints('default')).length).toBe(1);
    });

    it("erasing a subject's personal data keeps the chain verifiable", async () => {
      const { log } = await setup();
      for (let i = 0; i < 9; i++) await log.append(event(i));
      expect(await log.erase('user-1')).toBe(3);
      const entries = await collect(log.entries());
      expect(entries.filter((e) => e.personal === null).length).toBe(3);
      const report = await log.verify();
      expect(report).toMatchObject({ ok: true, erased: 3 });
    });

    it('an exported bundle verifies offline with only the public key', async () => {
      const { store, log, key } = await setup();
      for (let i = 0; i < 12; i++) await log.append(event(i), { stream: 'exp' });
      await log.checkpoint('exp');
      const lines = await collect(audit.exportBundle({ store, stream: 'exp' }));
      expect(lines.length).toBe(1 + 1 + 12);
      const report = await audit.verifyBundle(lines.join('\n'), { publicKeys: [key.publicKey] });
      expect(report).toMatchObject({ ok: true, entries: 12, anchoredSeq: 12 });
    });
  });
}
