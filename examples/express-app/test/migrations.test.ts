import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../src/db/database.js';
import { MIGRATIONS, migrate, revertRelease, splitStatements, type Migration } from '../src/db/migrations.js';
import { postgresAuditStore } from '@armor/audit/postgres';
import { AUDIT_SCHEMA_V1 } from '../src/db/audit-schema.js';

/**
 * Migrations are tracked by version, name and checksum (issue 20, item 4): a later migration
 * that reuses a number is applied, an applied migration that was edited is refused, databases
 * migrated by the number-only tracker move forward, and a failed release's migrations can be
 * reverted.
 */
describe('migrations tracked by name and checksum (PGlite)', () => {
  let db: Database;
  beforeEach(async () => {
    db = await openDatabase({ kind: 'pglite', dataDir: 'memory://' });
  });
  afterEach(async () => {
    await db.close();
  });

  const columns = async (table: string) =>
    (await db.query<{ column_name: string }>('SELECT column_name FROM information_schema.columns WHERE table_name = $1 ORDER BY column_name', [table])).map((r) => r.column_name);

  it('applies a later migration that reuses an applied number under another name', async () => {
    expect(await migrate(db, [...MIGRATIONS, { version: 10, name: 'project color', sql: 'ALTER TABLE projects ADD COLUMN color text' }])).toEqual([...MIGRATIONS.map((m) => m.version), 10]);
    // Another branch also numbered its migration 4; it must not be skipped as "already applied".
    expect(await migrate(db, [...MIGRATIONS, { version: 10, name: 'project color', sql: 'ALTER TABLE projects ADD COLUMN color text' }, { version: 10, name: 'comment edits', sql: 'ALTER TABLE comments ADD COLUMN edited_at timestamptz' }])).toEqual([10]);
    expect(await columns('comments')).toContain('edited_at');
    expect(await migrate(db, [...MIGRATIONS, { version: 10, name: 'project color', sql: 'ALTER TABLE projects ADD COLUMN color text' }, { version: 10, name: 'comment edits', sql: 'ALTER TABLE comments ADD COLUMN edited_at timestamptz' }])).toEqual([]);
  });

  it('refuses an applied migration whose SQL changed, naming it, and applies nothing', async () => {
    await migrate(db, [...MIGRATIONS, { version: 10, name: 'project color', sql: 'ALTER TABLE projects ADD COLUMN color text' }]);
    const edited: Migration[] = [
      ...MIGRATIONS,
      { version: 10, name: 'project color', sql: "ALTER TABLE projects ADD COLUMN color text DEFAULT 'red'" },
      { version: 11, name: 'later', sql: 'ALTER TABLE projects ADD COLUMN later int' },
    ];
    await expect(migrate(db, edited)).rejects.toThrow(/migration 10 "project color" was changed after it was applied \(checksum [0-9a-f]{12} applied, [0-9a-f]{12} now\)/);
    expect(await columns('projects')).not.toContain('later');
    // Whitespace around the SQL is not a change.
    expect(await migrate(db, [...MIGRATIONS, { version: 10, name: 'project color', sql: '\n  ALTER TABLE projects ADD COLUMN color text\n' }])).toEqual([]);
  });

  it('refuses a list with a duplicate version and name', async () => {
    await expect(migrate(db, [...MIGRATIONS, MIGRATIONS[0]!])).rejects.toThrow(/migration 1 "tenants, users, sessions, api keys" is listed twice/);
  });

  it('moves a database migrated by the number-only tracker forward', async () => {
    // What the previous migrate() left: version as the primary key, no checksum.
    await db.exec('CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())');
    for (const m of MIGRATIONS) {
      await db.exec(m.sql);
      await db.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
    }
    expect(await migrate(db)).toEqual([]);
    const rows = await db.query<{ checksum: string | null }>('SELECT checksum FROM schema_migrations');
    expect(rows.every((r) => typeof r.checksum === 'string' && r.checksum.length === 64)).toBe(true);
    expect(await migrate(db, [...MIGRATIONS, { version: 3, name: 'reused three', sql: 'ALTER TABLE projects ADD COLUMN three int' }])).toEqual([3]);
  });

  it("reverts a failed release's migrations (newest first) and reports those without `down`", async () => {
    const r1: Migration[] = [...MIGRATIONS];
    await migrate(db, r1, { release: 'r1' });
    const r2: Migration[] = [
      ...r1,
      { version: 10, name: 'project color', sql: 'ALTER TABLE projects ADD COLUMN color text', down: 'ALTER TABLE projects DROP COLUMN color' },
      { version: 11, name: 'color index', sql: 'CREATE INDEX projects_color_idx ON projects (color)', down: 'DROP INDEX projects_color_idx' },
    ];
    expect(await migrate(db, r2, { release: 'r2' })).toEqual([10, 11]);
    expect(await revertRelease(db, r2, 'r2')).toEqual({ reverted: [11, 10], kept: [] });
    expect(await columns('projects')).not.toContain('color');
    // The release can be fixed and deployed again: its migration is no longer "applied".
    const fixed: Migration[] = [...r1, { version: 10, name: 'project color', sql: "ALTER TABLE projects ADD COLUMN color text DEFAULT 'red'" }];
    expect(await migrate(db, fixed, { release: 'r3' })).toEqual([10]);
    // Without `down` a migration stays applied, and so do the ones before it.
    expect(await revertRelease(db, fixed, 'r3')).toEqual({ reverted: [], kept: [10] });
    expect(await columns('projects')).toContain('color');
    expect(await revertRelease(db, fixed, 'r1-never-deployed')).toEqual({ reverted: [], kept: [] });
  });
});

