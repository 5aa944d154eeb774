import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { createService } from '../src/app.js';

const appDir = fileURLToPath(new URL('..', import.meta.url));

/** `pnpm --filter express-app keys:create <args>` as the README has it (the script line of package.json). */
function keysCreate(dataDir: string, args: string[]) {
  return spawnSync(process.execPath, ['--conditions=@armor/source', '--import', 'tsx', 'src/keys-create.ts', ...args], {
    cwd: appDir,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', NODE_ENV: 'test', DATA_DIR: dataDir },
    encoding: 'utf8',
    timeout: 240_000,
  });
}

// Each run starts node + tsx + PGlite: tens of seconds on a loaded 2-core machine.
describe('keys:create', () => {
  it('works as documented, with the `--` that `pnpm run script -- args` passes through; the key authenticates', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'keys-create-'));
    const run = keysCreate(dataDir, ['--', '--email', 'you@example.com', '--name', 'ci']);
    expect(run.stderr).not.toContain('ERR_PARSE_ARGS');
    expect(run.status, run.stderr).toBe(0);
    const key = run.stdout.trim();
    expect(key).toMatch(/^xapp_live_/);
    // The key is really stored: a service started afterwards on the same directory accepts it.
    const service = await createService(loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir }));
    try {
      const server = await service.listen(0, '127.0.0.1');
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/projects`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: '{"name":"p"}' });
      expect(res.status).toBe(201);
    } finally {
      await service.close();
    }
  }, 300_000);

  it('refuses (exit 1, no key printed) while the server holds the PGlite directory, instead of losing the key', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'keys-create-'));
    const service = await createService(loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir }));
    try {
      const run = keysCreate(dataDir, ['--email', 'you@example.com']);
      expect(run.status).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain(`is in use by process ${process.pid}`);
      expect(run.stderr).toContain('No key was created.');
    } finally {
      await service.close();
    }
    // Released on close: the next process may open it.
    expect(keysCreate(dataDir, ['--email', 'you@example.com']).status).toBe(0);
  }, 600_000);
});
