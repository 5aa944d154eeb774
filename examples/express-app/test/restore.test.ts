/**
 * scripts/restore.sh rehearsed end to end (issue 30): it refuses while the service runs —
 * PGlite's lock, a deployment's running releases, PostgreSQL connections of the service —
 * and checks the backup before it changes anything; then restores, and the service serves the
 * restored data. The PostgreSQL case runs against a real blue/green deployment (deploy.sh).
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startPostgres, type PostgresServer } from '@armor/test-utils';
import { openDatabase, type Database } from '../src/db/database.js';
import { migrate } from '../src/db/migrations.js';
import { repositories } from '../src/db/repositories.js';
import { issueKey } from '../src/keys.js';
import { appDir, readyRelease, runDeploy } from './deploy-helpers.js';

const run = (script: string, args: string[], env: Record<string, string>) =>
  new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn('bash', [join(appDir, 'scripts', script), ...args], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });

const projectNames = async (db: Database) => (await db.query<{ name: string }>('SELECT name FROM projects ORDER BY name')).map((r) => r.name);

describe('scripts/restore.sh on PGlite', () => {
  let dir: string;
  let env: Record<string, string>;
  let backup: string;
  const dataDir = () => join(env.DATA_DIR!, 'pglite');
  const listing = () => readdirSync(env.DATA_DIR!).sort();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'express-app-restore-'));
    env = { DATA_DIR: join(dir, 'data'), BACKUP_DIR: join(dir, 'backups') };
    const db = await openDatabase({ kind: 'pglite', dataDir: dataDir() });
    await migrate(db);
    const r = repositories(db);
    const tenant = await r.tenants.create('restore');
    const user = await r.users.create({ tenantId: tenant.id, email: 'r@x.test', name: 'R' });
    await r.projects.create({ tenantId: tenant.id, name: 'in the backup', createdBy: user.id });
    await db.close();
    const b = await run('backup.sh', [], env);
    expect(b.status, b.stderr).toBe(0);
    backup = b.stdout.trim();
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses while the service holds the data directory: exit 1, nothing moved, the service keeps its data', async () => {
    const live = await openDatabase({ kind: 'pglite', dataDir: dataDir() }); // the running service
    try {
      const r = repositories(live);
      const [tenant] = await live.query<{ id: string }>('SELECT id FROM tenants LIMIT 1');
      const [user] = await live.query<{ id: string }>('SELECT id FROM users LIMIT 1');
      await r.projects.create({ tenantId: tenant!.id, name: 'after the backup', createdBy: user!.id });
      const before = listing();
      const result = await run('restore.sh', [backup], env);
      expect(result.status).toBe(1);
      expect(result.stderr).toContain(`restore refused: The PGlite data directory ${dataDir()} is in use by process ${process.pid}`);
      expect(result.stderr).toContain('Nothing was changed.');
      expect(result.stderr).not.toMatch(/moved|at .*\.ts:\d+/); // no move, no stack trace
      expect(listing()).toEqual(before);
      expect(listing().some((f) => f.includes('.before-') || f.includes('.restoring-'))).toBe(false);
      // The service still writes into its own, live directory.
      await r.projects.create({ tenantId: tenant!.id, name: 'still live', createdBy: user!.id });
      expect(await projectNames(live)).toEqual(['after the backup', 'in the backup', 'still live']);
    } finally {
      await live.close();
    }
    const reopened = await openDatabase({ kind: 'pglite', dataDir: dataDir() });
    expect(await projectNames(reopened)).toEqual(['after the backup', 'in the backup', 'still live']);
    await reopened.close();
  }, 120_000);

  it('refuses a backup that does not unpack into a migrated database before touching the data', async () => {
    const before = listing();
    const broken = join(dir, 'broken.tar.gz');
    writeFileSync(broken, 'not a tarball at all');
    const result = await run('restore.sh', [broken], env);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`restore refused: ${broken} is not a usable PGlite backup`);
    expect(listing()).toEqual(before);
    const db = await openDatabase({ kind: 'pglite', dataDir: dataDir() });
    expect(await projectNames(db)).toContain('still live');
    await db.close();
  }, 120_000);

  it('with the service stopped: restores, keeps the previous data aside, and the service boots the backup', async () => {
    const result = await run('restore.sh', [backup], env);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/previous data moved to .*pglite\.before-\d{8}T\d{6}Z/);
    const aside = listing().filter((f) => f.startsWith('pglite.before-'));
    expect(aside).toHaveLength(1);
    expect(listing().some((f) => f.includes('.restoring-'))).toBe(false);
    const db = await openDatabase({ kind: 'pglite', dataDir: dataDir() });
    expect(await projectNames(db)).toEqual(['in the backup']);
    await db.close();
    const previous = await openDatabase({ kind: 'pglite', dataDir: join(env.DATA_DIR!, aside[0]!) });
    expect(await projectNames(previous)).toContain('still live');
    await previous.close();
  }, 120_000);
});

/** One request from a loopback source address (another client for real). */
function from(address: string, port: number, path: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, localAddress: address, agent: false, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('scripts/restore.sh into a running blue/green deployment (PostgreSQL)', () => {
  const adminKey = 'admin-key-for-the-restore-test-0123456789abcdef';
  let server: PostgresServer;
  let root: string;
  let env: Record<string, string>;
  let port: number;
  const deploy = (args: string[] = []) => runDeploy(env, args);

  beforeAll(async () => {
    server = await startPostgres();
    root = mkdtempSync(join(tmpdir(), 'express-app-restore-deploy-'));
    port = await freePort();
    const { DATA_DIR: _default, ...inherited } = process.env as Record<string, string>;
    env = { ...inherited, DEPLOY_ROOT: root, PORT: String(port), BLUE_PORT: String(await freePort()), GREEN_PORT: String(await freePort()), GATE_TIMEOUT: '60s', BACKUP_DIR: join(root, 'backups') };
    mkdirSync(join(root, 'shared'), { recursive: true });
    writeFileSync(join(root, 'shared/env'), `DATABASE_URL=${server.url}\nSHUTDOWN_DELAY_MS=0\nNODE_ENV=development\nADMIN_API_KEY=${adminKey}\n`);
  }, 120_000);
  afterAll(async () => {
    if (root) await deploy(['--stop']);
    await server?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  const api = (path: string, init: RequestInit = {}) =>
    fetch(`http://127.0.0.1:${port}${path}`, { ...init, headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json', ...init.headers } });
  const create = async (name: string) => ((await (await api('/api/v1/projects', { method: 'POST', body: JSON.stringify({ name }) })).json()) as { id: string }).id;

  it('backup online, refused while the pair runs (nothing changed), then stop, restore, start: the backup is served', async () => {
    const first = await deploy();
    expect(first.status, first.stderr).toBe(0);
    expect((await readyRelease(`http://127.0.0.1:${port}`)).status).toBe(200);
    const kept = await create('in the backup');
    const backup = await run('backup.sh', [], env);
    expect(backup.status, backup.stderr).toBe(0);
    const dump = backup.stdout.trim();
    expect(dump).toMatch(/\.dump$/);
    const later = await create('after the backup');

    // The deployment runs: refused, by its pid files ...
    const refused = await run('restore.sh', [dump], env);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/restore refused: \S+ is running \(pid \d+\); stop the service first: DEPLOY_ROOT=.* scripts\/deploy\.sh --stop; nothing was changed/);
    // ... and, seen from another host (no DEPLOY_ROOT), by the service's open connections.
    const elsewhere = await run('restore.sh', [dump], { DATABASE_URL: server.url });
    expect(elsewhere.status).toBe(1);
    expect(elsewhere.stderr).toMatch(/restore refused: the service is connected to the database \(\d+ connections with application_name=express-app\); stop it first; nothing was changed/);
    expect((await api(`/api/v1/projects/${later}`)).status).toBe(200);

    // The documented front set-up: front.mjs is the one trusted hop; forged X-Forwarded-For
    // headers change nothing, so 30 bad keys from one client limit that client only.
    const statuses: number[] = [];
    for (let i = 0; i < 35; i++) {
      const { key } = await issueKey();
      statuses.push(await from('127.0.0.2', port, '/api/v1/projects/00000000-0000-4000-8000-000000000000', { authorization: `Bearer ${key}`, 'x-forwarded-for': `198.51.100.${i}` }));
    }
    expect(statuses).toEqual([...Array<number>(30).fill(401), ...Array<number>(5).fill(429)]);
    expect(await from('127.0.0.3', port, `/api/v1/projects/${kept}`, { authorization: `Bearer ${adminKey}` })).toBe(200);

    const stopped = await deploy(['--stop']);
    expect(stopped.status, stopped.stderr).toBe(0);
    const restored = await run('restore.sh', [dump], env);
    expect(restored.status, restored.stderr).toBe(0);
    const started = await deploy(['--start']);
    expect(started.status, started.stderr).toBe(0);
    expect((await api(`/api/v1/projects/${kept}`)).status).toBe(200);
    expect((await api(`/api/v1/projects/${later}`)).status).toBe(404);
  }, 300_000);
});
