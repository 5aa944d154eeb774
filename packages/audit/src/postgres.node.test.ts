import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { PGlite } from '@electric-sql/pglite';
import { auditStoreSuite, startPostgres, type PostgresServer } from '@armor/test-utils';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditLog, ed25519Signer, exportBundle, generateSigningKey, verifyBundle, type AuditLog } from './index.js';
import { postgresAuditStore, type PostgresAuditStore } from './postgres.js';

let server: PostgresServer;
let pool: pg.Pool;
let pglite: PGlite;
let tables = 0;

beforeAll(async () => {
  server = await startPostgres();
  pool = new pg.Pool({ connectionString: server.url, max: 10 });
  pglite = new PGlite();
  await pglite.waitReady;
}, 60_000);
afterAll(async () => {
  await pool?.end();
  await pglite?.close();
  await server?.stop();
});

async function freshStore(db: 'pg' | 'pglite'): Promise<PostgresAuditStore> {
  const store = postgresAuditStore({ db: db === 'pg' ? pool : pglite, table: `audit_t${++tables}` });
  await store.migrate();
  return store;
}

const audit = { createAuditLog, ed25519Signer, generateSigningKey, exportBundle, verifyBundle };
auditStoreSuite('postgres (node-postgres pool, real server)', { makeStore: () => freshStore('pg'), audit });
auditStoreSuite('postgres (PGlite)', { makeStore: () => freshStore('pglite'), audit });

const ev = (i: number) => ({ action: 'doc.updated', actor: { id: `u${i % 2}`, name: 'Ada' }, targets: [{ type: 'doc', id: `d${i}` }], metadata: { i } });

describe('tampering with real PostgreSQL rows is found', () => {
  let store: PostgresAuditStore;
  let log: AuditLog;
  let key: { secretKey: string; publicKey: string };
  let t: string;
  const kinds = async () => (await log.verify('default', { publicKeys: [key.publicKey] })).findings.map((f) => f.kind);

  async function setup() {
    store = await freshStore('pg');
    t = `audit_t${tables}`;
    key = generateSigningKey();
    log = createAuditLog({ store, signer: ed25519Signer(key.secretKey) });
    for (let i = 0; i < 20; i++) await log.append(ev(i));
    await log.checkpoint();
  }

  it('an untouched log verifies clean', async () => {
    await setup();
    expect(await kinds()).toEqual([]);
  });
  it('an edited field: row_hash_mismatch', async () => {
    await setup();
    await pool.query(`update ${t}_entries set event = replace(event, '"i":4', '"i":5') where seq = 5`);
    expect(await kinds()).toEqual(['row_hash_mismatch']);
  });
  it('a deleted middle row: seq_gap', async () => {
    await setup();
    await pool.query(`delete from ${t}_entries where seq = 8`);
    expect(await kinds()).toEqual(['seq_gap']);
  });
  it('the newest rows deleted: truncated_after_checkpoint', async () => {
    await setup();
    await pool.query(`delete from ${t}_entries where seq > 16`);
    expect(await kinds()).toEqual(['truncated_after_checkpoint']);
  });
  it('two rows swapped (reorder): row hashes no longer match', async () => {
    await setup();
    await pool.query(`update ${t}_entries set seq = -seq where seq in (3, 4)`);
    await pool.query(`update ${t}_entries set seq = case seq when -3 then 4 else 3 end where seq in (-3, -4)`);
    const found = await kinds();
    expect(found).toContain('row_hash_mismatch');
  });
  it('a forged row appended after the checkpoint with a correct hash is unanchored, not hidden', async () => {
    await setup();
    const { entryHash } = await import('./entry.js');
    const { rows } = await pool.query(`select hash from ${t}_entries where seq = 20`);
    const forged = { v: 1 as const, stream: 'default', seq: 21, time: new Date().toISOString(), event: { action: 'forged', actor: { id: 'x', type: 'user' }, targets: [], outcome: 'success' as const, context: {}, metadata: {}, schemaVersion: 1 }, prevHash: String(rows[0]!.hash) };
    await pool.query(`insert into ${t}_entries (stream, seq, time, event, prev_hash, hash, subject) values ('default', 21, $1, $2, $3, $4, 'x')`, [forged.time, JSON.stringify(forged.event), forged.prevHash, entryHash(forged)]);
    const report = await log.verify('default', { publicKeys: [key.publicKey] });
    // The honest claim: a chain alone cannot tell a forged newest row from a real one; it is reported as not yet anchored.
    expect(report).toMatchObject({ ok: true, anchoredSeq: 20, unanchored: 1 });
  });
  it('a forged row inserted in the middle (seqs shifted, hashes recomputed): checkpoint_mismatch', async () => {
    await setup();
    const { entryHash } = await import('./entry.js');
    await pool.query(`update ${t}_entries set seq = seq + 1000 where seq >= 10`);
    await pool.query(`update ${t}_entries set seq = seq - 999 where seq >= 1000`);
    const all = (await pool.query(`select * from ${t}_entries order by seq`)).rows as { seq: string; time: string; event: string; hash: string }[];
    await pool.query(`insert into ${t}_entries (stream, seq, time, event, prev_hash, hash, subject) values ('default', 10, $1, $2, '', '', 'x')`, [all[0]!.time, all[0]!.event.replace('doc.updated', 'forged')]);
    // Re-hash the whole chain as an attacker with database access would.
    const rows = (await pool.query(`select * from ${t}_entries order by seq`)).rows as { seq: string; time: string; event: string }[];
    let prev = '0'.repeat(64);
    for (const row of rows) {
      const hash = entryHash({ stream: 'default', seq: Number(row.seq), time: row.time, event: JSON.parse(row.event), prevHash: prev });
      await pool.query(`update ${t}_entries set prev_hash = $1, hash = $2 where seq = $3`, [prev, hash, row.seq]);
      prev = hash;
    }
    expect(await kinds()).toEqual(['checkpoint_mismatch']);
  });
  it('a replaced checkpoint (re-signed with the attacker’s key): unknown_key and the rewrite is found', async () => {
    await setup();
    const { makeCheckpoint } = await import('./checkpoint.js');
    await pool.query(`update ${t}_entries set event = replace(event, '"i":4', '"i":5') where seq = 5`);
    const attacker = ed25519Signer(generateSigningKey().secretKey);
    const { rows } = await pool.query(`select hash from ${t}_entries where seq = 20`);
    const cp = makeCheckpoint({ stream: 'default', seq: 20, hash: String(rows[0]!.hash) }, undefined, attacker, new Date().toISOString());
    await pool.query(`delete from ${t}_checkpoints`);
    await store.addCheckpoint(cp);
    expect(await kinds()).toEqual(['unknown_key', 'row_hash_mismatch']);
  });
  it('a checkpoint edited in place: bad_signature', async () => {
    await setup();
    await pool.query(`update ${t}_checkpoints set body = replace(body, '"seq":20', '"seq":19')`);
    expect(await kinds()).toContain('bad_signature');
  });
  it('a verifier given a swapped key trusts nothing', async () => {
    await setup();
    const other = generateSigningKey();
    const report = await log.verify('default', { publicKeys: [] });
    expect(report.ok).toBe(true); // the log's own signer key
    const { verifyStream } = await import('./verify.js');
    const strict = await verifyStream({ stream: 'default', entries: log.entries(), checkpoints: await store.checkpoints('default'), publicKeys: [other.publicKey] });
    expect(strict.findings.map((f) => f.kind)).toEqual(['unknown_key']);
  });
});

