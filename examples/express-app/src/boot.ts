/**
 * Starts the service and installs graceful shutdown (`@armor/health/node`): on SIGTERM/SIGINT
 * readiness turns 503 at once, the listener closes after `shutdownDelayMs`, in-flight requests
 * finish, webhook deliveries drain, then the database and Redis close.
 *
 * @module
 */
import type { Server } from 'node:http';
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

export async function startServer(config: AppConfig, options: { signalSource?: SignalSource; exit?: (code: number) => void; quiet?: boolean } = {}): Promise<Started> {
  const service = await createService(config);
  const server = await service.listen();
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const base = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  const log = jsonLogger();
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