describe('splitStatements: quote- and dollar-quote-aware', () => {
  it('splits on `;` at line ends only outside quotes, dollar quotes and comments', () => {
    const sql = [
      "CREATE TABLE a (x text DEFAULT ';\n');",
      'CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$',
      'begin',
      '  perform 1;',
      '  return 2;',
      'end',
      '$$;',
      'CREATE FUNCTION g() RETURNS int LANGUAGE plpgsql AS $fn$',
      'begin',
      "  raise notice 'a $$ inside;';",
      '  return 3;',
      'end',
      '$fn$;',
      '-- a comment;',
      '/* a block;',
      'comment */ SELECT $1::int;',
      'SELECT "odd;',
      'name" FROM a',
    ].join('\n');
    const parts = splitStatements(sql);
    expect(parts).toHaveLength(5);
    expect(parts[0]).toBe("CREATE TABLE a (x text DEFAULT ';\n')");
    expect(parts[1]).toMatch(/^CREATE FUNCTION f\(\)[\s\S]*return 2;\nend\n\$\$$/);
    expect(parts[2]).toMatch(/^CREATE FUNCTION g\(\)[\s\S]*'a \$\$ inside;';[\s\S]*\$fn\$$/);
    expect(parts[3]).toMatch(/SELECT \$1::int$/);
    expect(parts[4]).toBe('SELECT "odd;\nname" FROM a');
  });

  it('keeps the audit schema\'s PL/pgSQL function in one statement (the old splitter cut it at its first `;`)', () => {
    const parts = splitStatements(AUDIT_SCHEMA_V1);
    const fn = parts.filter((p) => /create or replace function/i.test(p));
    expect(fn).toHaveLength(1);
    expect(fn[0]).toMatch(/\$fn\$$/);
    expect(parts.every((p) => !/^\s*(declare|begin|end|if|perform)\b/i.test(p))).toBe(true);
  });

  it('the frozen migration SQL is what @armor/audit creates today (a change needs a new migration)', () => {
    expect(AUDIT_SCHEMA_V1).toBe(postgresAuditStore({ db: { query: () => Promise.reject(new Error('unused')) } }).schemaSql);
  });

  it('migration 4 applies on PGlite and its append function works', async () => {
    const db = await openDatabase({ kind: 'pglite', dataDir: 'memory://' });
    try {
      await migrate(db);
      const rows = await db.query<{ proname: string }>("SELECT proname FROM pg_proc WHERE proname = 'armor_audit_append'");
      expect(rows).toHaveLength(1);
      expect(MIGRATIONS.find((m) => m.version === 4)?.name).toBe('tamper-evident audit log');
    } finally {
      await db.close();
    }
  });
});
