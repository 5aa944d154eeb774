/**
 * The service's audit log (issue 25, "Both examples use it"): security refusals captured from
 * the error handler, rate-limit blocks captured from the limiters, verification metrics on
 * `/metrics`, the snapshot's `audit` section, and the development signing key and file witness
 * in `DATA_DIR`.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_STREAM } from '../src/audit.js';
import { call, start, type Running } from './harness.js';

const ADMIN = 'admin-key-for-the-audit-test-0123456789';

describe('audit capture, metrics and snapshot (PGlite)', () => {
  let r: Running;
  beforeAll(async () => {
    r = await start('pglite', {
      env: { ADMIN_API_KEY: ADMIN },
      tweak: (config) => {
        config.rateLimits.auth = { account: { limit: 2, windowMs: 60_000 }, ip: { limit: 1000, windowMs: 60_000 } };
      },
    });
  });
  afterAll(() => r?.stop());

  const systemEvents = async (action: string) => {
    for (let i = 0; i < 50; i++) {
      const page = await r.service.repos.audit.page(SYSTEM_STREAM, 200);
      const found = page.items.filter((e) => e.action === action);
      if (found.length > 0) return found;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return [];
  };

  it('a refused API key is an audit event with the anonymized address (auditSecurityErrors on the error handler)', async () => {
    const res = await call(r.base, 'GET', '/api/v1/projects', { key: 'xapp_live_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA_AAAAAA' });
    expect(res.status).toBe(401);
    const [event] = await systemEvents('auth.api_key_refused');
    expect(event).toMatchObject({ outcome: 'denied', ip: '127.0.0.0', details: { code: 'API_KEY_INVALID', path: '/api/v1/projects' } });
  });

  // `auditRateLimitBlocks` listens for the limiters' `limited` events, which @armor/rate-limit
  // emits on consume only: the login and authFailures limiters (peek + penalize) never emit
  // them, so login blocks reach the audit log as the 429 the error handler sees.
  it('a login refused by the limiter is a rate_limit.refused event (auditSecurityErrors)', async () => {
    const login = (password: string) => call(r.base, 'POST', '/auth/login', { body: { email: 'nobody@example.test', password } });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await login('wrong')).status);
    expect(statuses).toContain(429);
    const [event] = await systemEvents('rate_limit.refused');
    expect(event).toMatchObject({ outcome: 'denied', ip: '127.0.0.0', details: { code: 'RATE_LIMITED', path: '/auth/login' } });
  });

  it('the verifier exports armor_audit_* metrics; the snapshot has the audit section', async () => {
    await call(r.base, 'POST', '/api/v1/projects', { key: r.key, body: { name: 'audited' } });
    await r.service.audit.checkpointAll();
    await r.service.audit.verifier.runOnce();
    const metrics = await call(r.base, 'GET', '/metrics', { key: ADMIN });
    expect(metrics.text).toMatch(new RegExp(`armor_audit_last_verified_seq\\{[^}]*stream="${r.tenantId}"[^}]*\\} 1`));
    expect(metrics.text).toMatch(/armor_audit_verification_failures_total/);
    const snapshot = await call(r.base, 'GET', '/monitoring/snapshot', { key: ADMIN });
    expect(snapshot.status).toBe(200);
    const stream = (snapshot.json.audit.streams as { stream: string; ok: boolean | null; lastSeq: number }[]).find((s) => s.stream === r.tenantId);
    expect(stream).toMatchObject({ ok: true, lastSeq: 1 });
    expect(JSON.stringify(snapshot.json.audit.recent)).not.toContain('127.0.0.0'); // no personal data
  });
});

describe('development signing key and file witness in DATA_DIR', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'express-app-audit-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('generates the key once (mode 600), reuses it after a restart, and writes checkpoints to the witness', async () => {
    const first = await start('pglite', { env: { DATA_DIR: dir } });
    const publicKey = first.service.audit.publicKey;
    expect(first.service.audit.keySource).toBe(join(dir, 'audit-signing.key'));
    expect(statSync(join(dir, 'audit-signing.key')).mode & 0o777).toBe(0o600);
    await call(first.base, 'POST', '/api/v1/projects', { key: first.key, body: { name: 'witnessed' } });
    expect(await first.service.audit.checkpointAll()).toBeGreaterThan(0);
    await first.stop();
    expect(readdirSync(join(dir, 'audit-witness'), { recursive: true }).length).toBeGreaterThan(0);
    const second = await start('pglite', { env: { DATA_DIR: dir } });
    try {
      expect(second.service.audit.publicKey).toBe(publicKey);
      const report = await second.service.audit.log.verify(first.tenantId);
      expect(report).toMatchObject({ ok: true, unanchored: 0 });
    } finally {
      await second.stop();
    }
  });

  it('AUDIT_SIGNING_KEY wins over the file', async () => {
    const running = await start('pglite', { env: { DATA_DIR: 'memory://', AUDIT_SIGNING_KEY: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60' } });
    try {
      expect(running.service.audit.keySource).toBe('AUDIT_SIGNING_KEY');
      // RFC 8032's first test key.
      expect(running.service.audit.publicKey).toBe('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a');
    } finally {
      await running.stop();
    }
  });
});
