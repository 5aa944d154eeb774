#!/usr/bin/env node
// One instance of the fleet demo (`DEMO_FLEET=1 npm start`, run by scripts/fleet-demo.mjs; run
// it with `node --conditions=@armor/source --import tsx`). It boots the service exactly as
// src/server.ts does with DEMO=1 (same config, same graceful shutdown), listening on PORT=0,
// and adds what a fleet member needs, all from the outside:
//   - every response carries `X-Armor-Instance: <host:port>`, the name Prometheus gives this
//     instance, so you can see which instance answered through the front port;
//   - the `health_ready` gauge (`instrumentHealth`), which the fleet view reads per instance;
//   - with REDIS_URL, `syncToFleet` pushes error groups and slow operations to the fleet store.
// The demo data, key and traffic generator run against this instance's own address (each
// instance may have its own database). When ready it prints one JSON line, `fleet instance ready`,
// which fleet-demo.mjs waits for.
import { Redis } from 'ioredis';
import { instrumentHealth } from '@armor/metrics/bridges';
import { redisFleetStore, syncToFleet } from '@armor/fleet';
import { loadConfigOrExit } from '../src/config.ts';
import { startServer } from '../src/boot.ts';
import { seed, startFlakyWebhook, startTraffic } from '../src/demo.ts';

const config = loadConfigOrExit();
if (!config.webhookUrl) config.webhookUrl = (await startFlakyWebhook()).url;
const { service, server, base, shutdown } = await startServer(config);
const address = server.address();
const instance = `127.0.0.1:${typeof address === 'object' && address ? address.port : config.port}`;
// Set before the app runs, so every answer names this instance (its own header, not the proxy's).
server.prependListener('request', (_req, res) => res.setHeader('x-armor-instance', instance));
shutdown.addHook({ name: 'health gauge', run: instrumentHealth(service.health, { registry: service.registry }) });

if (config.redisUrl) {
  // Its own client, so the last push still runs after the service has closed its Redis client.
  const client = new Redis(config.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2000 });
  client.on('error', () => undefined); // a Redis outage shows in the fleet store's failures, not as an unhandled event
  const sync = syncToFleet({ registry: service.registry, store: redisFleetStore({ client }), instance, release: config.release });
  shutdown.addHook({
    name: 'fleet sync',
    run: async () => {
      await sync.stop();
      client.disconnect();
    },
    timeoutMs: 3000,
  });
}

const data = await seed(service);
const key = await service.createApiKey(data.userIds[0], ['projects:read', 'projects:write', 'comments:read', 'comments:write'], 'demo');
const stopTraffic = startTraffic(service, base, key, data);
shutdown.addHook({ name: 'demo traffic', run: () => stopTraffic() });
process.stdout.write(`${JSON.stringify({ level: 'info', msg: 'fleet instance ready', instance, url: base, key, projectId: data.projectIds[0], pid: process.pid })}\n`);
