/**
 * `@armor/health/node`: graceful shutdown for Node HTTP servers. On SIGTERM/SIGINT readiness
 * flips to 503 at once, the `beforeShutdown` hooks run (pre-drain: stop consumers, end SSE
 * streams), the process waits `beforeShutdownDelayMs` for load balancers to notice, stops
 * accepting connections (the listener only: no connection is destroyed while draining), lets
 * in-flight requests finish and answers every request that still arrives on a kept-alive
 * connection with `Connection: close` (so it ends after that response) for up to
 * `drainTimeoutMs`, then force-closes lingering connections
 * (an open SSE stream, a stuck download), runs cleanup hooks in order with their own timeouts,
 * and exits 0. A second signal or `shutdownTimeoutMs` forces exit 1.
 *
 * @module
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import net from 'node:net';
import { checkFunction, checkMs, checkOptions, checkObject, systemClock } from '@armor/core';
import { ConfigurationError } from '@armor/errors';

/** A cleanup step run after the servers have drained (close pools, flush logs, ...). */
export interface ShutdownHook {
  /** Name used in log lines. */
  name: string;
  /** The cleanup. May be async. */
  run: () => unknown;
  /** Maximum run time (ms); a slower hook is abandoned and the next one runs. @default 5000 */
  timeoutMs?: number;
}

/** Where signals come from; `process` by default, injectable for tests. */
export interface SignalSource {
  on(signal: string, listener: () => void): unknown;
  removeListener(signal: string, listener: () => void): unknown;
}

/** Log sink for shutdown progress. */
export interface ShutdownLogger {
  info?(message: string, data?: Record<string, unknown>): void;
  warn?(message: string, data?: Record<string, unknown>): void;
  error?(message: string, data?: Record<string, unknown>): void;
}

/** Options of {@link gracefulShutdown}. */
export interface GracefulShutdownOptions {
  /** The health instance whose readiness flips to 503 at once (`markShuttingDown()`). */
  health?: { markShuttingDown(): void };
  /**
   * Milliseconds between the signal (readiness 503) and closing the listeners, so load
   * balancers stop routing new traffic first. Requests keep being served meanwhile.
   * @default 5000
   */
  beforeShutdownDelayMs?: number;
  /**
   * Grace period (ms) for in-flight requests once the listeners are closed. Connections still
   * open after it (an SSE stream, a long download, a client that never reads) are destroyed so
   * the cleanup hooks can run, like terminus' `timeout`. No connection is destroyed before it:
   * idle keep-alive connections end at the server's `keepAliveTimeout` (Node's default 5000 ms)
   * or after their next response (`Connection: close`), so keep this above `keepAliveTimeout`.
   * @default 10000, or half of `shutdownTimeoutMs - beforeShutdownDelayMs` when that is shorter
   */
  drainTimeoutMs?: number;
  /** Milliseconds after the signal when the process is forced to exit 1. @default 30000 */
  shutdownTimeoutMs?: number;
  /**
   * Pre-drain hooks, run in order right after readiness flips and before the listeners close
   * (terminus' `beforeShutdown`): end SSE streams and WebSockets politely, stop queue consumers.
   * Each has its own `timeoutMs`; a failing or slow one is logged and skipped.
   */
  beforeShutdown?: ShutdownHook[];
  /** Cleanup hooks, run in order after the servers drained. */
  hooks?: ShutdownHook[];
  /** Signals to handle. @default ['SIGTERM', 'SIGINT'] */
  signals?: string[];
  /** Signal source. @default process */
  signalSource?: SignalSource;
  /** Exit function. @default process.exit */
  exit?: (code: number) => void;
  /** Progress log. @default none */
  logger?: ShutdownLogger;
}

/** Handle returned by {@link gracefulShutdown}. */
export interface GracefulShutdown {
  /** Starts the shutdown sequence (what a signal does); resolves with the exit code it used. */
  shutdown(reason?: string): Promise<number>;
  /** Appends a cleanup hook. */
  addHook(hook: ShutdownHook): void;
  /** Whether the sequence has started. */
  readonly isShuttingDown: boolean;
  /** Requests currently being handled, over all servers. */
  readonly inFlight: number;
  /** Removes the signal listeners (for tests and hot reload). */
  dispose(): void;
}

