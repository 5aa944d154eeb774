/**
 * Starts the service and installs graceful shutdown (`@armor/health/node`): on SIGTERM/SIGINT
 * readiness turns 503 at once, the listener closes after `shutdownDelayMs`, in-flight requests
 * finish, webhook deliveries drain, then the database and Redis close.
 *
 * @module
 */
import type { Server } from 'node:http';
import net from 'node:net';
import { gracefulShutdown, type GracefulShutdown, type SignalSource } from '@armor/health/node';
import type { AppConfig } from './config.js';
import { createService, type Service } from './app.js';
import { jsonLogger } from './http/middleware.js';

export interface Started {
  service: Service;
  server: Server;
  /** `http://host:port` */
  base: string;
  shutdown: GracefulShutdown;
}

/**
 * Makes `server` end its keep-alive connections without resetting a request during shutdown.
 *
 * Node's `server.close()` (since v19) and `closeIdleConnections()` destroy every connection
 * without a request in progress — including one whose client has just sent a request that
 * the server has not read yet (a reused keep-alive socket, or a connection accepted a moment
 * ago). That client gets ECONNRESET instead of an answer. So here closing stops listening only
 * and idle connections are never destroyed; they end without a race instead: a connection
 * that sends again gets its answer with `Connection: close` (`gracefulShutdown` sets it on
 * every response after the signal) and is closed after it, and an idle one is closed by its
 * client before the keep-alive timeout the server announced (`Keep-Alive: timeout=5`; Node's
 * agent, browsers and load balancers honour it) or by the server when that timeout runs out.
 * Connections still open after the drain grace period are destroyed as before.
 */
export function endKeepAliveWithoutResets(server: Server): void {
  server.closeIdleConnections = () => undefined;
  server.close = function close(this: Server, callback?: (error?: Error) => void) {
    // net.Server's close: stop accepting; http.Server's would also destroy idle connections.
    net.Server.prototype.close.call(this, callback);
    return this;
  };
}

export async function startServer(config: AppConfig, options: { signalSource?: SignalSource; exit?: (code: number) => void; quiet?: boolean } = {}): Promise<Started> {
  const service = await createService(config);
  const server = await service.listen();
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const base = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  const log = jsonLogger();
  endKeepAliveWithoutResets(server);
  const shutdown = gracefulShutdown(server, {
    health: service.health,
    beforeShutdownDelayMs: config.shutdownDelayMs,
    shutdownTimeoutMs: config.shutdownTimeoutMs,
    hooks: [
      { name: 'webhook deliveries', run: () => service.webhook.idle(), timeoutMs: 5000 },
      { name: 'database and redis', run: () => service.close(), timeoutMs: 5000 },
    ],
    ...(options.signalSource ? { signalSource: options.signalSource } : {}),
    ...(options.exit ? { exit: options.exit } : {}),
    ...(options.quiet ? {} : { logger: { info: (msg: string) => log.info({ msg }), warn: (msg: string) => log.warn({ msg }), error: (msg: string) => log.error({ msg }) } }),
  });
  return { service, server, base, shutdown };
}
