import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

const appDir = fileURLToPath(new URL('..', import.meta.url));

describe('config', () => {
  it('applies defaults', () => {
    const c = loadConfig({}, '/srv/app');
    expect(c.port).toBe(3000);
    expect(c.database).toEqual({ kind: 'pglite', dataDir: '/srv/app/.data/pglite' });
    expect(c.demo).toBe(false);
    expect(c.sessionSecret.length).toBeGreaterThanOrEqual(32);
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ REDIS_URL: 'localhost:6379' }, 'REDIS_URL'],
    [{ ADMIN_API_KEY: 'short' }, 'ADMIN_API_KEY'],
    [{ DEMO: 'maybe' }, 'DEMO'],
    [{ WEBHOOK_URL: 'ftp://x' }, 'WEBHOOK_URL'],
    [{ NODE_ENV: 'production' }, 'SESSION_SECRET'],
    [{ NODE_ENV: 'production', SESSION_SECRET: 's'.repeat(40) }, 'AUDIT_SIGNING_KEY'],
    [{ AUDIT_SIGNING_KEY: 'not-hex' }, 'AUDIT_SIGNING_KEY'],
    [{ AUDIT_CHECKPOINT_MS: '5' }, 'AUDIT_CHECKPOINT_MS'],
  ])('rejects %o naming %s', (env, variable) => {
    let thrown: unknown;
    try {
      loadConfig(env);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).variable).toBe(variable);
    expect((thrown as ConfigError).message).toMatch(new RegExp(`^Invalid environment variable ${variable}: `));
    expect((thrown as ConfigError).message).not.toContain('\n');
  });

  it('stops the real server with one clear line and exit status 1', () => {
    const run = spawnSync(process.execPath, ['--conditions=@armor/source', '--import', 'tsx', 'src/server.ts'], {
      cwd: appDir,
      env: { ...process.env, PORT: 'not-a-port', DATA_DIR: 'memory://' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(run.status).toBe(1);
    expect(run.stderr.trim()).toBe('Invalid environment variable PORT: expected an integer between 0 and 65535 (received "not-a-port")');
  });
});
