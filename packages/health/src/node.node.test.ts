import { EventEmitter } from 'node:events';
import { createServer, request, type Server } from 'node:http';
import { describe, expect, it } from 'vitest';
import { isArmorError } from '@armor/errors';
import { createHealth } from './index.js';
import { gracefulShutdown } from './node.js';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const listen = async (handler: Parameters<typeof createServer>[1]) => {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const a = server.address();
  return { server, port: typeof a === 'object' && a ? a.port : 0 };
};
const get = (port: number, path = '/') =>
  new Promise<{ status: number; connection: string | undefined }>((resolve, reject) => {
    request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection }));
    })
      .on('error', reject)
      .end();
  });

describe('gracefulShutdown (injected signals and exit)', () => {
  it('flips readiness at once, drains in-flight requests, runs hooks in order, exits 0', async () => {
    const health = createHealth();
    health.markReady();
    const { server, port } = await listen((_req, res) => setTimeout(() => res.end('ok'), 150));
    const signals = new EventEmitter();
    const exits: number[] = [];
    const order: string[] = [];
    const gs = gracefulShutdown(server, {
      health,
      signalSource: signals,
      exit: (c) => exits.push(c),
      beforeShutdownDelayMs: 50,
      hooks: [
        { name: 'a', run: async () => { await sleep(20); order.push('a'); } },
        { name: 'b', run: () => { throw new Error('boom'); } },
        { name: 'c', run: () => { order.push('c'); } },
      ],
    });
    const inflight = get(port);
    for (let i = 0; i < 200 && gs.inFlight === 0; i++) await sleep(5); // (a loaded machine may take a while to accept)
    expect(gs.inFlight).toBe(1);
    signals.emit('SIGTERM');
    expect(gs.isShuttingDown).toBe(true);
    expect((await health.ready()).status).toBe('fail');
    const res = await inflight;
    expect(res.status).toBe(200);
    expect(res.connection).toBe('close');
    await sleep(100);
    expect(order).toEqual(['a', 'c']);
    expect(exits).toEqual([0]);
    expect(server.listening).toBe(false);
    expect(signals.listenerCount('SIGTERM')).toBe(0);
  });

  it('a second signal forces exit 1', async () => {
    const { server } = await listen((_req, res) => res.end());
    const signals = new EventEmitter();
    const exits: number[] = [];
    gracefulShutdown(server, { signalSource: signals, exit: (c) => exits.push(c), beforeShutdownDelayMs: 200 });
    signals.emit('SIGINT');
    signals.emit('SIGTERM');
    expect(exits).toEqual([1]);
    await sleep(250);
    expect(exits).toEqual([1]);
    server.close();
  });

  it('shutdownTimeoutMs forces exit 1 when a request never finishes', async () => {
    const { server, port } = await listen(() => { /* never answers */ });
    const exits: number[] = [];
    const gs = gracefulShutdown(server, { signalSource: new EventEmitter(), exit: (c) => exits.push(c), beforeShutdownDelayMs: 0, shutdownTimeoutMs: 150, drainTimeoutMs: 10_000 });
    const hanging = get(port).catch(() => 'reset');
    await sleep(30);
    const code = gs.shutdown('test');
    await sleep(250);
    expect(exits).toEqual([1]);
    server.closeAllConnections();
    expect(await hanging).toBe('reset');
    expect(await code).toBe(1);
  });

  it('by default a request that never finishes is force-closed within half the remaining time, and the hooks still run (exit 0)', async () => {
    const { server, port } = await listen(() => { /* never answers */ });
    const exits: number[] = [];
    const order: string[] = [];
    const gs = gracefulShutdown(server, {
      signalSource: new EventEmitter(),
      exit: (c) => exits.push(c),
      beforeShutdownDelayMs: 0,
      shutdownTimeoutMs: 2000,
      beforeShutdown: [{ name: 'pre', run: () => void order.push('pre') }],
      hooks: [{ name: 'pool', run: () => void order.push('pool') }],
    });
    const hanging = get(port).catch(() => 'reset');
    for (let i = 0; i < 200 && gs.inFlight === 0; i++) await sleep(5);
    expect(await gs.shutdown('test')).toBe(0);
    expect(exits).toEqual([0]);
    expect(order).toEqual(['pre', 'pool']);
    expect(await hanging).toBe('reset');
  });

  it('refuses unknown options with the closest known name', () => {
    expect(() => gracefulShutdown(undefined, { signalSource: new EventEmitter(), shutdownTimeout: 5 } as never)).toThrow(/Unknown option "shutdownTimeout".*did you mean "shutdownTimeoutMs"/);
  });

  it('rejects bad options', () => {
    const bad: Array<[unknown, unknown, string]> = [
      [{}, {}, 'servers'],
      [undefined, { beforeShutdownDelayMs: -1 }, 'beforeShutdownDelayMs'],
      [undefined, { shutdownTimeoutMs: 0 }, 'shutdownTimeoutMs'],
      [undefined, { hooks: [{ name: 'x' }] }, 'hooks[0].run'],
      [undefined, { hooks: [{ name: 'x', run: () => 1, timeoutMs: Number.POSITIVE_INFINITY }] }, 'hooks[0].timeoutMs'],
      [undefined, { beforeShutdown: [{ name: 'x' }] }, 'beforeShutdown[0].run'],
      [undefined, { drainTimeoutMs: -5 }, 'drainTimeoutMs'],
    ];
    for (const [servers, options, option] of bad) {
      try {
        gracefulShutdown(servers as Server, { ...(options as object), signalSource: new EventEmitter() });
        expect.unreachable();
      } catch (error) {
        expect(isArmorError(error, 'CONFIGURATION_ERROR')).toBe(true);
        expect((error as { option: string }).option).toBe(option);
      }
    }
  });
});
