import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PostgresServer } from '@armor/test-utils';
import { openDatabase, type Database } from '../src/db/database.js';
import { migrate } from '../src/db/migrations.js';
import { repositories } from '../src/db/repositories.js';

const appDir = fileURLToPath(new URL('..', import.meta.url));

const run = (script: string, args: string[], env: Record<string, string>) =>
  new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn('bash', [join(appDir, 'scripts', script), ...args], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });

async function snapshot(db: Database) {
  return {
    projects: await db.query('SELECT id, tenant_id, name, created_at FROM projects ORDER BY id'),
    comments: await db.query('SELECT id, project_id, author_id, html, created_at FROM comments ORDER BY id'),
    audit: await db.query('SELECT stream, seq, event, hash FROM armor_audit_entries ORDER BY stream, seq'),
    migrations: await db.query('SELECT version FROM schema_migrations ORDER BY version'),
  };
}

async function seed(db: Database) {
  await migrate(db);
  const r = repositories(db);
  const tenant = await r.tenants.create('backup tenant');
  const user = await r.users.create({ tenantId: tenant.id, email: `b-${Date.now()}@x.test`, name: 'B' });
  for (let p = 0; p < 3; p++) {
    const project = await r.projects.create({ tenantId: tenant.id, name: `project ${p} ✓ ünïcode`, createdBy: user.id });
    for (let c = 0; c < 5; c++) await r.comments.create({ projectId: project.id, authorId: user.id, html: `<p>comment ${c} of ${p}</p>` });
    await db.transaction((tx) => repositories(tx).audit.record({ tenantId: tenant.id, action: 'project.create', entity: 'project', entityId: project.id, ip: '203.0.113.0' }));
  }
}

describe('scripts/backup.sh and restore.sh', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'express-app-backup-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('PGlite: refuses to back up a directory a running service holds (exit 1, no file)', async () => {
    const env = { DATA_DIR: join(dir, 'live'), BACKUP_DIR: join(dir, 'live-backups') };
    const db = await openDatabase({ kind: 'pglite', dataDir: join(env.DATA_DIR, 'pglite') });
    try {
      const result = await run('backup.sh', [], env);
      expect(result.status).toBe(1);
      expect(result.stderr).toContain(`backup refused: The PGlite data directory ${join(env.DATA_DIR, 'pglite')} is in use by process ${process.pid}`);
      expect(readdirSync(env.BACKUP_DIR)).toEqual([]);
    } finally {
      await db.close();
    }
  }, 300_000);

  it('PGlite: backup, wipe, restore gives the same data; keeps the last N', async () => {
    const env = { DATA_DIR: join(dir, 'data'), BACKUP_DIR: join(dir, 'pglite-backups'), KEEP_BACKUPS: '2' };
    let db = await openDatabase({ kind: 'pglite', dataDir: join(env.DATA_DIR, 'pglite') });
    await seed(db);
    const before = await snapshot(db);
    await db.close();

    const backups = [];
    for (let i = 0; i < 3; i++) {
      const b = await run('backup.sh', [], env);
      expect(b.status, b.stderr).toBe(0);
      backups.push(b.stdout.trim());
    }
    expect(readdirSync(env.BACKUP_DIR).sort()).toEqual(backups.slice(1).map((f) => f.split('/').pop()).sort());

    rmSync(join(env.DATA_DIR, 'pglite'), { recursive: true, force: true }); // wipe
    const restored = await run('restore.sh', [backups[2]!], env);
    expect(restored.status, restored.stderr).toBe(0);
    db = await openDatabase({ kind: 'pglite', dataDir: join(env.DATA_DIR, 'pglite') });
    expect(await snapshot(db)).toEqual(before);
    expect(before.comments).toHaveLength(15);
    await db.close();
  }, 180_000);

  describe('PostgreSQL', () => {
    let pg: PostgresServer;
    beforeAll(async () => {
      pg = await startPostgres();
    });
    afterAll(() => pg?.stop());

    it('backup (pg_dump), wipe, restore (pg_restore) gives the same data', async () => {
      const env = { DATABASE_URL: pg.url, BACKUP_DIR: join(dir, 'pg-backups') };
      let db = await openDatabase({ kind: 'postgres', url: pg.url });
      await seed(db);
      const before = await snapshot(db);
      const b = await run('backup.sh', [], env);
      expect(b.status, b.stderr).toBe(0);
      expect(b.stdout.trim()).toMatch(/express-app-\d{8}T\d+Z\.dump$/);

      await db.exec('DROP SCHEMA public CASCADE; CREATE SCHEMA public;'); // wipe
      expect(await db.query("SELECT to_regclass('public.comments') AS t")).toEqual([{ t: null }]);
      await db.close();

      const restored = await run('restore.sh', [b.stdout.trim()], env);
      expect(restored.status, restored.stderr).toBe(0);
      db = await openDatabase({ kind: 'postgres', url: pg.url });
      expect(await snapshot(db)).toEqual(before);
      await db.close();
    }, 120_000);
  });
});
