/**
 * Boots the service: validates the environment (one clear line and exit 1 on a bad variable),
 * opens the database, migrates, listens, and shuts down gracefully on SIGTERM/SIGINT.
 * With `DEMO=1` it also seeds data and runs the traffic generator.
 *
 * @module
 */
import { ConfigError, loadConfig } from './config.js';
import { createService } from './app.js';

let config;
try {
  config = loadConfig(process.env);
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  throw error;
}

if (config.demo && !config.webhookUrl) {
  const { startFlakyWebhook } = await import('./demo.js');
  config.webhookUrl = (await startFlakyWebhook()).url;
}
const service = await createService(config);
const server = await service.listen();
const address = server.address();
const port = typeof address === 'object' && address ? address.port : config.port;
const base = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
process.stdout.write(`${JSON.stringify({ level: 'info', msg: 'listening', url: base, database: config.database.kind, redis: Boolean(config.redisUrl), release: config.release })}\n`);

if (config.demo) {
  const { startDemo } = await import('./demo.js');
  await startDemo(service, base);
}

let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  process.stdout.write(`${JSON.stringify({ level: 'info', msg: 'shutting down', signal })}\n`);
  const force = setTimeout(() => process.exit(1), config.shutdownTimeoutMs);
  force.unref();
  await service.close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));
