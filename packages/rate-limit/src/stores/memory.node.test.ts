import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const packageDir = fileURLToPath(new URL('../..', import.meta.url));
const entry = new URL('../index.ts', import.meta.url).href;

// Runs in a separate Node process: limiters on memory stores (explicit and default) used
// across many keys, windows, sweeps and blocks, then reports what keeps its event loop alive.
const script = `
import { consumeAll, createRateLimiter, memoryStore } from ${JSON.stringify(entry)};
const store = memoryStore({ maxKeys: 50, sweepIntervalMs: 5 });
const limiters = [
  createRateLimiter({ algorithm: 'fixed-window', limit: 3, windowMs: 20, store, name: 'a' }),
  createRateLimiter({ algorithm: 'sliding-window', limit: 3, windowMs: 20, store, name: 'b', blockDurationMs: 60_000 }),
  createRateLimiter({ algorithm: 'token-bucket', limit: 3, windowMs: 20, store, name: 'c' }),
  createRateLimiter({ algorithm: 'gcra', limit: 3, windowMs: 20, name: 'default-store' }),
];
const until = Date.now() + 150;
for (let round = 0; Date.now() < until; round++) {
  for (const l of limiters) {
    for (let i = 0; i < 20; i++) {
      await l.consume('k' + ((round * 7 + i) % 80));
      l.consumeSync('s' + i);
      await l.penalize('p' + i, 2);
      await l.peek('k' + i);
    }
  }
  await consumeAll(limiters.slice(0, 3), 'all' + round);
  await new Promise((r) => setImmediate(r));
}
process.stdout.write(JSON.stringify({ size: store.size, resources: process.getActiveResourcesInfo() }) + '\\n');
`;

describe('memoryStore in a real Node process', () => {
  it('does not keep the process alive: the process exits on its own once its work is done', async () => {
    const child = spawn(process.execPath, ['--conditions=@armor/source', '--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: packageDir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let doneAt: number | undefined;
    let deadline: ReturnType<typeof setTimeout> | undefined;
    const exit = new Promise<{ code: number | null; hung: boolean; exitAfterDoneMs: number }>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (doneAt === undefined && out.includes('\n')) {
          doneAt = Date.now();
          // Nothing left to do: the process must end now, not after a timer (or never).
          deadline = setTimeout(() => {
            child.kill('SIGKILL');
            resolve({ code: null, hung: true, exitAfterDoneMs: Date.now() - doneAt! });
          }, 2_000);
        }
      });
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.once('error', reject);
      child.once('exit', (code) => {
        clearTimeout(deadline);
        resolve({ code, hung: false, exitAfterDoneMs: doneAt === undefined ? -1 : Date.now() - doneAt });
      });
    });
    const result = await exit;
    expect(err).toBe('');
    expect(result).toMatchObject({ code: 0, hung: false });
    expect(result.exitAfterDoneMs).toBeGreaterThanOrEqual(0); // it did report before exiting
    const report = JSON.parse(out) as { size: number; resources: string[] };
    expect(report.size).toBeLessThanOrEqual(50);
    // Not even a timer that would fire soon: no Timeout or Immediate holds the event loop.
    expect(report.resources.filter((r) => r === 'Timeout' || r === 'Immediate')).toEqual([]);
  }, 30_000);
});
