// @vitest-environment node
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('..', import.meta.url).pathname;

function run(script: string, args: string[], env: Record<string, string> = {}) {
  return execFileSync('bash', [join(root, 'scripts', script), ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    encoding: 'utf8',
  })
    .trim()
    .split('\n');
}

/** Runs a script that may fail: its exit status, and stdout and stderr as lines. */
function outcome(script: string, args: string[], env: Record<string, string> = {}) {
  const result = spawnSync('bash', [join(root, 'scripts', script), ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    encoding: 'utf8',
  });
  const lines = (text: string) => (text.trim() === '' ? [] : text.trim().split('\n'));
  return { status: result.status, stdout: lines(result.stdout), stderr: lines(result.stderr) };
}

/** The ref deploy.sh records: HEAD's commit, or `HEAD` outside a git checkout (as the script does). */
function currentRef() {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'HEAD';
  }
}

/** The deploy, then the UI's JavaScript size for the scorecard's bundle target. */
const BUNDLE_SIZE = '+ npx convex env set UI_BUNDLE_BYTES \\<bytes\\ of\\ dist/assets/\\*.js\\>';
const DEPLOY = ['+ npx convex deploy --cmd pnpm\\ run\\ build --cmd-url-env-var-name VITE_CONVEX_URL', BUNDLE_SIZE];
const REDEPLOY = (ref: string) => [
  `+ git worktree add --detach /tmp/convex-app-rollback ${ref}`,
  "+ bash -c cd\\ /tmp/convex-app-rollback/examples/convex-app\\ \\&\\&\\ pnpm\\ install\\ --frozen-lockfile\\ \\&\\&\\ npx\\ convex\\ deploy\\ --cmd\\ \\'pnpm\\ run\\ build\\'\\ --cmd-url-env-var-name\\ VITE_CONVEX_URL",
  BUNDLE_SIZE,
  '+ git worktree remove --force /tmp/convex-app-rollback',
];
const GATE = (site: string, timeout = '60s') => `+ pnpm exec armor-health ${site}/health --timeout ${timeout} --interval 2s --expect warn`;
const GATE_FAILS = '(dry run: health gate fails)';

function fails(script: string, args: string[], env: Record<string, string> = {}) {
  try {
    run(script, args, env);
  } catch (error) {
    return String((error as { stderr?: string }).stderr);
  }
  throw new Error('expected the script to fail');
}

describe('deploy.sh --dry-run', () => {
  const site = 'https://happy-otter-123.convex.site';

  it('the health gate accepts warn: /health reports warn when the trim cron lags, and that is no reason to roll back', () => {
    const result = outcome('deploy.sh', ['--dry-run'], { CONVEX_SITE_URL: site, PREVIOUS_REF: 'abc123' });
    expect(result.stdout[2]).toMatch(/ --expect warn$/);
  });

  it('deploys, gates on /health and records the ref', () => {
    const current = currentRef();
    const result = outcome('deploy.sh', ['--dry-run'], { CONVEX_SITE_URL: site, PREVIOUS_REF: 'abc123' });
    expect(result).toEqual({
      status: 0,
      stdout: [...DEPLOY, GATE(site), `+ record ${current} as the last good ref`, `deployed ${current}`],
      stderr: [],
    });
  });

  it('ARMOR_DRY_RUN_GATE=pass is the default: same as no variable', () => {
    const env = { CONVEX_SITE_URL: site, PREVIOUS_REF: 'abc123' };
    expect(outcome('deploy.sh', ['--dry-run'], { ...env, ARMOR_DRY_RUN_GATE: 'pass' })).toEqual(outcome('deploy.sh', ['--dry-run'], env));
  });

  it('a failed gate rolls back automatically: deploy, gate fails, redeploy the previous ref, gate again, exit 1', () => {
    const current = currentRef();
    const result = outcome('deploy.sh', ['--dry-run'], { CONVEX_SITE_URL: site, PREVIOUS_REF: 'abc123', ARMOR_DRY_RUN_GATE: 'fail' });
    expect(result).toEqual({
      status: 1,
      stdout: [...DEPLOY, GATE(site), GATE_FAILS, ...REDEPLOY('abc123'), GATE(site)],
      stderr: [`health gate failed for ${current}; rolling back to abc123`],
    });
  });

  it('an unhealthy rollback is reported as such', () => {
    const current = currentRef();
    const result = outcome('deploy.sh', ['--dry-run'], { CONVEX_SITE_URL: site, PREVIOUS_REF: 'abc123', ARMOR_DRY_RUN_GATE: 'fail,fail' });
    expect(result).toEqual({
      status: 1,
      stdout: [...DEPLOY, GATE(site), GATE_FAILS, ...REDEPLOY('abc123'), GATE(site), GATE_FAILS],
      stderr: [`health gate failed for ${current}; rolling back to abc123`, 'error: rollback to abc123 is unhealthy too'],
    });
  });

  it('--rollback <ref> redeploys that ref from a worktree and gates it', () => {
    const lines = run('deploy.sh', ['--rollback', 'v1.2.3', '--dry-run'], { CONVEX_SITE_URL: 'https://x.convex.site', HEALTH_TIMEOUT: '30s' });
    expect(lines).toEqual(['rolling back to v1.2.3', ...REDEPLOY('v1.2.3'), GATE('https://x.convex.site', '30s')]);
  });

  it('--rollback <ref> whose gate fails exits 1', () => {
    const result = outcome('deploy.sh', ['--rollback', 'v1.2.3', '--dry-run'], { CONVEX_SITE_URL: site, ARMOR_DRY_RUN_GATE: 'fail' });
    expect(result).toEqual({
      status: 1,
      stdout: ['rolling back to v1.2.3', ...REDEPLOY('v1.2.3'), GATE(site), GATE_FAILS],
      stderr: ['error: rollback to v1.2.3 is unhealthy'],
    });
  });

  it('refuses to run for real without a deploy key, and rejects bad arguments', () => {
    expect(fails('deploy.sh', [])).toBe('error: CONVEX_DEPLOY_KEY is not set\n');
    expect(fails('deploy.sh', [], { CONVEX_DEPLOY_KEY: 'k' })).toBe('error: CONVEX_SITE_URL is not set (needed for the health gate)\n');
    expect(fails('deploy.sh', ['--rollback'])).toBe('error: --rollback needs a git ref\n');
    expect(fails('deploy.sh', ['--bogus'])).toBe('error: unknown argument: --bogus\n');
    expect(fails('deploy.sh', ['--dry-run'], { ARMOR_DRY_RUN_GATE: 'fail,maybe' })).toBe(
      "error: ARMOR_DRY_RUN_GATE must be a comma-separated list of pass/fail (got 'fail,maybe')\n",
    );
  });
});

