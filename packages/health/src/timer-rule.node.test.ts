import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const tsx = fileURLToPath(new URL('../../../node_modules/.bin/tsx', import.meta.url));
const script = fileURLToPath(new URL('../test/top-level-check.ts', import.meta.url));

describe('the timer rule in a real process', () => {
  it('a health check that times out at the top level of a script keeps the process alive: exit 0 and the result printed', () => {
    const result = spawnSync(tsx, ['--conditions=@armor/source', script], { encoding: 'utf8', timeout: 20_000 });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout.trim())).toEqual({ status: 'fail', output: 'hung: timed out after 300 ms' });
  });
});
