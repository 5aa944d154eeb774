// One service instance for the fleet test: Express with @armor/metrics, its readiness from
// @armor/health through instrumentHealth, process metrics (process_start_time_seconds tells the
// fleet about restarts), errors recorded into the registry, a slow operation, and syncToFleet
// pushing to Redis. Run with tsx (source condition).
// HOLD_METRICS=1: /metrics answers 503 until GET /admin/release-metrics, so the test can serve
// requests before the first scrape of a restarted instance.
import express from 'express';
import { Redis } from 'ioredis';
import { createHealth } from '@armor/health';
import { createRegistry, recordError, trackOperation } from '@armor/metrics';
import { instrumentHealth } from '@armor/metrics/bridges';
import { metricsEndpoint, metricsMiddleware } from '@armor/metrics/express';
import { collectProcessMetrics } from '@armor/metrics/node';
import { redisFleetStore, syncToFleet } from '@armor/fleet';

const port = Number(process.env.PORT);
const registry = createRegistry();
collectProcessMetrics(registry, { gc: false });
let notReady = false;
const health = createHealth({ checks: { toggle: { check: () => (notReady ? Promise.reject(new Error('switched off by the test')) : true) } } });
instrumentHealth(health, { registry });
let held = process.env.HOLD_METRICS === '1';
const client = new Redis(process.env.REDIS_URL!, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
client.on('error', () => undefined); // outages show up as store errors; ioredis reconnects by itself
const store = redisFleetStore({ client });
const sync = syncToFleet({ registry, store, instance: `127.0.0.1:${port}`, release: process.env.RELEASE ?? 'r1', intervalMs: 100 });

const app = express();
const metrics = metricsEndpoint(registry);
app.get('/metrics', (req, res) => (held ? res.status(503).send('held') : metrics(req, res))); // before the middleware: scrapes are not requests of the service
app.get('/admin/release-metrics', (_req, res) => {
  held = false;
  res.send('released');
});
app.get('/admin/not-ready', (_req, res) => {
  notReady = true;
  res.send('not ready');
});
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
const server = app.listen(port, '127.0.0.1', () => {
  health.markReady();
  console.log('ready');
});
process.on('SIGTERM', () => {
  void sync.stop().finally(() => {
    server.close();
    client.disconnect();
    process.exit(0);
  });
});
