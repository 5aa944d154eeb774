/**
 * Migrations, tracked in `schema_migrations` by version, name and checksum (SHA-256 of the
 * trimmed SQL). A migration is "applied" when a row with its version AND name exists, so a
 * later migration that reuses a number (two branches both adding "4") is applied, not skipped.
 * An applied migration whose SQL changed is refused ({@link MigrationError}): add a new
 * migration instead of editing one. Each row also records the release that applied it
 * (`RELEASE`), so a failed deploy can revert what its release applied ({@link revertRelease},
 * for migrations that carry `down` SQL). The indexes match the queries in `repositories.ts`
 * (see `test/explain.test.ts`, which checks the planner uses them).
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { DatabaseError } from '@armor/errors';
import { AUDIT_SCHEMA_V1 } from './audit-schema.js';
import type { Database, Queryable } from './database.js';

/** One schema change. */
export interface Migration {
  /** Orders migrations (then `name`); may be reused by a later migration with another name. */
  version: number;
  /** With `version`, identifies the migration; never rename an applied one. */
  name: string;
  /** Statements separated by `;` at line ends; never edit once applied (its checksum is recorded). */
  sql: string;
  /** Undoes `sql`; lets a failed release's deploy revert it ({@link revertRelease}). */
  down?: string;
}

/** A migration list or a database that cannot be migrated as asked (duplicate, edited migration). */
export class MigrationError extends DatabaseError {}

/** SHA-256 (hex) of the migration's trimmed SQL: what "changed after it was applied" compares. */
export function checksum(migration: Pick<Migration, 'sql'>): string {
  return createHash('sha256').update(migration.sql.trim()).digest('hex');
}

const label = (m: Pick<Migration, 'version' | 'name'>) => `migration ${m.version} "${m.name}"`;
const key = (m: Pick<Migration, 'version' | 'name'>) => `${m.version}\u0000${m.name}`;

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'tenants, users, sessions, api keys',
    sql: `
      CREATE TABLE tenants (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        email text NOT NULL,
        name text NOT NULL,
        password_hash text,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE UNIQUE INDEX users_email_key ON users (lower(email));
      CREATE INDEX users_tenant_idx ON users (tenant_id);
      CREATE TABLE sessions (
        id_hash text PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL
      );
      CREATE INDEX sessions_user_idx ON sessions (user_id);
      CREATE INDEX sessions_expires_idx ON sessions (expires_at);
      CREATE TABLE api_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        name text NOT NULL,
        lookup text NOT NULL,
        hash text NOT NULL,
        scopes text[] NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz,
        revoked_at timestamptz,
        last_used_at timestamptz
      );
      CREATE UNIQUE INDEX api_keys_lookup_key ON api_keys (lookup);
      CREATE INDEX api_keys_user_idx ON api_keys (user_id);
    `,
  },
  {
    version: 2,
    name: 'projects and comments',
    sql: `
      CREATE TABLE projects (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        name text NOT NULL,
        created_by uuid REFERENCES users(id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX projects_tenant_created_idx ON projects (tenant_id, created_at DESC, id DESC);
      CREATE TABLE comments (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        project_id uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        author_id uuid NOT NULL REFERENCES users(id),
        html text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      -- keyset pagination: WHERE project_id = $1 AND (created_at, id) < ($2, $3) ORDER BY created_at DESC, id DESC
      CREATE INDEX comments_project_created_idx ON comments (project_id, created_at DESC, id DESC);
      CREATE INDEX comments_author_idx ON comments (author_id);
    `,
  },
  {
    version: 3,
    name: 'audit log',
    sql: `
      CREATE TABLE audit_log (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT now(),
        tenant_id uuid,
        actor_user_id uuid,
        actor_key_id uuid,
        action text NOT NULL,
        entity text NOT NULL,
        entity_id text,
        ip text,
        details jsonb NOT NULL DEFAULT '{}'
      );
      CREATE INDEX audit_log_entity_idx ON audit_log (entity, entity_id, at DESC);
      CREATE INDEX audit_log_tenant_at_idx ON audit_log (tenant_id, at DESC);
    `,
  },
  {
    // `@armor/audit`'s tables and append function (a PL/pgSQL body: see splitStatements). From
    // here on every audit entry goes to `armor_audit_entries`; `audit_log` (migration 3) is
    // kept, read-only, for the history written before this migration.
    version: 4,
    name: 'tamper-evident audit log',
    sql: AUDIT_SCHEMA_V1,
  },
];

/** Options of {@link migrate}. */
export interface MigrateOptions {
  /** Recorded as `applied_by` on each migration applied (the `RELEASE` being deployed). @default 'dev' */
  release?: string;
}

/**
 * Creates `schema_migrations`, or brings the number-only table of earlier versions forward
 * (adds `checksum` and `applied_by`, keys rows by version and name, records the checksums of
 * rows that have none from the migrations given).
 */
