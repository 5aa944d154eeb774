/**
 * express-app: the full Armor stack (security headers, metrics middleware, API-key auth,
 * `api` rate-limit tier, validation, cache hit, problem+json error handler) against a bare
 * Express 5 app serving the same JSON from a Map — both answering GET /api/v1/comments/:id,
 * measured with autocannon in this process, interleaved A B A B over several rounds (median).
 * Then: graceful shutdown under load — a keep-alive load loop (node:http, one request id per
 * request, seen server-side) that runs until after the process would have exited, plus slow
 * uploads straddling the moment the listener closes. Exits 1 when an accepted request failed,
 * readiness was not 503 during the drain, the exit code was not 0, or the test was vacuous.
 */
import { EventEmitter } from 'node:events';
import { Agent, request, type IncomingMessage, type Server } from 'node:http';
import { Server as NetServer, type AddressInfo } from 'node:net';
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
  config.rateLimits = { auth: { account: { limit: 1e9, windowMs: 60_000 }, ip: { limit: 1e9, windowMs: 60_000 } }, api: { limit: 1e9, windowMs: 60_000, burst: 1e9 }, standard: { limit: 1e9, windowMs: 60_000 }, authFailures: { limit: 1e9, windowMs: 60_000 } };
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
// Full stack vs bare Express on a cached GET /api/v1/comments/:id, autocannon with CONNECTIONS connections.
report(`express-app-cached-get-comment-${CONNECTIONS}conns`, median(a.map((x) => x.rps)), 'bare-express', median(b.map((x) => x.rps)));
console.log(`# p99 latency armor=${median(a.map((x) => x.p99))}ms bare-express=${median(b.map((x) => x.p99))}ms; armor errors=${a.reduce((s, x) => s + x.errors + x.non2xx, 0)}`);

await service.close();
await new Promise<void>((resolve) => bareServer.close(() => resolve()));


// ---- graceful shutdown under load ------------------------------------------------------------
// The load balancer's view: SIGTERM turns readiness 503 at once; during beforeShutdownDelayMs the
// balancer stops sending; then the listener closes and in-flight requests finish.
//
// autocannon cannot say whether a failed request ever reached the server (its `errors` mixes
// refused connects, resets of stale keep-alive sockets and resets mid-response), so this uses a
// hand-rolled loop: every request carries `x-bench-id`, the server records the ids it accepted
// (its 'request' event), and each client outcome is classified against that ground truth:
//   - accepted by the server  → must end in a complete 2xx response, anything else is a FAILURE;
//   - not accepted, ECONNREFUSED after the listener closed → expected (new connection refused);
//   - not accepted, refused before the listener closed → FAILURE (it should still accept);
//   - not accepted, reset/hang-up on a reused keep-alive socket → the keep-alive close race
//     (the request never reached the server, safe to retry); reported, not a failure.
// Slow uploads (headers sent before the close, body finished after it) guarantee requests are in
// flight when the listener closes, so a drain that drops them cannot pass.
const SHUTDOWN_DELAY_MS = 1500;
const SIGTERM_AT_MS = 800;
const SLOW_UPLOADS = 3;
const TAIL_MS = 500; // keep loading this long after the process exit
const config = benchConfig();
config.port = 0;
config.host = '127.0.0.1';
config.shutdownDelayMs = SHUTDOWN_DELAY_MS;
const signals = new EventEmitter();
let exitCode: number | undefined;
let exitedAt = Number.NaN;
const started = await startServer(config, {
  signalSource: signals,
  exit: (code) => {
    exitCode = code;
    exitedAt = performance.now();
  },
  quiet: true,
});
const seeded = await seed(started.service);
const target = new URL(`${started.base}/api/v1/comments/${seeded.commentId}`);
const bearer = `Bearer ${seeded.key}`;

// Server-side ground truth: which request ids were accepted, and whether before or after the close.
let closedAt = Number.NaN;
let inFlightAtClose = -1;
const accepted = new Map<string, 'before-close' | 'after-close'>();
started.server.prependListener('request', (req: IncomingMessage) => {
  const id = req.headers['x-bench-id'];
  if (typeof id === 'string') accepted.set(id, Number.isNaN(closedAt) ? 'before-close' : 'after-close');
});
const closeHooks: (() => void)[] = [];
// The moment the listener stops accepting. `gracefulShutdown` (@armor/health) stops listening
// with net.Server's own close (http.Server's would destroy idle keep-alive connections), called
// on the prototype, and the app's close() calls the instance's: watch both, for this server only.
const markClosed = () => {
  // First call only: gracefulShutdown closes the listener; the app's own close() hook calls it again.
  if (Number.isNaN(closedAt)) {
    closedAt = performance.now();
    inFlightAtClose = started.shutdown.inFlight;
    for (const hook of closeHooks) hook();
  }
};
const netClose = NetServer.prototype.close;
NetServer.prototype.close = function close(this: NetServer, ...args: Parameters<NetServer['close']>) {
  if (this === started.server) markClosed();
  return netClose.apply(this, args);
};
const closeListener = started.server.close.bind(started.server);
started.server.close = ((callback?: (error?: Error) => void) => {
  markClosed();
  return closeListener(callback);
}) as Server['close'];

