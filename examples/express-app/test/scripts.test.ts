import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const appDir = fileURLToPath(new URL('..', import.meta.url));

it('deploy.sh, backup.sh and restore.sh are shellcheck-clean', () => {
  const run = spawnSync('shellcheck', ['--severity=style', 'scripts/deploy.sh', 'scripts/backup.sh', 'scripts/restore.sh'], { cwd: appDir, encoding: 'utf8' });
  expect(run.error, 'shellcheck must be installed (apt-get install -y shellcheck)').toBeUndefined();
  expect(run.stdout + run.stderr).toBe('');
  expect(run.status).toBe(0);
});
