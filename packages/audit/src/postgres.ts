/**
 * The PostgreSQL audit store, for node-postgres (`pg.Pool`, `pg.Client`) and PGlite: anything
 * with `query(text, params) → { rows }`.
 *
 * Each append is ONE statement: a PL/pgSQL function that takes a per-stream advisory lock
 * (`pg_advisory_xact_lock`), checks the idempotency key, reads the head and inserts the entry
 * with its SHA-256 computed in the database from the same envelope parts the JavaScript
 * verifier uses. So concurrent writers in any number of processes form one gapless chain, an
 * append costs one round trip, and inside the caller's transaction (`tx`) it commits or rolls
 * back with it. The lock is held to the end of the transaction; keep transactions that append
 * short. Caller transactions must be READ COMMITTED (PostgreSQL's default): under REPEATABLE
 * READ or SERIALIZABLE the function refuses with a clear error rather than fork the chain.
 *
 * @module
 */
import { ConfigurationError, DatabaseError } from '@armor/errors';
import type { Checkpoint } from './checkpoint.js';
import { envelopeParts, type AuditEntry, type PersonalData, type StoredEvent } from './entry.js';
import type { AppendDraft, AppendResult, AuditStore, ChainHead } from './store.js';

/** What the store needs of a database client: node-postgres' and PGlite's `query`. */
export interface SqlClient {
  query(text: string, params?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
}

/** Options of {@link postgresAuditStore}. */
export interface PostgresAuditStoreOptions {
  /** A `pg.Pool`, `pg.Client` or PGlite instance. */
  db: SqlClient;
  /** Prefix of the two tables and the function (`<table>_entries`, `<table>_checkpoints`, `<table>_append`). @default 'armor_audit' */
  table?: string;
}

/** A PostgreSQL {@link AuditStore} with {@link PostgresAuditStore.migrate}. */
export interface PostgresAuditStore extends AuditStore {
  /** Creates the tables, indexes and append function if missing (idempotent). Run once at startup or in a migration. */
  migrate(): Promise<void>;
  /** The DDL `migrate()` runs, for migration tools. */
  readonly schemaSql: string;
}

function schema(t: string): string {
  return `
create table if not exists ${t}_entries (
  stream text not null,
  seq bigint not null,
  time text not null,
  event text not null,
  prev_hash text not null,
  hash text not null,
  subject text not null,
  personal text,
  idempotency_key text,
  primary key (stream, seq)
);
create unique index if not exists ${t}_entries_idempotency on ${t}_entries (stream, idempotency_key) where idempotency_key is not null;
create index if not exists ${t}_entries_subject on ${t}_entries (subject) where personal is not null;
create table if not exists ${t}_checkpoints (
  id text primary key,
  stream text not null,
  seq bigint not null,
  body text not null
);
create index if not exists ${t}_checkpoints_stream on ${t}_checkpoints (stream, seq);
create or replace function ${t}_append(p_stream text, p_time text, p_event text, p_a text, p_b text, p_c text, p_subject text, p_personal text, p_key text)
returns table(o_seq bigint, o_prev text, o_hash text, o_duplicate boolean, o_time text, o_event text, o_personal text)
language plpgsql volatile as $fn$
declare
  h_seq bigint;
  h_hash text;
  n bigint;
  new_hash text;
begin
  if current_setting('transaction_isolation') <> 'read committed' then
    raise exception 'armor audit: append needs a READ COMMITTED transaction (got %)', current_setting('transaction_isolation');
  end if;
  perform pg_advisory_xact_lock(hashtextextended('${t}:' || p_stream, 0));
  if p_key is not null then
    return query select e.seq, e.prev_hash, e.hash, true, e.time, e.event, e.personal
      from ${t}_entries e where e.stream = p_stream and e.idempotency_key = p_key;
    if found then return; end if;
  end if;
  select e.seq, e.hash into h_seq, h_hash from ${t}_entries e where e.stream = p_stream order by e.seq desc limit 1;
  if h_seq is null then
    h_seq := 0;
    h_hash := repeat('0', 64);
  end if;
  n := h_seq + 1;
  new_hash := encode(sha256(convert_to(p_a || h_hash || p_b || n::text || p_c, 'UTF8')), 'hex');
  insert into ${t}_entries (stream, seq, time, event, prev_hash, hash, subject, personal, idempotency_key)
    values (p_stream, n, p_time, p_event, h_hash, new_hash, p_subject, p_personal, p_key);
  return query select n, h_hash, new_hash, false, p_time, p_event, p_personal;
end
$fn$;
`;
}

const TABLE = /^[a-z_][a-z0-9_]{0,40}$/;

function toEntry(stream: string, row: { seq: unknown; prev: unknown; hash: unknown; time: unknown; event: unknown; personal: unknown }): AuditEntry {
  return {
    v: 1,
    stream,
    seq: Number(row.seq),
    time: String(row.time),
    event: JSON.parse(String(row.event)) as StoredEvent,
    personal: row.personal === null || row.personal === undefined ? null : (JSON.parse(String(row.personal)) as PersonalData),
    prevHash: String(row.prev),
    hash: String(row.hash),
  };
}

/**
 * A PostgreSQL {@link AuditStore}. Pass `tx` to `append` (a `pg` client inside `BEGIN`, or a
 * PGlite transaction) to commit the entry with your own writes.
 *
 * @example
 * ```ts
 * import pg from 'pg';
 * import { postgresAuditStore } from '@armor/audit/postgres';
 * const store = postgresAuditStore({ db: new pg.Pool({ connectionString: process.env.DATABASE_URL }) });
 * await store.migrate();
 * ```
 */
export function postgresAuditStore(options: PostgresAuditStoreOptions): PostgresAuditStore {
  if (!options || typeof options.db?.query !== 'function') throw new ConfigurationError('db', 'must have query(text, params) (a pg.Pool, pg.Client or PGlite)');
  const t = options.table ?? 'armor_audit';
  if (!TABLE.test(t)) throw new ConfigurationError('table', 'must match /^[a-z_][a-z0-9_]{0,40}$/', { received: t });
  const db = options.db;
  const schemaSql = schema(t);
  const appendSql = `select * from ${t}_append($1, $2, $3, $4, $5, $6, $7, $8, $9)`;

  return {
    schemaSql,
    async migrate() {
      // PGlite's query() takes one statement; its exec() runs a script. node-postgres' query()
      // without parameters runs a script.
      const exec = (db as { exec?: unknown }).exec;
      if (typeof exec === 'function') await (exec as (sql: string) => Promise<unknown>).call(db, schemaSql);
      else await db.query(schemaSql);
    },
    async append(draft: AppendDraft, tx?: unknown): Promise<AppendResult> {
      const client = tx === undefined ? db : (tx as SqlClient);
      if (typeof client?.query !== 'function') throw new ConfigurationError('tx', 'must be a client or transaction with query()');
      const [a, b, c] = envelopeParts(draft.stream, draft.time, draft.eventJcs);
      const { rows } = await client.query(appendSql, [
        draft.stream,
        draft.time,
        draft.eventJcs,
        a,
        b,
        c,
        draft.subject,
        draft.personal === null ? null : JSON.stringify(draft.personal),
        draft.idempotencyKey ?? null,
      ]).catch((error: unknown) => {
        // 42883: undefined function, 42P01: undefined table.
        const code = (error as { code?: unknown } | null)?.code;
        if (code === '42883' || code === '42P01') {
          throw new DatabaseError(`The audit tables "${t}_*" do not exist: call store.migrate() once (or run store.schemaSql in a migration)`, { cause: error });
        }
        throw error;
      });
      const row = rows[0]!;
      return {
        entry: toEntry(draft.stream, { seq: row.o_seq, prev: row.o_prev, hash: row.o_hash, time: row.o_time, event: row.o_event, personal: row.o_personal }),
        duplicate: row.o_duplicate === true,
      };
    },
    async head(stream): Promise<ChainHead | null> {
      const { rows } = await db.query(`select seq, hash from ${t}_entries where stream = $1 order by seq desc limit 1`, [stream]);
      const row = rows[0];
      return row ? { seq: Number(row.seq), hash: String(row.hash) } : null;
    },
    async read(stream, afterSeq, limit) {
      const { rows } = await db.query(
        `select seq, prev_hash as prev, hash, time, event, personal from ${t}_entries where stream = $1 and seq > $2 order by seq limit $3`,
        [stream, afterSeq, limit],
      );
      return rows.map((row) => toEntry(stream, row as Parameters<typeof toEntry>[1]));
    },
    async addCheckpoint(cp) {
      await db.query(`insert into ${t}_checkpoints (id, stream, seq, body) values ($1, $2, $3, $4) on conflict (id) do nothing`, [cp.id, cp.stream, cp.seq, JSON.stringify(cp)]);
    },
    async checkpoints(stream) {
      const { rows } = await db.query(`select body from ${t}_checkpoints where stream = $1 order by seq`, [stream]);
      return rows.map((row) => JSON.parse(String(row.body)) as Checkpoint);
    },
    async erase(subject) {
      const { rows } = await db.query(`with u as (update ${t}_entries set personal = null where subject = $1 and personal is not null returning 1) select count(*) as n from u`, [subject]);
      return Number(rows[0]?.n ?? 0);
    },
    async prune(stream, throughSeq) {
      const { rows } = await db.query(`with d as (delete from ${t}_entries where stream = $1 and seq <= $2 returning 1) select count(*) as n from d`, [stream, throughSeq]);
      return Number(rows[0]?.n ?? 0);
    },
    async streams() {
      const { rows } = await db.query(`select distinct stream from ${t}_entries order by stream`);
      return rows.map((row) => String(row.stream));
    },
  };
}