interface Outcome {
  id: string;
  kind: 'fast' | 'slow';
  status?: number;
  complete?: boolean;
  error?: string;
  reused: boolean;
  at: number;
}
const outcomes: Outcome[] = [];
let seq = 0;
const nextId = (kind: string) => `${kind}-${++seq}`;

function fastRequest(agent: Agent): Promise<Outcome> {
  const id = nextId('fast');
  return new Promise((resolve) => {
    let reused = false;
    const done = (o: Omit<Outcome, 'id' | 'kind' | 'reused' | 'at'>) => resolve({ id, kind: 'fast', reused, at: performance.now(), ...o });
    const req = request(target, { agent, headers: { authorization: bearer, 'x-bench-id': id }, timeout: 5000 }, (res) => {
      let ended = false;
      res.on('data', () => {});
      res.on('end', () => {
        ended = true;
        done({ status: res.statusCode!, complete: res.complete });
      });
      res.on('error', (e: NodeJS.ErrnoException) => done({ status: res.statusCode!, complete: false, error: e.code ?? e.message }));
      res.on('close', () => {
        if (!ended) done({ status: res.statusCode!, complete: false, error: 'closed mid-response' });
      });
    });
    req.on('socket', () => (reused = req.reusedSocket));
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    req.on('error', (e: NodeJS.ErrnoException) => done({ error: e.code ?? e.message }));
    req.end();
  });
}

/** POST /api/v1/projects whose body is finished only `afterCloseMs` after the listener closed. */
function slowUpload(afterCloseMs: number): Promise<Outcome> {
  const id = nextId('slow');
  const body = JSON.stringify({ name: `in flight ${id}` });
  return new Promise((resolve) => {
    const done = (o: Omit<Outcome, 'id' | 'kind' | 'reused' | 'at'>) => resolve({ id, kind: 'slow', reused: false, at: performance.now(), ...o });
    const req = request(
      new URL('/api/v1/projects', started.base),
      { method: 'POST', agent: false, headers: { authorization: bearer, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), 'x-bench-id': id }, timeout: 10_000 },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => done({ status: res.statusCode!, complete: res.complete, ...(res.statusCode === 201 ? {} : { error: text.slice(0, 200) }) }));
        res.on('error', (e: NodeJS.ErrnoException) => done({ status: res.statusCode!, complete: false, error: e.code ?? e.message }));
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    req.on('error', (e: NodeJS.ErrnoException) => done({ error: e.code ?? e.message }));
    req.flushHeaders();
    req.write(body.slice(0, 5));
    closeHooks.push(() => setTimeout(() => req.end(body.slice(5)), afterCloseMs));
  });
}

const loadStart = performance.now();
let stopLoad = false;
const workers = Array.from({ length: CONNECTIONS }, async () => {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  while (!stopLoad) {
    const o = await fastRequest(agent);
    outcomes.push(o);
    // Refused connects return at once; do not spin the CPU while the port is closed.
    if (o.error === 'ECONNREFUSED') await new Promise((r) => setTimeout(r, 5));
  }
  agent.destroy();
});

await new Promise((r) => setTimeout(r, SIGTERM_AT_MS));
const readyBefore = await fetch(`${started.base}/health/ready`).then((r) => r.status, () => 'error');
const sigtermAt = performance.now();
signals.emit('SIGTERM', 'SIGTERM');
await new Promise((r) => setTimeout(r, 100));
// A fresh connection, as a load balancer's probe would use; the listener is still open here.
const readyDuringDrain = await fetch(`${started.base}/health/ready`, { headers: { connection: 'close' } }).then((r) => r.status, () => 'error');
// Slow uploads start well inside the delay window and finish 300 ms after the listener closed.
await new Promise((r) => setTimeout(r, SHUTDOWN_DELAY_MS / 2));
const slow = Array.from({ length: SLOW_UPLOADS }, () => slowUpload(300));

