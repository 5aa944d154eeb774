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
  /** PID of the running server (`undefined` while stopped). */
  readonly pid: number | undefined;
  /** Freezes the process (SIGSTOP): every client hangs, connections stay open. */
  freeze(): void;
  /** Thaws a frozen process (SIGCONT). */
  thaw(): void;
  /** SIGKILL: connections drop and new ones are refused until `start()`. */
  kill(): Promise<void>;
  /**
   * `CLIENT PAUSE ms ALL` sent on a fresh connection: every client hangs for `ms`. (On Redis
   * 7.0 an UNPAUSE is itself held until the pause ends, so give each pause its real duration.)
   */
  pause(ms: number): Promise<void>;
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
      proc.kill('SIGCONT');
      proc.kill('SIGTERM');
    });
  }

  async function kill(): Promise<void> {
    const proc = child;
    if (!proc) return;
    child = undefined;
    await new Promise<void>((resolve) => {
      if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
      proc.once('exit', () => resolve());
      proc.kill('SIGCONT');
      proc.kill('SIGKILL');
    });
  }

  function pause(ms: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      socket.setTimeout(2_000);
      socket.once('connect', () => socket.write(`CLIENT PAUSE ${Math.round(ms)} ALL\r\n`));
      socket.once('data', (chunk) => {
        socket.destroy();
        if (chunk.toString().startsWith('+OK')) resolve();
        else reject(new Error(`CLIENT PAUSE answered ${chunk.toString().trim()}`));
      });
      socket.once('timeout', () => {
        socket.destroy();
        reject(new Error('CLIENT PAUSE timed out'));
      });
      socket.once('error', reject);
    });
  }

  await start();
  process.once('exit', () => {
    child?.kill('SIGCONT');
    child?.kill('SIGKILL');
  });
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
    get pid() {
      return child?.pid;
    },
    freeze: () => {
      child?.kill('SIGSTOP');
    },
    thaw: () => {
      child?.kill('SIGCONT');
    },
    kill,
    pause,
  };
}
