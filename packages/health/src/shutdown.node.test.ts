import { spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const serverScript = fileURLToPath(new URL('../test/shutdown-server.ts', import.meta.url));
const sseScript = fileURLToPath(new URL('../test/shutdown-sse-server.ts', import.meta.url));
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
  // Verdicts come from the order of events (the server's stdout is one ordered stream, and a
  // request's order number says whether it was sent before or after a step of the test) and from
  // the server's own clock, never from how fast either process runs: a gate (a beforeShutdown
  // hook the test releases) holds the server in the state the delay gives (readiness 503,
  // listeners and keep-alive sockets open) for as long as the test needs, on any machine.
  it('serves every accepted request, answers readiness 503 while draining, runs hooks in order, exits 0', async () => {
    const DELAY_MS = 400;
    const child = spawn(process.execPath, ['--conditions=@armor/source', '--import', 'tsx', serverScript], {
      env: { ...process.env, DELAY_MS: String(DELAY_MS), WORK_MS: '300', GATE: '1' },
      stdio: ['pipe', 'pipe', 'inherit'],
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
    const until = async (what: string, ok: () => boolean) => {
      const deadline = Date.now() + 60_000; // a generous cap that only stops a broken run
      while (!ok()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; output: ${lines.slice(-20).join(' | ')}`);
        await sleep(10);
      }
    };
    const index = (prefix: string) => lines.findIndex((l) => l.startsWith(prefix));
    const acceptedLines = () => lines.filter((l) => l.startsWith('accepted ')).length;
    await until('listening', () => index('listening ') >= 0);
    const port = Number(lines[index('listening ')]!.split(' ')[1]);

    const keepAlive = new Agent({ keepAlive: true, maxSockets: 32 });
    /** Order numbers: a request's `order` is below `goOrder` iff it was sent before the gate was released. */
    let order = 0;
    const sent = new Map<string, number>();
    const results: Promise<Result>[] = [];
    const send = (path: string, id: string, agent: Agent | false) => {
      sent.set(id, ++order);
      const result = get(port, path, id, agent);
      results.push(result);
      return result;
    };
    let n = 0;
    let stop = false;
    // A steady stream: 16 clients, each sending its next request when the last one is answered,
    // alternating keep-alive and fresh connections; every 10th is a readiness probe.
    const client = async () => {
      while (!stop) {
        const i = n++;
        await (i % 10 === 9 ? send('/health/ready', `r${i}`, false) : send('/work', String(i), i % 2 ? keepAlive : false));
      }
    };
    const load = Promise.all(Array.from({ length: 16 }, client));
    await until('60 accepted requests', () => acceptedLines() >= 60);
    expect((await get(port, '/health/ready', 'pre', false)).status).toBe(200);

    child.kill('SIGTERM');
    await until('the shutdown to start', () => index('log shutdown started') >= 0);
    // The server is shutting down and gated: a burst on fresh and on reused keep-alive
    // connections, and readiness probes. The load balancer may still route to us: every one is served.
    const burst = await Promise.all([
      ...Array.from({ length: 10 }, (_, i) => send('/work', `burst-fresh-${i}`, false)),
      ...Array.from({ length: 10 }, (_, i) => send('/work', `burst-kept-${i}`, keepAlive)),
    ]);
    const readyWhileShuttingDown = await Promise.all(Array.from({ length: 3 }, (_, i) => send('/health/ready', `burst-ready-${i}`, false)));
    expect(burst.map((r) => r.status)).toEqual(Array.from({ length: 20 }, () => 200));
    expect(readyWhileShuttingDown.map((r) => r.status)).toEqual([503, 503, 503]);

    // Requests numbered below goOrder were sent (their connection opened, their bytes written)
    // before the release: a macrotask passes between the two.
    const goOrder = ++order;
    await new Promise((r) => setImmediate(r));
    child.stdin.write('go\n');
    const code = await exited;
    stop = true;
    await load;
    const all = await Promise.all(results);
    keepAlive.destroy();

    expect(code).toBe(0);
    const accepted = new Set(lines.filter((l) => l.startsWith('accepted ')).map((l) => l.slice('accepted '.length)));
    // The stream was real: many requests, and many accepted after the signal.
    expect(accepted.size).toBeGreaterThan(60);
    const started = index('log shutdown started');
    const acceptedAfterSignal = lines.slice(started).filter((l) => l.startsWith('accepted ')).length;
    expect(acceptedAfterSignal).toBeGreaterThanOrEqual(20);
    // Every accepted request was served.
    const work = all.filter((r) => !r.id.startsWith('r') && !r.id.startsWith('burst-ready'));
    expect(work.filter((r) => accepted.has(r.id) && r.status !== 200)).toEqual([]);
    // Nothing sent before the gate was released (while the load balancer may still route to
    // us) was refused or reset, on fresh or reused keep-alive connections; requests that were
    // never accepted failed only because nothing listened any more.
    const failed = all.filter((r) => r.status === undefined);
    expect(failed.filter((r) => sent.get(r.id)! < goOrder)).toEqual([]);
    for (const r of work.filter((x) => !accepted.has(x.id))) expect(r.error).toMatch(/ECONNREFUSED|ECONNRESET|EPIPE/);
    // The delay after the gate was kept in full (the server's own clock).
    const released = Number(lines[index('released ')]!.split(' ')[1]);
    const closing = Number(lines[index('closing ')]!.split(' ')[1]);
    expect(closing - released).toBeGreaterThanOrEqual(DELAY_MS - 1);
    expect(index('released ')).toBeLessThan(index('closing '));
    // Readiness, in the server's order of events: 200 before the signal, 503 from then on.
    const readyBefore = lines.slice(0, started).filter((l) => l.startsWith('ready '));
    const readyAfter = lines.slice(started).filter((l) => l.startsWith('ready '));
    expect(readyBefore.length).toBeGreaterThan(0);
    expect(readyBefore.every((l) => l === 'ready 200')).toBe(true);
    expect(readyAfter.length).toBeGreaterThanOrEqual(3);
    expect(readyAfter.every((l) => l === 'ready 503')).toBe(true);
    // Hooks ran in order; the stuck one was abandoned after its timeout.
    const hookOrder = lines.filter((l) => l.startsWith('hook ') || l.includes('"stuck"'));
    expect(hookOrder).toEqual(['hook first', 'log shutdown hook "stuck" failed', 'hook last']);
  }, 120_000);

  it('keeps idle keep-alive connections open during the delay; their next response says connection: close', async () => {
    const child = spawn(process.execPath, ['--conditions=@armor/source', '--import', 'tsx', serverScript], {
      env: { ...process.env, DELAY_MS: '3000', WORK_MS: '30' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => (out += chunk));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    const deadline = Date.now() + 20_000;
    while (!/listening \d+/.test(out) && Date.now() < deadline) await sleep(20);
    const port = Number(/listening (\d+)/.exec(out)![1]);

    // A raw keep-alive connection: one request, then idle.
    const socket = connect(port, '127.0.0.1');
    socket.setEncoding('utf8');
    let received = '';
    let closedAt = 0;
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('close', () => (closedAt = Date.now()));
    const send = (id: string) => socket.write(`GET /work HTTP/1.1\r\nhost: localhost\r\nx-id: ${id}\r\n\r\n`);
    const responses = () => received.split('HTTP/1.1 ').length - 1;
    send('idle-1');
    while (responses() < 1 || !received.includes('{"ok":true}')) await sleep(5);
    expect(received).toMatch(/connection: keep-alive/i);

    const signalledAt = Date.now();
    child.kill('SIGTERM');
    await sleep(50);
    // Another client's request completes during the delay.
    expect((await get(port, '/work', 'other', false)).status).toBe(200);
    await sleep(200);
    // The idle connection was left alone: the load balancer may still send on it.
    expect(closedAt).toBe(0);
    const before = received.length;
    send('idle-2');
    while (received.length === before || !received.slice(before).includes('{"ok":true}')) {
      if (closedAt !== 0) break;
      await sleep(5);
    }
    const second = received.slice(before);
    expect(second).toMatch(/^HTTP\/1\.1 200/);
    expect(second).toMatch(/connection: close/i);
    expect(Date.now() - signalledAt).toBeLessThan(3000);
    expect(await exited).toBe(0);
    socket.destroy();
  }, 30_000);

  it('an open SSE stream and keep-alive clients: pre-drain hook, lingering connections force-closed after the grace period, every hook in order, exit 0 within shutdownTimeoutMs (issue 17 #4)', async () => {
    const SHUTDOWN_TIMEOUT_MS = 5000;
    const child = spawn(process.execPath, ['--conditions=@armor/source', '--import', 'tsx', sseScript], {
      env: { ...process.env, DELAY_MS: '300', DRAIN_MS: '700', WORK_MS: '100', SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS) },
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
    let exitedAt = 0;
    const exited = new Promise<number | null>((r) =>
      child.on('exit', (code) => {
        exitedAt = Date.now();
        r(code);
      }),
    );
    const deadline = Date.now() + 20_000;
    while (!lines.some((l) => l.startsWith('listening ')) && Date.now() < deadline) await sleep(20);
    const port = Number(lines.find((l) => l.startsWith('listening '))!.split(' ')[1]);

    // The SSE client: a long-lived response that never ends on its own.
    let sseData = '';
    let sseEndedAt = 0;
    const sse = new Promise<void>((resolve) => {
      const req = request({ host: '127.0.0.1', port, path: '/events', agent: false }, (res) => {
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (sseData += chunk));
        res.on('close', () => {
          sseEndedAt = Date.now();
          resolve();
        });
      });
      req.on('error', () => {
        sseEndedAt ||= Date.now();
        resolve();
      });
      req.end();
    });
    while (!sseData.includes('hello')) await sleep(10);

    // Keep-alive clients: warm up their sockets, then keep sending short requests.
    const keepAlive = new Agent({ keepAlive: true, maxSockets: 4 });
    for (let i = 0; i < 4; i++) expect((await get(port, '/work', `warm-${i}`, keepAlive)).status).toBe(200);
    const results: Promise<Result>[] = [];
    let n = 0;
    let stop = false;
    const load = (async () => {
      while (!stop) {
        results.push(get(port, '/work', `k${n++}`, keepAlive));
        await sleep(20);
      }
    })();
    await sleep(100);
    const signalledAt = Date.now();
    child.kill('SIGTERM');
    const code = await exited;
    stop = true;
    await load;
    await sse;
    const all = await Promise.all(results);
    keepAlive.destroy();

    expect(code).toBe(0);
    expect(exitedAt - signalledAt).toBeLessThan(SHUTDOWN_TIMEOUT_MS);
    // The SSE stream was cut by the server after the grace period (not before the delay ended).
    expect(sseEndedAt).toBeGreaterThan(signalledAt + 300);
    expect(lines).toContain('log drain grace period over; closing lingering connections');
    // Every hook ran, in order: pre-drain first, cleanup after the drain.
    expect(lines.filter((l) => l.startsWith('step '))).toEqual(['step before-shutdown', 'step hook db-pool', 'step hook flush-logs']);
    expect(lines.indexOf('step before-shutdown')).toBeLessThan(lines.indexOf('log closing listeners and draining'));
    // Every accepted short request was answered.
    const accepted = new Set(lines.filter((l) => l.startsWith('accepted k')).map((l) => l.slice('accepted '.length)));
    expect(accepted.size).toBeGreaterThan(3);
    expect(all.filter((r) => accepted.has(r.id) && r.status !== 200)).toEqual([]);
    for (const r of all.filter((x) => !accepted.has(x.id))) expect(r.error).toMatch(/ECONNREFUSED|ECONNRESET|EPIPE/);
  }, 30_000);
});
