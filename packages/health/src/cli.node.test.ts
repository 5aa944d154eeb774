import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@armor/test-utils';
import { parseDuration, runHealthCli } from './cli.js';

const run = promisify(execFile);

describe('armor-health CLI', () => {
  let server: Server;
  let base = '';
  let readyAt = 0;
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/ready') {
        const ok = Date.now() >= readyAt;
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
    readyAt = Date.now() + 300;
    const lines: string[] = [];
    const code = await runHealthCli([`${base}/ready`, '--timeout', '5s', '--interval', '100ms'], { out: (l) => lines.push(l), err: (l) => lines.push(l) });
    expect(code).toBe(0);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^healthy: .* HTTP 200 status=pass after/);
  });

  it('exits 1 with the last reason when time runs out', async () => {
    const errs: string[] = [];
    const code = await runHealthCli([`${base}/down`, '--timeout=1s', '--interval=100ms'], { err: (l) => errs.push(l), out: () => {} });
    expect(code).toBe(1);
    expect(errs[0]).toMatch(/^unhealthy: .*last: HTTP 503/);
  });

  it('--expect decides whether warn counts as healthy', async () => {
    const quiet = { out: () => {}, err: () => {} };
    expect(await runHealthCli([`${base}/warn`, '--timeout', '250ms', '--interval', '100ms'], quiet)).toBe(1);
    expect(await runHealthCli([`${base}/warn`, '--expect', 'warn', '--timeout', '1s'], quiet)).toBe(0);
  });

  it('reports connection refused and bad usage', async () => {
    const errs: string[] = [];
    const closed = await freePort();
    expect(await runHealthCli([`http://127.0.0.1:${closed}/x`, '--timeout', '200ms', '--interval', '100ms'], { err: (l) => errs.push(l), out: () => {} })).toBe(1);
    expect(errs[0]).toMatch(/ECONNREFUSED/);
    expect(await runHealthCli([], { err: () => {} })).toBe(2);
    expect(await runHealthCli(['http://x', '--timeout', 'soon'], { err: () => {} })).toBe(2);
    expect(await runHealthCli(['http://x', '--expect', 'maybe'], { err: () => {} })).toBe(2);
    expect(await runHealthCli(['http://x', '--bogus'], { err: () => {} })).toBe(2);
  });

  it('runs as a real process (the bin) with exit code and one line', async () => {
    readyAt = 0;
    const ok = await run(process.execPath, ['--conditions=@armor/source', '--import', 'tsx', new URL('./cli.ts', import.meta.url).pathname, `${base}/ready`, '--timeout', '5s']);
    expect(ok.stdout.trim()).toMatch(/^healthy: /);
    const failed = await run(process.execPath, ['--conditions=@armor/source', '--import', 'tsx', new URL('./cli.ts', import.meta.url).pathname, `${base}/down`, '--timeout', '1s', '--interval', '100ms']).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => e,
    );
    expect(failed.code).toBe(1);
    expect(failed.stderr.trim()).toMatch(/^unhealthy: .*HTTP 503/);
  });
});