const deadline = sigtermAt + config.shutdownTimeoutMs + 5000;
while (exitCode === undefined && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
await new Promise((r) => setTimeout(r, TAIL_MS));
stopLoad = true;
await Promise.all(workers);
const loadEnd = performance.now();
outcomes.push(...(await Promise.all(slow)));

// ---- classify --------------------------------------------------------------------------------
const failures: string[] = [];
const count = { ok: 0, acceptedBeforeClose: 0, acceptedAfterClose: 0, acceptedFailed: 0, refusedAfterClose: 0, refusedBeforeClose: 0, keepAliveRace: 0, resetAtClose: 0, otherUnaccepted: 0, slowOk: 0 };
const samples: string[] = [];
const raceAt: number[] = [];
const RESET = new Set(['ECONNRESET', 'socket hang up', 'EPIPE']);
for (const o of outcomes) {
  const phase = accepted.get(o.id);
  const ok = o.error === undefined && o.complete === true && o.status !== undefined && o.status >= 200 && o.status < 300;
  if (phase === 'before-close') count.acceptedBeforeClose++;
  if (phase === 'after-close') count.acceptedAfterClose++;
  if (ok) {
    count.ok++;
    if (o.kind === 'slow') count.slowOk++;
    continue;
  }
  if (phase) {
    count.acceptedFailed++;
    if (samples.length < 5) samples.push(`${o.id} accepted ${phase}: status=${o.status ?? '-'} error=${o.error ?? '-'} at=+${Math.round(o.at - closedAt)}ms from close`);
  } else if (o.error === 'ECONNREFUSED') {
    if (Number.isNaN(closedAt) || o.at < closedAt) count.refusedBeforeClose++;
    else count.refusedAfterClose++;
  } else if (o.reused && RESET.has(o.error ?? '')) {
    count.keepAliveRace++;
    raceAt.push(o.at - sigtermAt);
  } else if (!Number.isNaN(closedAt) && o.at >= closedAt && RESET.has(o.error ?? '')) {
    // A fresh connection the kernel had queued, or Node had accepted but not yet read a request
    // from, when the listener closed: reset without the request reaching the app, like a refusal.
    count.resetAtClose++;
  } else {
    count.otherUnaccepted++;
    if (samples.length < 5) samples.push(`${o.id} not accepted: status=${o.status ?? '-'} error=${o.error ?? '-'} reused=${o.reused} at=+${Math.round(o.at - closedAt)}ms from close`);
  }
}
const ms = (x: number) => (Number.isNaN(x) ? 'never' : `${Math.round(x - loadStart)}ms`);

if (count.acceptedFailed > 0) failures.push(`${count.acceptedFailed} request(s) accepted by the server did not get a complete 2xx answer: ${samples.join('; ')}`);
if (count.refusedBeforeClose > 0) failures.push(`${count.refusedBeforeClose} connection(s) refused before the listener closed`);
if (count.otherUnaccepted > 0) failures.push(`${count.otherUnaccepted} request(s) failed in an unexpected way without reaching the server: ${samples.join('; ')}`);
if (readyBefore !== 200) failures.push(`readiness before SIGTERM was ${readyBefore}, expected 200`);
if (readyDuringDrain !== 503) failures.push(`readiness during the drain was ${readyDuringDrain}, expected 503`);
if (exitCode !== 0) failures.push(`server exit code ${exitCode ?? 'none (did not exit)'}, expected 0`);
if (Number.isNaN(closedAt)) failures.push('the listener never closed');
if (count.slowOk !== SLOW_UPLOADS) failures.push(`${SLOW_UPLOADS - count.slowOk} of ${SLOW_UPLOADS} uploads in flight across the close did not complete with 201`);
// Not vacuous: requests were in flight when the listener closed, and the load outlived the exit.
if (inFlightAtClose < SLOW_UPLOADS) failures.push(`only ${inFlightAtClose} request(s) in flight when the listener closed (expected >= ${SLOW_UPLOADS})`);
if (!(loadEnd > exitedAt)) failures.push('the load ended before the server exited');
if (count.refusedAfterClose === 0) failures.push('no connection was refused after the close: the load did not outlive the listener');

console.log(
  `BENCH-SHUTDOWN express-app requests=${outcomes.length} ok=${count.ok} accepted-before-close=${count.acceptedBeforeClose} accepted-after-close=${count.acceptedAfterClose} ` +
    `in-flight-at-close=${inFlightAtClose} slow-uploads-ok=${count.slowOk}/${SLOW_UPLOADS} accepted-failed=${count.acceptedFailed} ` +
    `refused-after-close=${count.refusedAfterClose} refused-before-close=${count.refusedBeforeClose} keepalive-race=${count.keepAliveRace} reset-at-close=${count.resetAtClose} other-unaccepted=${count.otherUnaccepted} ` +
    `readiness-before=${readyBefore} readiness-during-drain=${readyDuringDrain} exit=${exitCode ?? 'none'}`,
);
console.log(
  `# timeline: SIGTERM=${ms(sigtermAt)} listener-closed=${ms(closedAt)} exit=${ms(exitedAt)} load-ended=${ms(loadEnd)}` +
    (raceAt.length ? `; keep-alive resets (never reached the server) at SIGTERM+${Math.round(Math.min(...raceAt))}..${Math.round(Math.max(...raceAt))}ms` : ''),
);
if (failures.length > 0) {
  for (const f of failures) console.log(`BENCH-SHUTDOWN FAIL ${f}`);
  process.exitCode = 1;
} else {
  console.log('BENCH-SHUTDOWN PASS no accepted request failed; readiness 503 during the drain; exit 0');
}
process.exit();
