import { existsSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@armor/test-utils';
import { gaps, makeSource, readyRelease, runDeploy, startPoller, symlinksUnder } from './deploy-helpers.js';

/**
 * The embedded-database path of deploy.sh: PGlite's data directory can be open in one process
 * only, so every deploy stops the running release before migrating and starting the candidate
 * on the same port. The documented cost is one gap per deploy (and per rollback) during which
 * the front proxy answers 502 — never an error from the app, never a refused connection — and
 * the service answers again before deploy.sh returns.
 */
describe('scripts/deploy.sh (embedded PGlite)', () => {
  const adminKey = 'admin-key-for-the-pglite-deploy-test-0123456789';
  let root: string;
  let env: Record<string, string>;
  let base: string;
  const sources: string[] = [];
  const deploy = (args: string[] = [], source?: string) => runDeploy(env, args, source);
  const name = (link: string) => link.replace('releases/', '');

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'express-app-deploy-pglite-'));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const { DATABASE_URL: _ignored, DATA_DIR: _default, ...inherited } = process.env as Record<string, string>;
    env = { ...inherited, DEPLOY_ROOT: root, PORT: String(port), BLUE_PORT: String(await freePort()), GREEN_PORT: String(await freePort()), GATE_TIMEOUT: '60s' };
    mkdirSync(join(root, 'shared'), { recursive: true });
    writeFileSync(join(root, 'shared/env'), `SHUTDOWN_DELAY_MS=0\nNODE_ENV=development\nADMIN_API_KEY=${adminKey}\n`);
  });

  afterAll(async () => {
    if (root) await deploy(['--stop']);
    if (root) rmSync(root, { recursive: true, force: true });
    for (const dir of sources) rmSync(dir, { recursive: true, force: true });
  });

  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${base}${path}`, { ...init, headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json', ...init.headers } });

  it('deploys, rolls back a broken boot and a failed migration, keeps the data, with one 502 gap per restart', async () => {
    // Release A is built from a source tree that is deleted right after: everything later that
    // starts A again (the rollback at the end) proves the release is self-contained.
    const goodSource = makeSource('good');
    sources.push(goodSource);
    const first = await deploy([], goodSource);
    expect(first.status, first.stderr).toBe(0);
    rmSync(goodSource, { recursive: true, force: true });
    const releaseA = readlinkSync(join(root, 'current'));
    expect(existsSync(join(root, releaseA, 'dist/server.mjs'))).toBe(true);
    expect(readFileSync(join(root, releaseA, 'BUILD'), 'utf8')).toContain(`source: ${goodSource}`);
    expect(symlinksUnder(join(root, releaseA))).toEqual([]);
    expect(await readyRelease(base)).toEqual({ status: 200, releaseId: name(releaseA) });
    // The data lives in DEPLOY_ROOT/shared/data and is shared by every release.
    expect(existsSync(join(root, 'shared/data/pglite'))).toBe(true);
    const created = await api('/api/v1/projects', { method: 'POST', body: JSON.stringify({ name: 'survives deploys' }) });
    expect(created.status).toBe(201);
    const project = (await created.json()) as { id: string };

    const poller = startPoller(`${base}/health/live`);

    poller.phase('deploy B');
    const second = await deploy();
    expect(second.status, second.stderr).toBe(0);
    const releaseB = readlinkSync(join(root, 'current'));
    expect(releaseB).not.toBe(releaseA);
    expect(await readyRelease(base)).toEqual({ status: 200, releaseId: name(releaseB) });
    expect((await api(`/api/v1/projects/${project.id}`)).status).toBe(200);

    poller.phase('boot fails');
    const bootFails = makeSource('boot-fails');
    sources.push(bootFails);
    const bad = await deploy([], bootFails);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/health gate failed for \S+; rolling back to /);
    expect(bad.last).toMatch(/deploy: deploy of \S+ failed: health gate failed: \S+ exited before it became ready \(Error: broken release: boot fails; logs\/\S+\.log\); migrations reverted: 90; serving /);
    expect(bad.last.endsWith(`serving ${name(releaseB)}`)).toBe(true);
    expect(bad.stderr).toMatch(/migrations applied for \S+: 90[\s\S]*: migrations reverted: 90/);
    expect(readlinkSync(join(root, 'current'))).toBe(releaseB);
    expect(await readyRelease(base)).toEqual({ status: 200, releaseId: name(releaseB) });

    poller.phase('migration fails');
    const migrationFails = makeSource('migration-fails');
    sources.push(migrationFails);
    const badMigration = await deploy([], migrationFails);
    expect(badMigration.status).not.toBe(0);
    expect(badMigration.last).toMatch(/deploy: deploy of (\S+) failed: migrations failed: exit 1, migration failed: .+; serving /);
    expect(badMigration.last.endsWith(`serving ${name(releaseB)}`)).toBe(true);
    // B was stopped (PGlite), the migration failed, B was started again; the candidate never ran.
    expect(badMigration.stderr).toMatch(/stopped \S+[\s\S]*migrations failed for \S+; restarting \S+[\s\S]*started \S+ on port/);
    const failedName = /deploy of (\S+) failed/.exec(badMigration.last)![1]!;
    expect(badMigration.stderr).not.toContain(`started ${failedName}`);
    expect(readFileSync(join(root, 'releases', failedName, 'FAILED'), 'utf8')).toMatch(/^migrations failed/);
    expect(readlinkSync(join(root, 'current'))).toBe(releaseB);
    expect(await readyRelease(base)).toEqual({ status: 200, releaseId: name(releaseB) });
    expect((await api(`/api/v1/projects/${project.id}`)).status).toBe(200);

    poller.phase('rollback');
    const back = await deploy(['--rollback']);
    expect(back.status, back.stderr).toBe(0);
    expect(readlinkSync(join(root, 'current'))).toBe(releaseA);
    expect(await readyRelease(base)).toEqual({ status: 200, releaseId: name(releaseA) });
    expect((await api(`/api/v1/projects/${project.id}`)).status).toBe(200);

    poller.phase('after');
    await new Promise((r) => setTimeout(r, 300));
    const polls = await poller.stop();

    // Exactly one contiguous gap per phase that restarts the service, and only the front's 502s.
    const byPhase = Object.fromEntries(['deploy B', 'boot fails', 'migration fails', 'rollback'].map((p) => [p, gaps(polls, p)]));
    for (const [phase, runs] of Object.entries(byPhase)) {
      expect(runs, `${phase}: ${JSON.stringify(runs)}`).toHaveLength(1);
      expect(runs[0]!.what, phase).toEqual(['HTTP 502']);
    }
    expect(polls.filter((p) => p.phase === 'after' && !p.ok)).toEqual([]);
    expect(polls.filter((p) => p.ok).length).toBeGreaterThan(20);
    // --stop, then --start: the current release (A, after the rollback) serves again, data intact.
    const stopped = await deploy(['--stop']);
    expect(stopped.status, stopped.stderr).toBe(0);
    await expect(fetch(`${base}/health/live`)).rejects.toThrow();
    const started = await deploy(['--start']);
    expect(started.status, started.stderr).toBe(0);
    expect(readlinkSync(join(root, 'current'))).toBe(releaseA);
    expect(await readyRelease(base)).toEqual({ status: 200, releaseId: name(releaseA) });
    expect((await api(`/api/v1/projects/${project.id}`)).status).toBe(200);

    console.info(`PGlite deploy gaps (ms): ${Object.entries(byPhase).map(([p, [r]]) => `${p} ${r!.to - r!.from}`).join(', ')}`);
  }, 300_000);
});
