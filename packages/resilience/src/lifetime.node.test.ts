/**
 * Process lifetime (the timer rule), tested in a child Node process: a script whose only
 * pending work is a policy's timer (a backoff wait, a timeout, a hedge delay) must finish
 * its top-level `await` and exit 0. Before the fix those timers were unref'd: Node exited with
 * code 13 ("unsettled top-level await") and printed nothing.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const PACKAGE = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const TSX = resolve(PACKAGE, '../../node_modules/.bin/tsx');
// inside the package, so `@armor/resilience` resolves through its own exports (source condition)
const DIR = join(PACKAGE, `.lifetime-${process.pid}`);

beforeAll(() => mkdirSync(DIR, { recursive: true }));
afterAll(() => rmSync(DIR, { recursive: true, force: true }));

function runScript(name: string, code: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const file = join(DIR, `${name}.ts`);
  writeFileSync(file, code);
  return new Promise((done) => {
    execFile(TSX, ['--conditions=@armor/source', file], { cwd: DIR, timeout: 60_000 }, (error, stdout, stderr) => {
      const exit = error ? (typeof (error as { code?: unknown }).code === 'number' ? (error as { code: number }).code : 1) : 0;
      done({ code: exit, stdout, stderr });
    });
  });
}

describe('top-level await in a script (child process)', { timeout: 90_000 }, () => {
  it('await retry(...) with backoff waits, retries and prints the result (exit 0)', async () => {
    const r = await runScript(
      'retry',
      `import { constantBackoff, retry } from '@armor/resilience';
let calls = 0;
const result = await retry(() => {
  calls++;
  if (calls < 3) throw new Error('flaky');
  return 'ok after ' + calls + ' calls';
}, { maxAttempts: 3, backoff: constantBackoff(100) });
console.log(result);
`,
    );
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('ok after 3 calls');
    expect(r.code).toBe(0);
  });

  it('await timeout(...) of a never-settling call rejects with TimeoutError (exit 0)', async () => {
    const r = await runScript(
      'timeout',
      `import { timeout } from '@armor/resilience';
try {
  await timeout(() => new Promise<never>(() => {}), 100);
  console.log('resolved?');
} catch (error) {
  console.log((error as Error).name);
}
`,
    );
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('TimeoutError');
    expect(r.code).toBe(0);
  });

  it('await hedge(...) starts the hedge after its delay (exit 0)', async () => {
    const r = await runScript(
      'hedge',
      `import { hedge } from '@armor/resilience';
const result = await hedge(({ attempt }) => (attempt === 1 ? new Promise<string>(() => {}) : 'hedged'), { delayMs: 100 });
console.log(result);
`,
    );
    expect(r.stdout.trim()).toBe('hedged');
    expect(r.code).toBe(0);
  });

  it('unref: true opts out: the script exits with 13 (unsettled top-level await) while the backoff waits', async () => {
    const r = await runScript(
      'unref',
      `import { constantBackoff, retry } from '@armor/resilience';
const result = await retry(() => { throw new Error('flaky'); }, { backoff: constantBackoff(5_000), unref: true });
console.log(result);
`,
    );
    expect(r.stdout).toBe('');
    expect(r.code).toBe(13);
  });
});
