import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { appDir } from './deploy-helpers.js';

/**
 * deploy.sh's pruning (issue 20, item 4): KEEP_RELEASES counts good releases only, so failed
 * deploys never push out a release --rollback could go back to; failed releases go first.
 */
let root: string | undefined;
afterEach(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

it('keeps the newest KEEP_RELEASES good releases and prunes failed ones first', () => {
  root = mkdtempSync(join(tmpdir(), 'express-app-prune-'));
  // Oldest to newest: good g1..g3, then two failed deploys, then good g4 (current), then failed f3.
  const releases = ['20260101-000001.000', '20260101-000002.000', '20260101-000003.000', '20260101-000004.000', '20260101-000005.000', '20260101-000006.000', '20260101-000007.000'];
  const failed = new Set([releases[3], releases[4], releases[6]]);
  for (const name of releases) {
    mkdirSync(join(root, 'releases', name), { recursive: true });
    if (failed.has(name)) writeFileSync(join(root, 'releases', name, 'FAILED'), 'health gate failed: test\n');
  }
  symlinkSync(`releases/${releases[5]}`, join(root, 'current'));
  const run = spawnSync('bash', [join(appDir, 'scripts/deploy.sh'), '--prune'], { env: { ...process.env, DEPLOY_ROOT: root, KEEP_RELEASES: '2', KEEP_FAILED: '1', DATABASE_URL: '' }, encoding: 'utf8' });
  expect(run.status, run.stderr).toBe(0);
  // Good: current (…06) and …03 stay (2); …02 and …01 go. Failed: the newest (…07) stays; …05 and …04 go.
  expect(readdirSync(join(root, 'releases')).sort()).toEqual([releases[2], releases[5], releases[6]]);
  expect(run.stderr).toContain(`pruned ${releases[4]}`);
  expect(run.stderr).toContain(`pruned ${releases[0]}`);
});
