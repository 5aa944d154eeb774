/**
 * @armor/audit: append throughput beside a plain INSERT of the same row (PGlite and a real
 * PostgreSQL server; the goal is ratio >= 0.5, i.e. appending costs at most twice an insert),
 * and offline verification throughput of a 1,000,000-event bundle beside the floor of
 * reading the same lines (JSON.parse + one SHA-256 each).
 */
import { createWriteStream, mkdtempSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { createAuditLog, entryHash, GENESIS_HASH, sha256Hex, verifyBundle } from '@armor/audit';
import { bundleLines } from '@armor/audit/node';
import { postgresAuditStore, type SqlClient } from '@armor/audit/postgres';
import { startPostgres } from '@armor/test-utils';
import pg from 'pg';
import { compare, report } from './lib.js';

const event = { action: 'doc.updated', actor: { id: 'user-1' }, targets: [{ type: 'doc', id: 'd1' }], metadata: { field: 'title' } };

async function appendVsInsert(name: string, db: SqlClient & { exec?: (sql: string) => Promise<unknown> }) {
  const store = postgresAuditStore({ db, table: `bench_${name.replace(/\W/g, '_')}` });
  await store.migrate();
  const log = createAuditLog({ store });
  const plain = `plain_${name.replace(/\W/g, '_')}`;
  const ddl = `create table if not exists ${plain} (stream text not null, seq bigint generated always as identity, time text not null, event text not null, prev_hash text not null, hash text not null, subject text not null, personal text, idempotency_key text, primary key (stream, seq))`;
  if (db.exec) await db.exec(ddl);
  else await db.query(ddl);
  const eventText = JSON.stringify(event);
  await compare(
    `audit-append-${name}-vs-plain-insert`,
    () => log.append(event, { stream: 'bench' }),
    'plain-insert',
    () => db.query(`insert into ${plain} (stream, time, event, prev_hash, hash, subject) values ($1, $2, $3, $4, $5, $6)`, ['bench', new Date().toISOString(), eventText, GENESIS_HASH, GENESIS_HASH, 'user-1']),
    { rounds: 5, timeMs: 1000 },
  );
}

const pglite = new PGlite();
await pglite.waitReady;
await appendVsInsert('pglite', pglite);
await pglite.close();

const server = await startPostgres();
const pool = new pg.Pool({ connectionString: server.url, max: 4 });
await appendVsInsert('postgres', pool);
await pool.end();
await server.stop();

// 1,000,000 events as a bundle file, then verified streaming from disk.
const N = Number(process.env.AUDIT_VERIFY_EVENTS ?? 1_000_000);
const file = join(mkdtempSync(join(tmpdir(), 'armor-audit-bench-')), 'bundle.jsonl');
const out = createWriteStream(file);
const write = async (line: string) => {
  if (!out.write(`${line}\n`)) await once(out, 'drain');
};
await write(JSON.stringify({ format: 'armor-audit-bundle', version: 1, stream: 'bench', afterSeq: 0 }));
let prevHash = GENESIS_HASH;
const stored = { action: 'doc.updated', actor: { id: 'user-1', type: 'user' }, targets: [{ type: 'doc', id: 'd1' }], outcome: 'success' as const, context: {}, metadata: { field: 'title' }, schemaVersion: 1 };
for (let seq = 1; seq <= N; seq++) {
  const base = { v: 1 as const, stream: 'bench', seq, time: '2026-12-06T00:00:00.000Z', event: stored, prevHash };
  const hash = entryHash(base);
  await write(JSON.stringify({ entry: { ...base, personal: null, hash } }));
  prevHash = hash;
}
out.end();
await once(out, 'finish');

let t0 = performance.now();
const result = await verifyBundle(bundleLines(file), { publicKeys: [] });
const verifySeconds = (performance.now() - t0) / 1000;
if (!result.ok || result.entries !== N) throw new Error(`verify failed: ${JSON.stringify(result.findings.slice(0, 3))}`);
t0 = performance.now();
let floor = 0;
for await (const line of bundleLines(file)) {
  JSON.parse(line);
  sha256Hex(line);
  floor++;
}
const floorSeconds = (performance.now() - t0) / 1000;
report(`audit-verify-${N}-events-streamed-from-disk`, N / verifySeconds, 'parse-and-sha256-floor', floor / floorSeconds);