const KNOWN = [
  'health', 'beforeShutdownDelayMs', 'drainTimeoutMs', 'shutdownTimeoutMs', 'beforeShutdown', 'hooks', 'signals', 'signalSource', 'exit', 'logger',
] as const;

function validateHooks(name: string, value: unknown): ShutdownHook[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new ConfigurationError(name, 'must be an array of { name, run, timeoutMs? }', { received: value });
  for (const [i, h] of (value as ShutdownHook[]).entries()) {
    checkObject(`${name}[${i}]`, h);
    if (typeof h?.run !== 'function') throw new ConfigurationError(`${name}[${i}].run`, 'must be a function', { received: h?.run });
    checkMs(`${name}[${i}].timeoutMs`, h.timeoutMs, { min: 1 });
  }
  return [...(value as ShutdownHook[])];
}

/**
 * Resolves after `ms` on a keep-alive timer (the timer rule: the process must not quit before
 * the hooks ran; `shutdownTimeoutMs` bounds everything).
 */
const sleep = (ms: number) => new Promise<void>((resolve) => systemClock.setTimeout(() => resolve(), ms));

/**
 * Installs graceful shutdown for one or more Node HTTP(S) servers.
 *
 * @example
 * ```ts
 * import { createHealth } from '@armor/health';
 * import { gracefulShutdown } from '@armor/health/node';
 *
 * const health = createHealth({ checks: { db: { check: () => pool.query('select 1') } } });
 * const server = app.listen(3000, () => health.markReady());
 * gracefulShutdown(server, {
 *   health,
 *   beforeShutdownDelayMs: 5000,
 *   drainTimeoutMs: 10_000,
 *   beforeShutdown: [{ name: 'sse', run: () => closeEventStreams() }],
 *   hooks: [{ name: 'postgres', run: () => pool.end(), timeoutMs: 5000 }],
 * });
 * ```
 */