async function prepare(tx: Queryable, migrations: readonly Migration[]): Promise<void> {
  await tx.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version integer NOT NULL,
    name text NOT NULL,
    checksum text,
    applied_by text,
    applied_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (version, name)
  )`);
  const columns = new Set((await tx.query<{ column_name: string }>("SELECT column_name FROM information_schema.columns WHERE table_name = 'schema_migrations' AND table_schema = current_schema()")).map((r) => r.column_name));
  if (columns.has('checksum')) return;
  await tx.query('ALTER TABLE schema_migrations ADD COLUMN checksum text, ADD COLUMN applied_by text');
  await tx.query('ALTER TABLE schema_migrations DROP CONSTRAINT IF EXISTS schema_migrations_pkey');
  await tx.query('ALTER TABLE schema_migrations ADD PRIMARY KEY (version, name)');
  for (const m of migrations) await tx.query('UPDATE schema_migrations SET checksum = $3 WHERE version = $1 AND name = $2 AND checksum IS NULL', [m.version, m.name, checksum(m)]);
}

function sorted(migrations: readonly Migration[]): Migration[] {
  const seen = new Set<string>();
  for (const m of migrations) {
    if (seen.has(key(m))) throw new MigrationError(`${label(m)} is listed twice; give one of them another version or name`);
    seen.add(key(m));
  }
  return [...migrations].sort((a, b) => a.version - b.version || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * Applies every migration not yet recorded (by version and name), in order, in one transaction
 * under an advisory lock (safe to run concurrently on PostgreSQL): all or nothing. Refuses,
 * before applying anything, an applied migration whose SQL changed. Returns the versions applied.
 */
export async function migrate(db: Database, migrations: readonly Migration[] = MIGRATIONS, options: MigrateOptions = {}): Promise<number[]> {
  const list = sorted(migrations);
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(727274)');
    await prepare(tx, list);
    const rows = await tx.query<{ version: number; name: string; checksum: string | null }>('SELECT version, name, checksum FROM schema_migrations');
    const done = new Map(rows.map((r) => [key(r), r.checksum]));
    for (const m of list) {
      const recorded = done.get(key(m));
      if (recorded && recorded !== checksum(m)) {
        throw new MigrationError(
          `${label(m)} was changed after it was applied (checksum ${recorded.slice(0, 12)} applied, ${checksum(m).slice(0, 12)} now): ` +
            'restore its original SQL and add a new migration for the change',
        );
      }
    }
    const applied: number[] = [];
    for (const m of list) {
      if (done.has(key(m))) continue;
      for (const statement of splitStatements(m.sql)) await tx.query(statement);
      await tx.query('INSERT INTO schema_migrations (version, name, checksum, applied_by) VALUES ($1, $2, $3, $4)', [m.version, m.name, checksum(m), options.release ?? 'dev']);
      applied.push(m.version);
    }
    return applied;
  });
}

/** What {@link revertRelease} did: versions reverted (newest first) and versions left applied. */
export interface RevertResult {
  reverted: number[];
  kept: number[];
}

/**
 * Reverts the migrations `release` applied (a deploy whose release failed its health gate),
 * newest first, in one transaction, by running their `down` SQL. It stops at the first one
 * without `down` (or not in `migrations`): that one and every older one stay applied and are
 * returned in `kept`, so the previous release must be compatible with them.
 */
export async function revertRelease(db: Database, migrations: readonly Migration[], release: string): Promise<RevertResult> {
  const byKey = new Map(sorted(migrations).map((m) => [key(m), m]));
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(727274)');
    await prepare(tx, migrations);
    const rows = await tx.query<{ version: number; name: string }>('SELECT version, name FROM schema_migrations WHERE applied_by = $1 ORDER BY version DESC, name DESC', [release]);
    const result: RevertResult = { reverted: [], kept: [] };
    for (const row of rows) {
      const m = byKey.get(key(row));
      if (result.kept.length > 0 || !m?.down) {
        result.kept.push(row.version);
        continue;
      }
      for (const statement of splitStatements(m.down)) await tx.query(statement);
      await tx.query('DELETE FROM schema_migrations WHERE version = $1 AND name = $2', [row.version, row.name]);
      result.reverted.push(row.version);
    }
    result.kept.reverse();
    return result;
  });
}

/**
 * Splits a migration into statements on `;` at line ends, outside quotes: `'…'`, `"…"`,
 * dollar quotes (`$$ … $$`, `$fn$ … $fn$`: function bodies, whose own `;` must stay inside)
 * and comments (`-- …`, `/* … *\/`). Comment-only statements are dropped.
 */
export function splitStatements(sql: string): string[] {
  const statements: string[] = [];
  let start = 0;
  let i = 0;
  const n = sql.length;
  const push = (end: number) => {
    const text = sql.slice(start, end).replace(/^\s*--.*$/gm, '').trim();
    if (text) statements.push(text);
  };
  while (i < n) {
    const c = sql[i]!;
    if (c === '-' && sql[i + 1] === '-') {
      const eol = sql.indexOf('\n', i);
      i = eol === -1 ? n : eol;
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end === -1 ? n : end + 2;
    } else if (c === "'" || c === '"') {
      // A doubled quote inside is an escaped quote: the loop simply re-enters the literal.
      const end = sql.indexOf(c, i + 1);
      i = end === -1 ? n : end + 1;
    } else if (c === '$') {
      const tag = /^\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i, i + 66));
      if (tag && !/[A-Za-z0-9_]/.test(sql[i - 1] ?? '')) {
        const end = sql.indexOf(tag[0], i + tag[0].length);
        i = end === -1 ? n : end + tag[0].length;
      } else {
        i++;
      }
    } else if (c === ';' && /^[ \t\r]*(?:\n|$)/.test(sql.slice(i + 1, i + 200))) {
      push(i);
      start = ++i;
    } else {
      i++;
    }
  }
  push(n);
  return statements;
}
