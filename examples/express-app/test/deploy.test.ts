import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startPostgres, type PostgresServer } from '@armor/test-utils';

const appDir = fileURLToPath(new URL('..', import.meta.url));

describe('scripts/deploy.sh (blue/green on PostgreSQL)', () => {
  let pg: PostgresServer;
  let root: string;
  let broken: string;
  let env: Record<string, string>;
  let port: number;
  const polls = { ok: 0, failed: [] as string[] };
  let polling = false;
  let poller: Promise<void> | undefined;

  /** Runs deploy.sh without blocking the event loop (the poller keeps running meanwhile). */
  const deploy = (args: string[] = [], source = appDir) =>
    new Promise<{ status: number | null; stderr: string }>((resolve) => {
      const child = spawn('bash', [join(appDir, 'scripts/deploy.sh'), ...args], { env: { ...env, SOURCE_DIR: source }, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.on('close', (status) => resolve({ status, stderr }));
    });

  beforeAll(async () => {
    pg = await startPostgres();
    root = mkdtempSync(join(tmpdir(), 'express-app-deploy-'));
    port = await freePort();
    env = {
      ...(process.env as Record<string, string>),
      DEPLOY_ROOT: root,
      PORT: String(port),
      BLUE_PORT: String(await freePort()),
      GREEN_PORT: String(await freePort()),
      GATE_TIMEOUT: '60s',
    };
    mkdirSync(join(root, 'shared'), { recursive: true });
    writeFileSync(join(root, 'shared/env'), `DATABASE_URL=${pg.url}\nSHUTDOWN_DELAY_MS=300\nNODE_ENV=development\n`);
    // A broken release: same code, but its server never becomes ready (it exits at boot).
    broken = mkdtempSync(join(tmpdir(), 'express-app-broken-'));
    cpSync(join(appDir, 'src'), join(broken, 'src'), { recursive: true });
    cpSync(join(appDir, 'package.json'), join(broken, 'package.json'));
    symlinkSync(join(appDir, 'node_modules'), join(broken, 'node_modules'));
    writeFileSync(join(broken, 'src/server.ts'), `throw new Error('broken release: boot fails');\n${readFileSync(join(appDir, 'src/server.ts'), 'utf8')}`);
  });

  afterAll(async () => {
    polling = false;
    await poller;
    if (root) await deploy(['--stop']);
    await pg?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
    if (broken) rmSync(broken, { recursive: true, force: true });
  });

  const startPolling = () => {
    polling = true;
    poller = (async () => {
      while (polling) {
        try {
          const res = await fetch(`http://127.0.0.1:${port}/health/live`);
          await res.arrayBuffer();
          if (res.status === 200) polls.ok++;
          else polls.failed.push(`HTTP ${res.status}`);
        } catch (error) {
          polls.failed.push(String((error as Error).cause ?? error));
        }
        await new Promise((r) => setTimeout(r, 25));
      }
    })();
  };

  it('deploys a good release, rolls a broken one back and keeps answering throughout', async () => {
    const first = await deploy();
    expect(first.status, first.stderr).toBe(0);
    const releaseA = readlinkSync(join(root, 'current'));
    expect((await fetch(`http://127.0.0.1:${port}/health/ready`)).status).toBe(200);

    startPolling();
    const second = await deploy();
    expect(second.status, second.stderr).toBe(0);
    const releaseB = readlinkSync(join(root, 'current'));
    expect(releaseB).not.toBe(releaseA);

    const bad = await deploy([], broken);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/health gate failed .*rolling back/);
    expect(readlinkSync(join(root, 'current'))).toBe(releaseB);
    const ready = await fetch(`http://127.0.0.1:${port}/health/ready`);
    expect(ready.status).toBe(200);
    expect((await ready.json()).releaseId).toBe(releaseB.replace('releases/', ''));

    const back = await deploy(['--rollback']);
    expect(back.status, back.stderr).toBe(0);
    expect(readlinkSync(join(root, 'current'))).toBe(releaseA);
    const after = await fetch(`http://127.0.0.1:${port}/health/ready`);
    expect((await after.json()).releaseId).toBe(releaseA.replace('releases/', ''));

    polling = false;
    await poller;
    expect(polls.failed).toEqual([]);
    expect(polls.ok).toBeGreaterThan(20);
  }, 300_000);
});
