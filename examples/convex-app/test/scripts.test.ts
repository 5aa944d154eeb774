// @vitest-environment node
import { execFileSync } from 'node:child_process';
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

function fails(script: string, args: string[], env: Record<string, string> = {}) {
  try {
    run(script, args, env);
  } catch (error) {
    return String((error as { stderr?: string }).stderr);
  }
  throw new Error('expected the script to fail');
}

describe('deploy.sh --dry-run', () => {
  it('deploys, gates on /health and records the ref', () => {
    const lines = run('deploy.sh', ['--dry-run'], { CONVEX_SITE_URL: 'https://happy-otter-123.convex.site', PREVIOUS_REF: 'abc123' });
    expect(lines[0]).toBe("+ npx convex deploy --cmd pnpm\\ run\\ build --cmd-url-env-var-name VITE_CONVEX_URL");
    expect(lines[1]).toBe('+ pnpm exec armor-health https://happy-otter-123.convex.site/health --timeout 60s --interval 2s --expect pass');
    expect(lines[2]).toMatch(/^\+ record \S+ as the last good ref$/);
    expect(lines[3]).toMatch(/^deployed /);
  });

  it('--rollback <ref> redeploys that ref from a worktree and gates it', () => {
    const lines = run('deploy.sh', ['--rollback', 'v1.2.3', '--dry-run'], { CONVEX_SITE_URL: 'https://x.convex.site', HEALTH_TIMEOUT: '30s' });
    expect(lines).toEqual([
      'rolling back to v1.2.3',
      '+ git worktree add --detach /tmp/convex-app-rollback v1.2.3',
      "+ bash -c cd\\ /tmp/convex-app-rollback/examples/convex-app\\ \\&\\&\\ pnpm\\ install\\ --frozen-lockfile\\ \\&\\&\\ npx\\ convex\\ deploy\\ --cmd\\ \\'pnpm\\ run\\ build\\'\\ --cmd-url-env-var-name\\ VITE_CONVEX_URL",
      '+ git worktree remove --force /tmp/convex-app-rollback',
      '+ pnpm exec armor-health https://x.convex.site/health --timeout 30s --interval 2s --expect pass',
    ]);
  });

  it('refuses to run for real without a deploy key, and rejects bad arguments', () => {
    expect(fails('deploy.sh', [])).toContain('CONVEX_DEPLOY_KEY is not set');
    expect(fails('deploy.sh', ['--rollback'])).toContain('--rollback needs a git ref');
    expect(fails('deploy.sh', ['--bogus'])).toContain('unknown argument: --bogus');
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
    expect(lines[1]).toBe(`+ npx convex export --prod --path ${dir}/T.zip`);
    expect(fails('backup.sh', ['--dry-run', '--keep', '0'])).toContain('--keep must be a positive integer');
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
    expect(fails('restore.sh', ['/nope.zip', '--dry-run'])).toContain('no such backup');
    expect(fails('restore.sh', [])).toContain('usage');
  });
});
