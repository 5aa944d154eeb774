/**
 * Boots the service: validates the environment (one clear line and exit 1 on a bad variable),
 * opens the database, migrates, listens, and shuts down gracefully on SIGTERM/SIGINT.
 * With `DEMO=1` it also seeds data and runs the traffic generator.
 *
 * @module
 */
import { loadConfigOrExit, type AppConfig } from './config.js';
import { startServer } from './boot.js';

const config: AppConfig = loadConfigOrExit();

if (config.demo && !config.webhookUrl) {
  const { startFlakyWebhook } = await import('./demo.js');
  config.webhookUrl = (await startFlakyWebhook()).url;
}
const { service, base, shutdown } = await startServer(config).catch((error: unknown) => {
  // a taken port is the most common first-run problem: one line naming the variable that fixes it
  if ((error as { code?: unknown } | null)?.code === 'EADDRINUSE') {
    process.stderr.write(`Port ${config.port} on ${config.host} is already in use: stop the other server or set PORT, e.g. PORT=${config.port + 1} npm start\n`);
    process.exit(1);
  }
  throw error;
});
process.stdout.write(
  `${JSON.stringify({ level: 'info', msg: 'listening', url: base, database: config.database.kind, redis: Boolean(config.redisUrl), release: config.release, pid: process.pid })}\n`,
);

if (config.demo) {
  const { startDemo } = await import('./demo.js');
  const stopTraffic = await startDemo(service, base);
  shutdown.addHook({ name: 'demo traffic', run: () => stopTraffic() });
}