describe('transactions and concurrency on real PostgreSQL', () => {
  it('an append commits with the caller’s transaction or not at all', async () => {
    const store = await freshStore('pg');
    const log = createAuditLog({ store });
    const client = await pool.connect();
    try {
      await client.query('begin');
      await log.append(ev(1), { tx: client });
      await client.query('rollback');
      expect(await store.head('default')).toBeNull();
      await client.query('begin');
      await log.append(ev(2), { tx: client });
      await client.query('commit');
      expect(await store.head('default')).toMatchObject({ seq: 1 });
    } finally {
      client.release();
    }
  });

  it('an append inside a PGlite transaction rolls back with it', async () => {
    const store = await freshStore('pglite');
    const log = createAuditLog({ store });
    await pglite
      .transaction(async (tx) => {
        await log.append(ev(1), { tx });
        throw new Error('business rule failed');
      })
      .catch(() => undefined);
    expect(await store.head('default')).toBeNull();
  });

  it('refuses a REPEATABLE READ transaction instead of forking the chain', async () => {
    const store = await freshStore('pg');
    const log = createAuditLog({ store });
    const client = await pool.connect();
    try {
      await client.query('begin isolation level repeatable read');
      await expect(log.append(ev(1), { tx: client })).rejects.toThrow(/READ COMMITTED/);
      await client.query('rollback');
    } finally {
      client.release();
    }
  });

  const node = (args: string[]) =>
    spawn(process.execPath, ['--conditions=@armor/source', '--import', 'tsx', new URL('../test/writer.ts', import.meta.url).pathname, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  const output = async (child: ReturnType<typeof node>) => {
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const [code] = (await once(child, 'exit')) as [number];
    return { code, out, err };
  };

  it('two processes × 1,000 concurrent appends: one gapless, valid chain', async () => {
    // The writer processes use the default table name.
    const store = postgresAuditStore({ db: pool });
    await store.migrate();
    const [a, b] = await Promise.all([output(node([server.url, 'race', '1000'])), output(node([server.url, 'race', '1000']))]);
    for (const r of [a, b]) expect(r).toMatchObject({ code: 0, err: '', out: 'done 1000\n' });
    const report = await createAuditLog({ store }).verify('race');
    expect(report).toMatchObject({ ok: true, entries: 2000, firstSeq: 1, lastSeq: 2000 });
  }, 120_000);

  it('without migrate(), append says what to do', async () => {
    const store = postgresAuditStore({ db: pool, table: 'never_migrated' });
    await expect(createAuditLog({ store }).append(ev(1))).rejects.toThrow(/migrate\(\)/);
  });

  it('a writer killed between append and COMMIT loses nothing and forks nothing', async () => {
    const store = postgresAuditStore({ db: pool });
    await store.migrate();
    const log = createAuditLog({ store });
    for (let i = 0; i < 5; i++) await log.append(ev(i), { stream: 'crash' });
    const child = node([server.url, 'crash', '1', 'hang']);
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    while (!out.includes('appended')) await new Promise((r) => setTimeout(r, 20));
    // While the killed writer's transaction holds the stream lock, other appends wait; then proceed.
    const waiting = log.append(ev(99), { stream: 'crash' });
    child.kill('SIGKILL');
    await once(child, 'exit');
    const entry = await waiting;
    expect(entry.seq).toBe(6);
    const report = await log.verify('crash');
    expect(report).toMatchObject({ ok: true, entries: 6, lastSeq: 6 });
  }, 60_000);
});
