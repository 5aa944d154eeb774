import { existsSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startPostgres, type PostgresServer } from '@armor/test-utils';
import { MIGRATIONS } from '../src/db/migrations.js';
import { makeSource, readyRelease, runDeploy, startPoller, symlinksUnder } from './deploy-helpers.js';

/** The newest migration of the release (a failed release's migration 90 must not stay). */
const LATEST = Math.max(...MIGRATIONS.map((m) => m.version));

describe('scripts/deploy.sh (blue/green on PostgreSQL)', () => {
  let server: PostgresServer;
  let root: string;
  let env: Record<string, string>;
  let base: string;
  const sources: string[] = [];
  const deploy = (args: string[] = [], source?: string) => runDeploy(env, args, source);

  beforeAll(async () => {
    server = await startPostgres();
    root = mkdtempSync(join(tmpdir(), 'express-app-deploy-'));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    env = {
      ...(process.env as Record<string, string>),
      DEPLOY_ROOT: root,
      PORT: String(port),
      BLUE_PORT: String(await freePort()),
      GREEN_PORT: String(await freePort()),
      GATE_TIMEOUT: '60s',
    };
    mkdirSync(join(root, 'shared'), { recursive: true });
    writeFileSync(join(root, 'shared/env'), `DATABASE_URL=${server.url}\nSHUTDOWN_DELAY_MS=300\nNODE_ENV=development\n`);
  });

  afterAll(async () => {
    if (root) await deploy(['--stop']);
    await server?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
    for (const dir of sources) rmSync(dir, { recursive: true, force: true });
  });

  const schemaVersion = async () => {
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    try {
      return (await client.query<{ v: number }>('SELECT max(version) AS v FROM schema_migrations')).rows[0]!.v;
    } finally {
      await client.end();
    }
  };

  it('deploys good releases, refuses a broken boot and a failed migration, rolls back, and keeps answering throughout', async () => {
    const first = await deploy();
    expect(first.status, first.stderr).toBe(0);
    const releaseA = readlinkSync(join(root, 'current'));
    expect((await readyRelease(base)).status).toBe(200);
    // The release is built (bundled), not a link back into the source tree.
    expect(existsSync(join(root, releaseA, 'dist/server.mjs'))).toBe(true);
    expect(symlinksUnder(join(root, releaseA))).toEqual([]);

    const poller = startPoller(`${base}/health/live`);
    const second = await deploy();
    expect(second.status, second.stderr).toBe(0);
    const releaseB = readlinkSync(join(root, 'current'));
    expect(releaseB).not.toBe(releaseA);

    const bootFails = makeSource('boot-fails');
    sources.push(bootFails);
    const bad = await deploy([], bootFails);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/health gate failed .*rolling back/);
    expect(bad.last).toMatch(/deploy: deploy of \S+ failed: health gate failed: \S+ exited before it became ready \(Error: broken release: boot fails; logs\/\S+\.log\); migrations reverted: 90; serving /);
    expect(readlinkSync(join(root, 'current'))).toBe(releaseB);
    expect(await readyRelease(base)).toEqual({ status: 200, releaseId: releaseB.replace('releases/', '') });
    // The failed release's migration 4 (which has `down`) was reverted.
    expect(await schemaVersion()).toBe(LATEST);

    // A failing migration aborts before anything starts or stops: the old release never blinks,
    // and the schema is unchanged (each migration runs in a transaction).
    const migrationFails = makeSource('migration-fails');
    sources.push(migrationFails);
    const badMigration = await deploy([], migrationFails);
    expect(badMigration.status).not.toBe(0);
    expect(badMigration.last).toMatch(/deploy: deploy of (\S+) failed: migrations failed: exit 1, migration failed: .+; serving /);
    expect(badMigration.stderr).not.toMatch(/started \S+ on port/);
    const failedName = /deploy of (\S+) failed/.exec(badMigration.last)![1]!;
    expect(readFileSync(join(root, 'releases', failedName, 'FAILED'), 'utf8')).toMatch(/^migrations failed/);
    expect(readlinkSync(join(root, 'current'))).toBe(releaseB);
    expect(await readyRelease(base)).toEqual({ status: 200, releaseId: releaseB.replace('releases/', '') });
    expect(await schemaVersion()).toBe(LATEST);

    // --rollback skips the failed releases (newer than B anyway) and goes to A.
    const back = await deploy(['--rollback']);
    expect(back.status, back.stderr).toBe(0);
    expect(readlinkSync(join(root, 'current'))).toBe(releaseA);
    expect(await readyRelease(base)).toEqual({ status: 200, releaseId: releaseA.replace('releases/', '') });

    const polls = await poller.stop();
    expect(polls.filter((p) => !p.ok)).toEqual([]);
    expect(polls.length).toBeGreaterThan(20);
  }, 300_000);
});
