/**
 * `npm start` (scripts/start.sh) in a child process, as a newcomer runs it: Ctrl-C (SIGINT to the
 * whole process group, as a terminal sends it) ends it with exit 0, and a busy port prints one
 * line naming `PORT`. The install and the dashboard page build are skipped (ARMOR_START_SKIP_*):
 * the workspace is installed, and the express-app tests build the page themselves.
 */
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import { freePort } from '@armor/test-utils';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `npm start` in its own process group; `whenOutput` sees stdout as it grows and may return a signal to send to the group. */
function npmStart(port: number, whenOutput: (stdout: string) => NodeJS.Signals | undefined = () => undefined, timeoutMs = 120_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['start'], {
      cwd: root,
      detached: true,
      env: { ...process.env, PORT: String(port), ARMOR_START_SKIP_SETUP: '1', ARMOR_START_SKIP_DASHBOARD: '1', NODE_ENV: '', NODE_OPTIONS: '', VITEST: '', VITEST_POOL_ID: '', VITEST_WORKER_ID: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let signalled = false;
    const timer = setTimeout(() => {
      process.kill(-child.pid!, 'SIGKILL');
      reject(new Error(`npm start did not finish in ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const signal = signalled ? undefined : whenOutput(stdout);
      if (signal) {
        signalled = true;
        process.kill(-child.pid!, signal);
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

describe('npm start', () => {
  it('serves the demo; Ctrl-C shuts it down gracefully and exits 0, with no npm or pnpm error', async () => {
    const port = await freePort();
    const run = await npmStart(port, (out) => (new RegExp(`Dashboard:\\s+http://127\\.0\\.0\\.1:${port}/monitoring`).test(out) ? 'SIGINT' : undefined));
    expect(run.stdout, run.stderr).toContain('shutdown complete; exit 0');
    expect({ code: run.code, signal: run.signal }).toEqual({ code: 0, signal: null });
    const output = `${run.stdout}\n${run.stderr}`;
    expect(output).not.toMatch(/ERR_PNPM|npm warn|npm error|\[PLUGIN_TIMINGS\]/i);
  });

  it('a busy port prints one line naming PORT, no stack trace, and exits 1', async () => {
    const port = await freePort();
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
    try {
      const run = await npmStart(port);
      expect(run.code).toBe(1);
      const lines = run.stderr.split('\n').filter((l) => l.trim() && !/^npm (error|ERR!)/i.test(l));
      expect(lines).toEqual([`Port ${port} on 127.0.0.1 is already in use: stop the other server or set PORT, e.g. PORT=${port + 1} npm start`]);
      expect(run.stderr).not.toMatch(/^\s+at /m);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});