describe('backup.sh --dry-run', () => {
  it('exports to a timestamped zip and prunes beyond --keep', () => {
    const dir = mkdtempSync(join(tmpdir(), 'convex-backups-'));
    for (const stamp of ['20261120T000000Z', '20261121T000000Z', '20261122T000000Z', '20261123T000000Z']) {
      writeFileSync(join(dir, `${stamp}.zip`), 'x');
    }
    const lines = run('backup.sh', ['--dry-run', '--keep', '3'], { BACKUP_DIR: dir, BACKUP_TIMESTAMP: '20261125T101500Z' });
    expect(lines).toEqual([
      `+ mkdir -p ${dir}`,
      `+ npx convex export --path ${dir}/20261125T101500Z.zip`,
      `+ rm -f ${dir}/20261121T000000Z.zip`,
      `+ rm -f ${dir}/20261120T000000Z.zip`,
      `backup: ${dir}/20261125T101500Z.zip`,
    ]);
  });

  it('passes --prod and validates --keep', () => {
    const dir = mkdtempSync(join(tmpdir(), 'convex-backups-'));
    const lines = run('backup.sh', ['--dry-run', '--prod'], { BACKUP_DIR: dir, BACKUP_TIMESTAMP: 'T' });
    expect(lines).toEqual([`+ mkdir -p ${dir}`, `+ npx convex export --prod --path ${dir}/T.zip`, `backup: ${dir}/T.zip`]);
    expect(fails('backup.sh', ['--dry-run', '--keep', '0'])).toBe("error: --keep must be a positive integer (got '0')\n");
    expect(fails('backup.sh', ['--dry-run', '--keep'])).toBe('error: --keep needs a number\n');
  });
});

describe('restore.sh --dry-run', () => {
  it('imports with --replace-all', () => {
    const dir = mkdtempSync(join(tmpdir(), 'convex-restore-'));
    mkdirSync(dir, { recursive: true });
    const file = join(dir, '20261125T101500Z.zip');
    writeFileSync(file, 'zip');
    expect(run('restore.sh', [file, '--dry-run'])).toEqual([`+ npx convex import --replace-all --yes ${file}`]);
    expect(run('restore.sh', [file, '--dry-run', '--prod'])).toEqual([`+ npx convex import --prod --replace-all --yes ${file}`]);
  });

  it('refuses a missing or non-zip file', () => {
    expect(fails('restore.sh', ['/nope.zip', '--dry-run'])).toBe('error: no such backup: /nope.zip\n');
    expect(fails('restore.sh', [])).toBe('error: usage: restore.sh <backup.zip> [--dry-run]\n');
    const notZip = join(mkdtempSync(join(tmpdir(), 'convex-restore-')), 'backup.tar');
    writeFileSync(notZip, 'tar');
    expect(fails('restore.sh', [notZip, '--dry-run'])).toBe(`error: not a zip backup: ${notZip}\n`);
    expect(fails('restore.sh', ['--force'])).toBe('error: unknown argument: --force\n');
  });
});
