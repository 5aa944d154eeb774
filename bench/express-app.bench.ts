/**
 * express-app: the full Armor stack (security headers, metrics middleware, API-key auth,
 * `api` rate-limit tier, validation, cache hit, problem+json error handler) against a bare
 * Express 5 app serving the same JSON from a Map — both answering GET /api/v1/comments/:id,
 * measured with autocannon in this process, interleaved A B A B over several rounds (median).
 * Then: graceful shutdown under load (zero failed requests expected).
 */
import { EventEmitter } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import autocannon from 'autocannon';
import express from 'express';
import { report } from './lib.ts';
import { loadConfig } from '../examples/express-app/src/config.ts';
import { createService } from '../examples/express-app/src/app.ts';
import { startServer } from '../examples/express-app/src/boot.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const DURATION_S = Number(process.env.BENCH_DURATION ?? 3);
const CONNECTIONS = 10;

function benchConfig() {
  const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: 'memory://' });
  // The bench measures the stack, not the limiter tripping: limits far above what we send.
  config.rateLimits = { auth: { limit: 1e9, windowMs: 60_000 }, api: { limit: 1e9, windowMs: 60_000, burst: 1e9 }, standard: { limit: 1e9, windowMs: 60_000 } };
  return config;
}

async function seed(service: Awaited<ReturnType<typeof createService>>) {
  const tenant = await service.repos.tenants.create('bench');
  const user = await service.repos.users.create({ tenantId: tenant.id, email: 'bench@x.test', name: 'Bench' });
  const key = await service.createApiKey(user.id, ['comments:read', 'comments:write', 'projects:read', 'projects:write']);
  const project = await service.repos.projects.create({ tenantId: tenant.id, name: 'bench', createdBy: user.id });
  const comment = await service.repos.comments.create({ projectId: project.id, authorId: user.id, html: '<p>Hello <b>bench</b></p>' });
  return { key, commentId: comment.id };
}

const run = (url: string, headers: Record<string, string>, duration = DURATION_S) =>
  autocannon({ url, connections: CONNECTIONS, duration, headers, pipelining: 1 });

// ---- armor: the full stack -------------------------------------------------------------------
const service = await createService(benchConfig());
const { key, commentId } = await seed(service);
const armorServer = await service.listen(0, '127.0.0.1');
const armorUrl = `http://127.0.0.1:${(armorServer.address() as AddressInfo).port}/api/v1/comments/${commentId}`;
const auth = { authorization: `Bearer ${key}` };
const first = await fetch(armorUrl, { headers: auth });
const body = await first.json();
if (first.status !== 200) throw new Error(`armor route answered ${first.status}: ${JSON.stringify(body)}`);

// ---- bare Express: the same route and JSON, from a Map -----------------------------------------
const bare = express();
const store = new Map([[commentId, body]]);
bare.get('/api/v1/comments/:id', (req, res) => {
  const found = store.get(req.params.id);
  if (!found) {
    res.status(404).end();
    return;
  }
  res.json(found);
});
const bareServer = await new Promise<Server>((resolve) => {
  const s = bare.listen(0, '127.0.0.1', () => resolve(s));
});
const bareUrl = `http://127.0.0.1:${(bareServer.address() as AddressInfo).port}/api/v1/comments/${commentId}`;

// warm-up
await run(armorUrl, auth, 1);
await run(bareUrl, auth, 1);

const a: { rps: number; p99: number; errors: number; non2xx: number }[] = [];
const b: typeof a = [];
for (let i = 0; i < ROUNDS; i++) {
  for (const [url, out] of [[armorUrl, a], [bareUrl, b]] as const) {
    const r = await run(url, auth);
    out.push({ rps: r.requests.average, p99: r.latency.p99, errors: r.errors, non2xx: r.non2xx });
  }
}
const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
report(`express-app cached GET /api/v1/comments/:id (full stack vs bare, autocannon ${CONNECTIONS} conns)`, median(a.map((x) => x.rps)), 'bare-express', median(b.map((x) => x.rps)));
console.log(`# p99 latency armor=${median(a.map((x) => x.p99))}ms bare-express=${median(b.map((x) => x.p99))}ms; armor errors=${a.reduce((s, x) => s + x.errors + x.non2xx, 0)}`);

await service.close();
await new Promise<void>((resolve) => bareServer.close(() => resolve()));

// ---- graceful shutdown under load ------------------------------------------------------------
// The load balancer's view: SIGTERM turns readiness 503 at once; during beforeShutdownDelayMs the
// balancer stops sending; then the listener closes and in-flight requests finish.
const config = benchConfig();
config.port = 0;
config.shutdownDelayMs = 1500;
const signals = new EventEmitter();
let exitCode: number | undefined;
const started = await startServer(config, { signalSource: signals, exit: (code) => (exitCode = code), quiet: true });
const seeded = await seed(started.service);
const url = `${started.base}/api/v1/comments/${seeded.commentId}`;
const load = run(url, { authorization: `Bearer ${seeded.key}` }, 2);
setTimeout(() => signals.emit('SIGTERM', 'SIGTERM'), 800).unref();
const result = await load;
const ready = await fetch(`${started.base}/health/ready`).then((r) => r.status).catch(() => 'closed');
while (exitCode === undefined) await new Promise((r) => setTimeout(r, 50));
console.log(
  `BENCH-SHUTDOWN express-app requests=${result.requests.total} errors=${result.errors} non2xx=${result.non2xx} timeouts=${result.timeouts} readiness-during-drain=${ready} exit=${exitCode}`,
);
process.exit(0);