export function gracefulShutdown(servers: Server | Server[] | undefined, options: GracefulShutdownOptions = {}): GracefulShutdown {
  const list = servers === undefined ? [] : Array.isArray(servers) ? servers : [servers];
  for (const s of list)
    if (typeof s?.close !== 'function' || typeof s.on !== 'function')
      throw new ConfigurationError('servers', 'must be Node http/https servers', { received: s });
  checkOptions('gracefulShutdown', options, KNOWN);
  checkMs('beforeShutdownDelayMs', options.beforeShutdownDelayMs);
  checkMs('drainTimeoutMs', options.drainTimeoutMs);
  checkMs('shutdownTimeoutMs', options.shutdownTimeoutMs, { min: 1 });
  checkFunction('exit', options.exit);
  const beforeShutdownDelayMs = options.beforeShutdownDelayMs ?? 5000;
  const shutdownTimeoutMs = options.shutdownTimeoutMs ?? 30_000;
  // By default the drain may take at most half of what is left after the delay, so the hooks
  // always get time before shutdownTimeoutMs forces exit 1.
  const drainTimeoutMs = options.drainTimeoutMs ?? Math.min(10_000, Math.max(0, (shutdownTimeoutMs - beforeShutdownDelayMs) / 2));
  const preHooks = validateHooks('beforeShutdown', options.beforeShutdown);
  const hooks = validateHooks('hooks', options.hooks);
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  const source: SignalSource = options.signalSource ?? process;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const log = options.logger ?? {};

  let shuttingDown = false;
  let exited = false;
  let inFlight = 0;
  let running: Promise<number> | undefined;

  const doExit = (code: number) => {
    if (exited) return;
    exited = true;
    dispose();
    exit(code);
  };

  // A response emits 'close' exactly once: one shared listener, no `once` wrapper or closure per request.
  const responseClosed = () => {
    inFlight--;
  };
  for (const server of list) {
    server.prependListener('request', (_req: IncomingMessage, res: ServerResponse) => {
      inFlight++;
      // During shutdown every response closes its connection, so keep-alive sockets end after it.
      // Node then ends the connection itself once that response is written.
      if (shuttingDown && !res.headersSent) res.setHeader('connection', 'close');
      res.on('close', responseClosed);
    });
  }

  /**
   * Stops accepting connections and calls `callback` once every connection has ended. Unlike
   * `http.Server#close` (Node ≥ 19) it never destroys idle keep-alive connections: one that
   * looks idle may carry a request the server has not read yet (a client reusing its pooled
   * socket at that moment, a connection accepted a moment ago), and destroying it resets that
   * request (ECONNRESET) instead of answering it. Such a connection ends without a race
   * instead: its next request is answered with `Connection: close` and the connection closes
   * after the response; an idle one is closed by its client before the keep-alive timeout the
   * server announced (`Keep-Alive: timeout=N`, honoured by Node's agent, browsers and load
   * balancers) or by the server when that timeout (`server.keepAliveTimeout`) runs out.
   * Whatever is still open after `drainTimeoutMs` is destroyed.
   */
  function stopListening(server: Server, callback: () => void): void {
    // Anything else that passed validation (a server-like object) closes its own way.
    if (server instanceof net.Server) net.Server.prototype.close.call(server, () => callback());
    else (server as { close(cb: () => void): unknown }).close(() => callback());
  }

  function closeServer(server: Server): Promise<void> {
    return new Promise((resolve) => {
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        systemClock.clearTimeout(grace);
        resolve();
      };
      // After the grace period, destroy whatever is still open (SSE, long downloads): the
      // hooks must run, and a stream that never ends would otherwise hold the exit hostage.
      const grace = systemClock.setTimeout(() => {
        if (done) return;
        log.warn?.('drain grace period over; closing lingering connections', { drainTimeoutMs, inFlight });
        server.closeAllConnections?.();
        // Node < 18.2 or a server without closeAllConnections: do not wait any longer.
        systemClock.setTimeout(finish, 50);
      }, drainTimeoutMs);
      // Also when the server is not listening (any more): finishes once its connections ended.
      stopListening(server, finish);
    });
  }

  async function runHook(hook: ShutdownHook): Promise<void> {
    const timeoutMs = hook.timeoutMs ?? 5000;
    let timer: unknown;
    try {
      await Promise.race([
        Promise.resolve().then(() => hook.run()),
        new Promise((_, reject) => {
          timer = systemClock.setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
      log.info?.(`shutdown hook "${hook.name}" done`);
    } catch (error) {
      log.warn?.(`shutdown hook "${hook.name}" failed`, { error: error instanceof Error ? error.message : String(error) });
    } finally {
      systemClock.clearTimeout(timer);
    }
  }

  async function sequence(reason: string): Promise<number> {
    shuttingDown = true;
    log.info?.('shutdown started', { reason, inFlight });
    try {
      options.health?.markShuttingDown();
    } catch {
      // a broken health object must not stop the shutdown
    }
    const force = systemClock.setTimeout(() => {
      log.error?.('shutdown timed out; forcing exit 1', { shutdownTimeoutMs, inFlight });
      doExit(1);
    }, shutdownTimeoutMs);
    if (preHooks.length) log.info?.('running beforeShutdown hooks', { hooks: preHooks.length });
    for (const hook of preHooks) {
      if (exited) return 1;
      await runHook(hook);
    }
    if (beforeShutdownDelayMs > 0) await sleep(beforeShutdownDelayMs);
    if (exited) return 1;
    log.info?.('closing listeners and draining', { inFlight });
    await Promise.all(list.map(closeServer));
    if (exited) return 1;
    log.info?.('drained; running hooks', { hooks: hooks.length });
    for (const hook of hooks) {
      if (exited) return 1;
      await runHook(hook);
    }
    systemClock.clearTimeout(force);
    if (exited) return 1;
    log.info?.('shutdown complete; exit 0');
    doExit(0);
    return 0;
  }

  const onSignal = (signal: string) => () => {
    if (shuttingDown) {
      log.warn?.(`second ${signal}; forcing exit 1`);
      doExit(1);
      return;
    }
    void handle.shutdown(signal);
  };
  const listeners = signals.map((signal) => [signal, onSignal(signal)] as const);
  for (const [signal, listener] of listeners) source.on(signal, listener);

  function dispose() {
    for (const [signal, listener] of listeners) source.removeListener(signal, listener);
  }

  const handle: GracefulShutdown = {
    shutdown(reason = 'shutdown()') {
      running ??= sequence(reason);
      return running;
    },
    addHook(hook) {
      if (typeof hook?.run !== 'function') throw new ConfigurationError('hook.run', 'must be a function', { received: hook?.run });
      checkMs('hook.timeoutMs', hook.timeoutMs, { min: 1 });
      hooks.push(hook);
    },
    get isShuttingDown() {
      return shuttingDown;
    },
    get inFlight() {
      return inFlight;
    },
    dispose,
  };
  return handle;
}
