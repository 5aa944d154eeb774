import { spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const serverScript = fileURLToPath(new URL('../test/shutdown-server.ts', import.meta.url));
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

interface Result {
  id: string;
  status?: number;
  error?: string;
  sentAt: number;
}

function get(port: number, path: string, id: string, agent: Agent | false): Promise<Result> {
  const sentAt = Date.now();
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, agent, headers: { 'x-id': id } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ id, status: res.statusCode ?? 0, sentAt }));
      res.on('error', (e: NodeJS.ErrnoException) => resolve({ id, error: e.code ?? e.message, sentAt }));
    });
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ id, error: e.code ?? e.message, sentAt }));
    req.end();
  });
}

describe('graceful shutdown under real load', () => {
  it('serves every accepted request, answers readiness 503 while draining, runs hooks in order, exits 0', async () => {
    const child = spawn(process.execPath, ['--conditions=@armor/source', '--import', 'tsx', serverScript], {
      env: { ...process.env, DELAY_MS: '400', WORK_MS: '300' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const lines: string[] = [];
    let buffer = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buffer += chunk;
      const parts = buffer.split('\n');
      buffer = parts.pop() ?? '';
      lines.push(...parts);
    });
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    const deadline = Date.now() + 20_000;
    while (!lines.some((l) => l.startsWith('listening ')) && Date.now() < deadline) await sleep(20);
    const port = Number(lines.find((l) => l.startsWith('listening '))!.split(' ')[1]);

    const keepAlive = new Agent({ keepAlive: true, maxSockets: 32 });
    const results: Promise<Result>[] = [];
    const readiness: Promise<Result>[] = [];
    let n = 0;
    let stop = false;
    let signalledAt = 0;
    // A steady stream: one request every 5 ms, alternating keep-alive and fresh connections.
    const load = (async () => {
      while (!stop) {
        const id = String(n++);
        results.push(get(port, '/work', id, n % 2 ? keepAlive : false));
        if (n % 10 === 0) readiness.push(get(port, '/health/ready', `r${n}`, false));
        await sleep(5);
      }
    })();
    await sleep(700);
    expect((await get(port, '/health/ready', 'pre', false)).status).toBe(200);
    signalledAt = Date.now();
    child.kill('SIGTERM');
    const code = await exited;
    stop = true;
    await load;
    const all = await Promise.all(results);
    const ready = await Promise.all(readiness);
    keepAlive.destroy();

    expect(code).toBe(0);
    const accepted = new Set(lines.filter((l) => l.startsWith('accepted ')).map((l) => l.slice('accepted '.length)));
    const failedAccepted = all.filter((r) => accepted.has(r.id) && r.status !== 200);
    // The stream was real: hundreds of requests, many of them accepted after the signal.
    expect(accepted.size).toBeGreaterThan(50);
    expect(all.filter((r) => accepted.has(r.id) && r.sentAt > signalledAt).length).toBeGreaterThan(10);
    expect(failedAccepted).toEqual([]);
    // Requests that were never accepted failed only because nothing listened any more.
    for (const r of all.filter((x) => !accepted.has(x.id))) expect(r.error).toMatch(/ECONNREFUSED|ECONNRESET|EPIPE/);
    // Readiness: 200 before the signal, 503 while draining.
    expect(ready.filter((r) => r.sentAt < signalledAt).every((r) => r.status === 200)).toBe(true);
    expect(ready.filter((r) => r.sentAt > signalledAt + 20 && r.status !== undefined).some((r) => r.status === 503)).toBe(true);
    expect(ready.filter((r) => r.sentAt > signalledAt + 20 && r.status !== undefined).every((r) => r.status === 503)).toBe(true);
    // Hooks ran in order; the stuck one was abandoned after its timeout.
    const order = lines.filter((l) => l.startsWith('hook ') || l.includes('"stuck"'));
    expect(order).toEqual(['hook first', 'log shutdown hook "stuck" failed', 'hook last']);
  }, 30_000);
});
