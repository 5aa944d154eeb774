import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { freePort } from './net.js';

/** A running `redis-server` owned by the test. */
export interface RedisServer {
  host: '127.0.0.1';
  port: number;
  /** `redis://127.0.0.1:<port>` */
  url: string;
  /** Stops the server (SIGKILL-free: SIGTERM, then waits for exit). Idempotent. */
  stop(): Promise<void>;
  /** Starts it again on the same port (after `stop`), e.g. to test recovery after an outage. */
  start(): Promise<void>;
  /** `stop` then `start`. */
  restart(): Promise<void>;
}

const BIN = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((p) => existsSync(p));

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    socket.setTimeout(500);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      data += chunk.toString();
      if (data.includes('\r\n')) {
        socket.destroy();
        resolve(data.startsWith('+PONG'));
      }
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Starts a real Redis server on a free loopback port, without persistence. Throws a clear
 * error when `redis-server` is not installed (`apt-get install -y redis-server`; `.ci/run`
 * does it).
 *
 * @example
 * ```ts
 * let redis: RedisServer;
 * beforeAll(async () => { redis = await startRedis(); });
 * afterAll(() => redis.stop());
 * ```
 */
export async function startRedis(): Promise<RedisServer> {
  if (!BIN) throw new Error('redis-server is not installed: run `apt-get install -y redis-server` (bash .ci/run does)');
  const port = await freePort();
  let child: ChildProcess | undefined;

  async function start(): Promise<void> {
    if (child) return;
    const proc = spawn(BIN!, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no'], {
      stdio: 'ignore',
    });
    child = proc;
    proc.once('exit', () => {
      if (child === proc) child = undefined;
    });
    const deadline = Date.now() + 10_000;
    while (!(await ping(port))) {
      if (!child) throw new Error(`redis-server exited during start on port ${port}`);
      if (Date.now() > deadline) throw new Error(`redis-server did not answer PING on port ${port}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async function stop(): Promise<void> {
    const proc = child;
    if (!proc) return;
    child = undefined;
    await new Promise<void>((resolve) => {
      if (proc.exitCode !== null) return resolve();
      proc.once('exit', () => resolve());
      proc.kill('SIGTERM');
    });
  }

  await start();
  process.once('exit', () => child?.kill('SIGKILL'));
  return {
    host: '127.0.0.1',
    port,
    url: `redis://127.0.0.1:${port}`,
    stop,
    start,
    restart: async () => {
      await stop();
      await start();
    },
  };
}
