import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '@armor/core';
import { freePort } from '@armor/test-utils';
import { parseDuration, runHealthCli } from './cli.js';

const run = promisify(execFile);

/**
 * The CLI's time on a manual clock: only its waits between attempts move time, and its request
 * timeouts run on the same clock, so they never fire while a real request is answered. The
 * verdicts (attempts, elapsed time, last reason) do not depend on how loaded the machine is.
 */
function manualTime() {
  const clock = manualClock(Date.UTC(2026, 0, 1));
  return { clock, sleep: (ms: number) => clock.advanceAsync(ms) };
}

describe('armor-health CLI', () => {
  let server: Server;
  let base = '';
  /** `/ready` fails this many times, then passes. */
  let failuresBeforeReady = 0;
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/ready') {
        const ok = failuresBeforeReady-- <= 0;
        res.writeHead(ok ? 200 : 503, { 'content-type': 'application/health+json' });
        res.end(JSON.stringify(ok ? { status: 'pass' } : { status: 'fail', output: 'starting' }));
      } else if (req.url === '/warn') {
        res.writeHead(200, { 'content-type': 'application/health+json' });
        res.end(JSON.stringify({ status: 'warn', output: 'mailer down' }));
      } else {
        res.writeHead(503).end('down');
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const address = server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('parses durations', () => {
    expect(parseDuration('60s')).toBe(60_000);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('1.5m')).toBe(90_000);
    expect(parseDuration('2')).toBe(2000);
    expect(parseDuration('soon')).toBeUndefined();
  });

  it('polls until the endpoint passes, then exits 0', async () => {
    failuresBeforeReady = 3;
    const lines: string[] = [];
    const code = await runHealthCli([`${base}/ready`, '--timeout', '5s', '--interval', '100ms'], { out: (l) => lines.push(l), err: (l) => lines.push(l), ...manualTime() });
    expect(code).toBe(0);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^healthy: .* HTTP 200 status=pass after 0\.3s \(4 attempts\)$/);
  });

  it('exits 1 with the last reason when time runs out', async () => {
    const errs: string[] = [];
    const code = await runHealthCli([`${base}/down`, '--timeout=1s', '--interval=100ms'], { err: (l) => errs.push(l), out: () => {}, ...manualTime() });
    expect(code).toBe(1);
    expect(errs).toHaveLength(1);
    // an attempt every 100 ms from 0 to 1 s, each answered (503) by the real server
    expect(errs[0]).toMatch(/^unhealthy: .* not healthy after 1\.0s \(11 attempts\); last: HTTP 503$/);
  });

  it('a request the server does not answer in time is reported as timed out (request timeout on the clock)', async () => {
    const clock = manualClock();
    const errs: string[] = [];
    const hanging: typeof fetch = (_url, init) =>
      new Promise((_, reject) => init?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))));
    const done = runHealthCli(['http://127.0.0.1:1/hang', '--timeout', '3s', '--interval', '5s'], { err: (l) => errs.push(l), out: () => {}, fetch: hanging, clock });
    await clock.advanceAsync(2_999);
    expect(errs).toEqual([]);
    await clock.advanceAsync(1);
    expect(await done).toBe(1);
    expect(errs[0]).toMatch(/^unhealthy: .* after 3\.0s \(1 attempt\); last: request timed out$/);
  });

  it('--expect decides whether warn counts as healthy', async () => {
    const quiet = { out: () => {}, err: () => {} };
    expect(await runHealthCli([`${base}/warn`, '--timeout', '250ms', '--interval', '100ms'], { ...quiet, ...manualTime() })).toBe(1);
    expect(await runHealthCli([`${base}/warn`, '--expect', 'warn', '--timeout', '1s'], { ...quiet, ...manualTime() })).toBe(0);
  });

  it('reports connection refused and bad usage', async () => {
    const errs: string[] = [];
    const closed = await freePort();
    expect(await runHealthCli([`http://127.0.0.1:${closed}/x`, '--timeout', '200ms', '--interval', '100ms'], { err: (l) => errs.push(l), out: () => {}, ...manualTime() })).toBe(1);
    expect(errs[0]).toMatch(/ECONNREFUSED/);
    expect(await runHealthCli([], { err: () => {} })).toBe(2);
    expect(await runHealthCli(['http://x', '--timeout', 'soon'], { err: () => {} })).toBe(2);
    expect(await runHealthCli(['http://x', '--expect', 'maybe'], { err: () => {} })).toBe(2);
    expect(await runHealthCli(['http://x', '--bogus'], { err: () => {} })).toBe(2);
  });

  it('runs as a real process (the bin) with exit code and one line', async () => {
    // Real time here: one attempt each (the interval is longer than the timeout), whose request
    // may take up to the 20 s timeout, so a loaded machine cannot turn the answer into a timeout.
    failuresBeforeReady = 0;
    const ok = await run(process.execPath, ['--conditions=@armor/source', '--import', 'tsx', new URL('./cli.ts', import.meta.url).pathname, `${base}/ready`, '--timeout', '20s']);
    expect(ok.stdout.trim()).toMatch(/^healthy: .*\(1 attempt\)$/);
    const failed = await run(process.execPath, ['--conditions=@armor/source', '--import', 'tsx', new URL('./cli.ts', import.meta.url).pathname, `${base}/down`, '--timeout', '20s', '--interval', '30s']).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => e,
    );
    expect(failed.code).toBe(1);
    expect(failed.stderr.trim()).toMatch(/^unhealthy: .*\(1 attempt\); last: HTTP 503$/);
  });
});
