import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PostgresServer } from '@armor/test-utils';
import { openDatabase, type Database } from '../src/db/database.js';
import { migrate, MIGRATIONS } from '../src/db/migrations.js';

describe.each(['pglite', 'postgres'] as const)('migrations and indexes (%s)', (kind) => {
  let db: Database;
  let pg: PostgresServer | undefined;
  let projectId: string;
  let userId: string;

  beforeAll(async () => {
    if (kind === 'postgres') pg = await startPostgres();
    db = await openDatabase(pg ? { kind: 'postgres', url: pg.url } : { kind: 'pglite', dataDir: 'memory://' });
    expect(await migrate(db)).toEqual(MIGRATIONS.map((m) => m.version));
    // Realistic volume so the planner prefers indexes on its own (no enable_seqscan tricks).
    await db.exec(`
      INSERT INTO tenants (name) SELECT 'tenant ' || g FROM generate_series(1, 20) g;
      INSERT INTO users (tenant_id, email, name) SELECT t.id, 'u' || g || '-' || t.id || '@x.test', 'user ' || g FROM tenants t, generate_series(1, 100) g;
      INSERT INTO projects (tenant_id, name) SELECT t.id, 'project ' || g FROM tenants t, generate_series(1, 25) g;
      INSERT INTO comments (project_id, author_id, html, created_at)
        SELECT p.id, (SELECT id FROM users u WHERE u.tenant_id = p.tenant_id LIMIT 1), 'comment ' || g, now() - (g || ' seconds')::interval
        FROM projects p, generate_series(1, 40) g;
      INSERT INTO api_keys (user_id, name, lookup, hash) SELECT id, 'k', md5(id::text), md5(email) FROM users;
      ANALYZE;
    `);
    const [row] = await db.query<{ project_id: string; author_id: string }>('SELECT project_id, author_id FROM comments LIMIT 1');
    projectId = row!.project_id;
    userId = row!.author_id;
  });
  afterAll(async () => {
    await db?.close();
    await pg?.stop();
  });

  it('is idempotent: a second run applies nothing', async () => {
    expect(await migrate(db)).toEqual([]);
  });

  const plan = async (sql: string, params: unknown[]) =>
    (await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`, params)).map((r) => r['QUERY PLAN']).join('\n');

  it('lists a project’s comments through comments_project_created_idx', async () => {
    const first = await plan('SELECT id FROM comments WHERE project_id = $1 ORDER BY created_at DESC, id DESC LIMIT 21', [projectId]);
    expect(first).toMatch(/Index.*comments_project_created_idx/);
    expect(first).not.toMatch(/Sort/);
    const next = await plan(
      'SELECT id FROM comments WHERE project_id = $1 AND (created_at, id) < ($2::timestamptz, $3::uuid) ORDER BY created_at DESC, id DESC LIMIT 21',
      [projectId, new Date().toISOString(), '00000000-0000-4000-8000-000000000000'],
    );
    expect(next).toMatch(/Index.*comments_project_created_idx/);
  });

  it('looks up users in one batch by primary key, and API keys by lookup', async () => {
    expect(await plan('SELECT id FROM users WHERE id = ANY($1::uuid[])', [[userId]])).toMatch(/Index.*users_pkey/);
    expect(await plan('SELECT id FROM api_keys WHERE lookup = $1', ['abc'])).toMatch(/Index.*api_keys_lookup_key/);
    expect(await plan('SELECT id FROM users WHERE lower(email) = lower($1)', ['a@b.c'])).toMatch(/Index.*users_email_key/);
  });

  it('reads a comment by id within a tenant by primary keys', async () => {
    const text = await plan('SELECT c.id FROM comments c JOIN projects p ON p.id = c.project_id WHERE c.id = $1 AND p.tenant_id = $2', [
      '00000000-0000-4000-8000-000000000000',
      '00000000-0000-4000-8000-000000000000',
    ]);
    expect(text).toMatch(/comments_pkey/);
    expect(text).not.toMatch(/Seq Scan on comments/);
  });
});
