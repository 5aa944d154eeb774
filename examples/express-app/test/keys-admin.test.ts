/**
 * Key revocation and rotation while the service runs (issue 30): the `/admin/keys` routes,
 * the `keys:revoke` / `keys:rotate` commands (through the running service, or the database
 * when none runs), and how soon a change reaches every instance (one key-cache TTL).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createService } from '../src/app.js';
import { appDir } from './deploy-helpers.js';
import { call, newTenant, start, type Running } from './harness.js';

const ADMIN = 'admin-key-for-the-keys-admin-test-0123456789';
const probe = (r: { base: string }, key: string) => call(r.base, 'GET', '/api/v1/projects/00000000-0000-4000-8000-000000000000', { key });

describe('/admin/keys: revoke and rotate through the running service', () => {
  let r: Running;
  beforeAll(async () => {
    r = await start('pglite', { env: { ADMIN_API_KEY: ADMIN } });
  });
  afterAll(() => r?.stop());

  it('needs a key with the admin scope', async () => {
    expect((await call(r.base, 'POST', '/admin/keys/revoke', { body: { key: r.key } })).status).toBe(401);
    expect((await call(r.base, 'POST', '/admin/keys/revoke', { key: r.key, body: { key: r.key } })).status).toBe(403);
    expect((await probe(r, r.key)).status).toBe(404); // still valid
  });

  it('revoke: the key is refused from the next request on (its cache entry is evicted); audited; idempotent', async () => {
    const { key } = await newTenant(r.service, 'revoke-me');
    expect((await probe(r, key)).status).toBe(404); // authenticated (and now cached)
    const res = await call(r.base, 'POST', '/admin/keys/revoke', { key: ADMIN, body: { key } });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ lookup: key.split('_')[2]!.slice(0, 12), revokedAt: expect.any(String) as string });
    expect(JSON.stringify(res.json)).not.toContain(key);
    const refused = await probe(r, key);
    expect(refused.status).toBe(401);
    expect(refused.json.code).toBe('API_KEY_REVOKED');
    const again = await call(r.base, 'POST', '/admin/keys/revoke', { key: ADMIN, body: { key: res.json.id as string } });
    expect(again.json.revokedAt).toBe(res.json.revokedAt);
    const audit = await r.service.repos.audit.list({ entity: 'api_key', entityId: res.json.id as string });
    expect(audit.map((a) => a.action)).toContain('api_key.revoke');
  });

  it('rotate: the successor works with the same scopes; the old key stops now, or after the overlap', async () => {
    const { key } = await newTenant(r.service, 'rotate-me', ['projects:read']);
    expect((await probe(r, key)).status).toBe(404);
    const res = await call(r.base, 'POST', '/admin/keys/rotate', { key: ADMIN, body: { key } });
    expect(res.status).toBe(200);
    const next = res.json.rotated.key as string;
    expect(next).toMatch(/^xapp_live_/);
    expect((await probe(r, next)).status).toBe(404);
    expect((await call(r.base, 'POST', '/api/v1/projects', { key: next, body: { name: 'x' } })).status).toBe(403); // same scopes
    expect((await probe(r, key)).status).toBe(401);

    // With an overlap, by public id: both work for now.
    const lookup = next.split('_')[2]!.slice(0, 12);
    const overlapped = await call(r.base, 'POST', '/admin/keys/rotate', { key: ADMIN, body: { key: lookup, overlapSeconds: 3600 } });
    expect(overlapped.status).toBe(200);
    expect(Date.parse(overlapped.json.rotated.previousExpiresAt as string)).toBeGreaterThan(Date.now() + 3500_000);
    expect((await probe(r, next)).status).toBe(404);
    expect((await probe(r, overlapped.json.rotated.key as string)).status).toBe(404);
  });

  it('refuses unknown keys (404), rotating a revoked key (409) and bad input (400)', async () => {
    expect((await call(r.base, 'POST', '/admin/keys/revoke', { key: ADMIN, body: { key: 'nope' } })).status).toBe(404);
    const { key } = await newTenant(r.service, 'revoked-then-rotated');
    await call(r.base, 'POST', '/admin/keys/revoke', { key: ADMIN, body: { key } });
    expect((await call(r.base, 'POST', '/admin/keys/rotate', { key: ADMIN, body: { key } })).status).toBe(409);
    expect((await call(r.base, 'POST', '/admin/keys/rotate', { key: ADMIN, body: { key, overlapSeconds: -1 } })).status).toBe(400);
    expect((await call(r.base, 'POST', '/admin/keys/revoke', { key: ADMIN, body: { key, extra: 1 } })).status).toBe(400);
  });
});

describe('another instance stops accepting a revoked key within one key-cache TTL', () => {
  it('two instances on one PostgreSQL: at once where revoked, within keyCacheTtlMs on the other', async () => {
    const TTL = 1500;
    const a = await start('postgres+redis', { env: { ADMIN_API_KEY: ADMIN }, tweak: (c) => (c.keyCacheTtlMs = TTL) });
    const config = { ...a.config };
    const other = await createService(config, { skipMigrations: true });
    const server = await other.listen(0, '127.0.0.1');
    const b = { base: `http://127.0.0.1:${(server.address() as { port: number }).port}` };
    try {
      expect((await probe(a, a.key)).status).toBe(404);
      expect((await probe(b, a.key)).status).toBe(404); // cached on b
      expect((await call(a.base, 'POST', '/admin/keys/revoke', { key: ADMIN, body: { key: a.key } })).status).toBe(200);
      expect((await probe(a, a.key)).status).toBe(401);
      await new Promise((resolve) => setTimeout(resolve, TTL + 500));
      expect((await probe(b, a.key)).status).toBe(401);
    } finally {
      await other.close();
      await a.stop();
    }
  });
});

const cli = (args: string[], env: Record<string, string>) =>
  new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    const { DATABASE_URL: _pg, REDIS_URL: _redis, ADMIN_API_KEY: _admin, ...inherited } = process.env as Record<string, string>;
    const child = spawn(process.execPath, ['--conditions=@armor/source', '--import', 'tsx', 'src/keys-admin.ts', ...args], { cwd: appDir, env: { ...inherited, NODE_ENV: 'test', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });

describe('keys:revoke and keys:rotate on PGlite', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'express-app-keys-admin-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('go through the running service (which holds the data directory); without a way in they refuse; with no service, the database directly', async () => {
    const env = { DATA_DIR: join(dir, 'data'), ADMIN_API_KEY: ADMIN, HOST: '127.0.0.1' };
    let r = await start('pglite', { env });
    const port = new URL(r.base).port;
    const other = await newTenant(r.service, 'cli-other');
    try {
      expect((await probe(r, r.key)).status).toBe(404);
      const revoked = await cli(['revoke', r.key], { ...env, PORT: port });
      expect(revoked.status, revoked.stderr).toBe(0);
      expect(revoked.stderr).toContain(`through the service at http://127.0.0.1:${port}`);
      expect((await probe(r, r.key)).status).toBe(401);

      const rotated = await cli(['rotate', other.key, '--overlap', '0'], { ...env, PORT: port });
      expect(rotated.status, rotated.stderr).toBe(0);
      const next = rotated.stdout.trim();
      expect((await probe(r, next)).status).toBe(404);
      expect((await probe(r, other.key)).status).toBe(401);

      // No ADMIN_API_KEY: it cannot go through the service, and the directory is live: refused.
      const { ADMIN_API_KEY: _admin, ...noKey } = env;
      const refused = await cli(['revoke', next], { ...noKey, PORT: port });
      expect(refused.status).toBe(1);
      expect(refused.stderr).toContain('cannot be reached without ADMIN_API_KEY');
      expect(refused.stderr).toContain('No key was changed.');
      expect((await probe(r, next)).status).toBe(404);

      await r.stop();
      // No service: the database directly; the next start refuses the key.
      const direct = await cli(['revoke', next], { ...env, PORT: port });
      expect(direct.status, direct.stderr).toBe(0);
      expect(direct.stderr).toContain('in the database');
      r = await start('pglite', { env });
      expect((await probe(r, next)).status).toBe(401);
      const usage = await cli(['revoke'], env);
      expect(usage.status).toBe(2);
    } finally {
      await r.stop();
    }
  }, 120_000);
});
