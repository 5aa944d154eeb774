// One service instance for the fleet test: Express with @armor/metrics, errors recorded into the
// registry, a slow operation, and syncToFleet pushing to Redis. Run with tsx (source condition).
import express from 'express';
import { Redis } from 'ioredis';
import { createRegistry, recordError, trackOperation } from '@armor/metrics';
import { metricsEndpoint, metricsMiddleware } from '@armor/metrics/express';
import { redisFleetStore, syncToFleet } from '@armor/fleet';

const port = Number(process.env.PORT);
const registry = createRegistry();
registry.gauge({ name: 'health_ready', help: 'Readiness verdict (1 ready, 0 not)' }).set(1);
const client = new Redis(process.env.REDIS_URL!, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
client.on('error', () => undefined); // outages show up as store errors; ioredis reconnects by itself
const store = redisFleetStore({ client });
const sync = syncToFleet({ registry, store, instance: `127.0.0.1:${port}`, release: process.env.RELEASE ?? 'r1', intervalMs: 100 });

const app = express();
app.get('/metrics', metricsEndpoint(registry)); // before the middleware: scrapes are not requests of the service
app.use(metricsMiddleware({ registry }));
app.get('/ok', (_req, res) => {
  res.json({ ok: true });
});
app.get('/slow', async (_req, res) => {
  await trackOperation('db.report', () => new Promise((r) => setTimeout(r, 30)), { registry, slowMs: 10 });
  res.json({ ok: true });
});
app.get('/fail', (_req, res) => {
  const error = new Error('database is down');
  recordError(error, { registry });
  res.status(500).json({ error: 'internal' });
});
const server = app.listen(port, '127.0.0.1', () => console.log('ready'));
process.on('SIGTERM', () => {
  void sync.stop().finally(() => {
    server.close();
    client.disconnect();
    process.exit(0);
  });
});
