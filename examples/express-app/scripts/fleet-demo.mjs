#!/usr/bin/env node
// `DEMO_FLEET=1 npm start`: the demo as a fleet. Two instances of the service
// (scripts/fleet-instance.mjs) behind one port (scripts/fleet-front.mjs), with Redis (shared rate
// limits and cache, the fleet store of error groups and slow operations) and Prometheus (scrapes
// both instances; the dashboard's fleet view and SLO scorecard are built from it) started here
// when `redis-server` and `prometheus` are on PATH. Without them it says what it skipped and runs
// what it can: the two instances and the front always.
//
// Every process it starts runs in its own process group, so a Ctrl-C reaches only this one,
// which stops them in order: the front, the instances (gracefully, as SIGTERM does), Prometheus,
// Redis; then it removes its temporary directory and exits 0. A second Ctrl-C kills them all at
// once and exits 1. Run with `node --conditions=@armor/source --import tsx` (scripts/start.sh does).
import { spawn } from 'node:child_process';
import { accessSync, constants, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { createFleetMonitor, createPrometheusClient, redisFleetStore } from '@armor/fleet';
import { loadConfigOrExit } from '../src/config.ts';
import { createFront } from './fleet-front.mjs';

const APP_DIR = fileURLToPath(new URL('..', import.meta.url));
const JOB = 'express-app';
const SCRAPE_SECONDS = 2;
const config = loadConfigOrExit(); // PORT, HOST and the rest checked once, with the service's messages
const out = (line) => process.stdout.write(`${line}\n`);
const warn = (line) => process.stderr.write(`fleet demo: ${line}\n`);

/** Absolute path of `name` in a PATH directory, or undefined. */
function onPath(name) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // not here
    }
  }
  return undefined;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Whether a Redis server answers PING on 127.0.0.1:`port`. */
function ping(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.setTimeout(1000, () => socket.destroy());
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (chunk) => {
      socket.destroy();
      resolve(chunk.toString().startsWith('+PONG'));
    });
    socket.once('error', () => resolve(false));
    socket.once('close', () => resolve(false));
  });
}

async function until(what, fn, ms) {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await fn().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what} not ready after ${ms / 1000} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Every process started here: name, child, and whether its exit is expected. */
const children = [];
let stopping = false;
let tmp;

/**
 * Spawns `cmd` in its own process group; its output is kept (last 40 lines) for error messages,
 * and passed on with `[name]` when `echo`. An unexpected exit of a `fatal` one stops the demo;
 * of another, it is reported.
 */
function start(name, cmd, args, options = {}) {
  const child = spawn(cmd, args, { cwd: APP_DIR, env: options.env ?? process.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const entry = { name, child, tail: [], exited: false };
  children.push(entry);
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => {
      entry.tail.push(line);
      if (entry.tail.length > 40) entry.tail.shift();
      options.onLine?.(line);
      if (options.echo) out(`[${name}] ${line}`);
    });
  }
  child.on('error', (error) => entry.tail.push(String(error)));
  child.on('exit', (code, signal) => {
    entry.exited = true;
    if (stopping || entry.expected) return;
    const why = `${name} exited unexpectedly (${signal ?? `code ${code}`})`;
    if (!options.fatal) return warn(`${why}\n${entry.tail.slice(-5).join('\n')}`);
    warn(`${why}; stopping the demo\n${entry.tail.slice(-15).join('\n')}`);
    void stop(1);
  });
  return entry;
}

/** Between the start-up steps: once stopping, start nothing more (stop() exits the process). */
const proceed = () => (stopping ? new Promise(() => undefined) : Promise.resolve());

const exited = (entry) => (entry.exited ? Promise.resolve() : new Promise((r) => entry.child.once('exit', () => r())));

/** SIGTERM, then SIGKILL after `ms`; resolves true when it ended without the SIGKILL. */
async function terminate(entry, ms) {
  entry.expected = true;
  if (entry.exited) return true;
  try {
    process.kill(entry.child.pid, 'SIGTERM');
  } catch {
    return true;
  }
  let timer;
  const clean = await Promise.race([exited(entry).then(() => true), new Promise((r) => (timer = setTimeout(() => r(false), ms)))]);
  clearTimeout(timer);
  if (!clean) {
    warn(`${entry.name} did not stop within ${ms / 1000} s; killing it`);
    try {
      process.kill(-entry.child.pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
    await exited(entry);
  }
  // a SIGTERM before the instance installed its handler (still booting) is a clean stop too
  return clean && (entry.child.exitCode === 0 || entry.child.signalCode === 'SIGTERM');
}

function killAll() {
  for (const e of children) {
    if (e.exited) continue;
    try {
      process.kill(-e.child.pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
}

function removeTmp() {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
  tmp = undefined;
}

let front;
let fleetClient;
let stopped;
/** Stops everything in order and exits with `code` (1 when something had to be killed). */
function stop(code) {
  if (stopped) return stopped;
  stopping = true;
  stopped = (async () => {
    out(`fleet demo: stopping the front, ${children.map((e) => e.name).join(', ')} (Ctrl-C again to force)`);
    front?.server.close();
    front?.server.closeIdleConnections();
    const instances = children.filter((e) => e.name.startsWith('instance'));
    const clean = await Promise.all(instances.map((e) => terminate(e, 20_000)));
    front?.server.closeAllConnections();
    front?.close();
    fleetClient?.disconnect();
    for (const e of children.filter((c) => !instances.includes(c)).reverse()) await terminate(e, 10_000);
    removeTmp();
    const exitCode = clean.every(Boolean) ? code : 1;
    out(`fleet demo stopped: ${children.map((e) => e.name).join(', ')}${front ? ' and the front' : ''}; exit ${exitCode}`);
    process.exit(exitCode);
  })();
  return stopped;
}

let signals = 0;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    if (++signals > 1) {
      warn('second signal: killing everything');
      killAll();
      removeTmp();
      process.exit(1);
    }
    void stop(0);
  });
}
process.on('exit', () => {
  // last resort (an uncaught error): nothing started here outlives the demo
  killAll();
  removeTmp();
});

// ---- the front first: a busy port fails before anything is started --------------------------
const state = { upstreams: [], fleet: undefined, prometheus: undefined };
const upstreams = state.upstreams;
front = createFront({ state, job: JOB, dashboardDir: join(APP_DIR, 'dist', 'dashboard'), warn });
await new Promise((resolve) => {
  front.server.once('error', (error) => {
    if (error.code === 'EADDRINUSE') {
      process.stderr.write(`Port ${config.port} on ${config.host} is already in use: stop the other server or set PORT, e.g. PORT=${config.port + 1} npm start\n`);
      process.exit(1);
    }
    throw error;
  });
  front.server.listen(config.port, config.host, resolve);
});
const frontPort = front.server.address().port;
const base = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${frontPort}`;

tmp = mkdtempSync(join(tmpdir(), 'armor-fleet-demo-'));
const skipped = [];
const lines = [];

await proceed();
// ---- Redis -------------------------------------------------------------------------------------
let redisUrl = process.env.REDIS_URL || undefined;
if (redisUrl) {
  lines.push("  Redis:         yours (REDIS_URL): shared rate limits and cache, the fleet's error groups and slow operations");
} else {
  const bin = onPath('redis-server');
  if (!bin) {
    skipped.push('redis-server (not on PATH): each instance keeps its own rate limits and cache in memory, and the fleet view has no error groups or slow operations');
  } else {
    const port = await freePort();
    mkdirSync(join(tmp, 'redis'));
    const redis = start('redis', bin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', join(tmp, 'redis'), '--protected-mode', 'no']);
    const url = `redis://127.0.0.1:${port}`;
    try {
      await until('redis-server', () => ping(port), 10_000);
      redisUrl = url;
      lines.push(`  Redis:         ${url} (${bin}, pid ${redis.child.pid}): shared rate limits and cache, the fleet's error groups and slow operations`);
    } catch (error) {
      skipped.push(`redis-server (${error.message}): ${redis.tail.slice(-3).join(' ')}`);
      await terminate(redis, 5000);
      children.splice(children.indexOf(redis), 1);
    }
  }
}

await proceed();
// ---- the two instances (at once, each on its own database; one after the other on a shared
// DATABASE_URL, so the demo data is seeded once) -----------------------------------------------
async function startInstance(name) {
  const env = { ...process.env, DEMO: '1', PORT: '0', HOST: '127.0.0.1', TRUST_PROXY: '1', ...(redisUrl ? { REDIS_URL: redisUrl } : {}) };
  if (!process.env.DATABASE_URL) env.DATA_DIR = join(tmp, `instance-${name}`);
  let ready;
  const got = new Promise((resolve) => (ready = resolve));
  const entry = start(`instance ${name}`, process.execPath, ['--conditions=@armor/source', '--import', 'tsx', 'scripts/fleet-instance.mjs'], {
    env,
    echo: true,
    fatal: true,
    onLine: (line) => {
      if (!line.includes('"fleet instance ready"')) return;
      try {
        ready(JSON.parse(line));
      } catch {
        // not the line
      }
    },
  });
  const info = await Promise.race([got, exited(entry).then(() => undefined)]);
  if (!info) await new Promise(() => undefined); // its exit handler stops the demo
  return { name: info.instance, port: Number(new URL(info.url).port), pid: entry.child.pid, ...info };
}
const started = process.env.DATABASE_URL ? [await startInstance('a'), await startInstance('b')] : await Promise.all([startInstance('a'), startInstance('b')]);
upstreams.push(...started);

await proceed();
// ---- Prometheus ----------------------------------------------------------------------------------
const prometheusBin = onPath('prometheus');
if (!prometheusBin) {
  skipped.push(`prometheus (not on PATH): no fleet view and no fleet scorecard; ${base}/monitoring shows instance a only`);
} else {
  const port = await freePort();
  const file = join(tmp, 'prometheus.yml');
  writeFileSync(
    file,
    [
      'global:',
      `  scrape_interval: ${SCRAPE_SECONDS}s`,
      `  evaluation_interval: ${SCRAPE_SECONDS}s`,
      'scrape_configs:',
      `  - job_name: ${JOB}`,
      '    static_configs:',
      `      - targets: [${upstreams.map((u) => `'${u.instance}'`).join(', ')}]`,
      '',
    ].join('\n'),
  );
  const prom = start('prometheus', prometheusBin, [`--config.file=${file}`, `--storage.tsdb.path=${join(tmp, 'prometheus')}`, `--web.listen-address=127.0.0.1:${port}`, '--storage.tsdb.retention.time=1d']);
  const url = `http://127.0.0.1:${port}`;
  try {
    await until('prometheus', async () => (await fetch(`${url}/-/ready`)).ok, 30_000);
    const prometheusClient = createPrometheusClient({ url });
    if (redisUrl) {
      fleetClient = new Redis(redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
      fleetClient.on('error', () => undefined);
    }
    state.prometheus = prometheusClient;
    state.fleet = createFleetMonitor({ prometheus: prometheusClient, job: JOB, service: { name: `${JOB} (fleet)`, version: config.release }, ...(fleetClient ? { store: redisFleetStore({ client: fleetClient }) } : {}) });
    lines.push(`  Prometheus:    ${url} (${prometheusBin}, pid ${prom.child.pid}) scrapes both instances every ${SCRAPE_SECONDS} s (job="${JOB}")`);
  } catch (error) {
    skipped.push(`prometheus (${error.message}): ${prom.tail.slice(-3).join(' ')}`);
    await terminate(prom, 5000);
    children.splice(children.indexOf(prom), 1);
  }
}

await proceed();
const [a] = upstreams;
out(
  [
    '',
    `  Armor express-app fleet demo: ${upstreams.length} instances behind one port`,
    `  Dashboard:     ${base}/monitoring${state.fleet ? '   (the fleet view and its SLO scorecard)' : ''}`,
    `  Snapshot:      ${base}/monitoring/snapshot${state.fleet ? '?range=15m|1h|6h|24h&instance=<host:port>' : ''}`,
    `  Metrics:       ${upstreams.map((u) => `http://${u.instance}/metrics`).join(', ')}`,
    `  Instances:     ${upstreams.map((u, i) => `${'ab'[i]} = ${u.instance} (pid ${u.pid})`).join(', ')}; every answer names its instance in X-Armor-Instance`,
    ...lines,
    process.env.DATABASE_URL
      ? '  Database:      DATABASE_URL, shared by both instances'
      : '  Databases:     one embedded PGlite per instance, so data, sign-ins and API keys belong to one instance (set DATABASE_URL to share one PostgreSQL)',
    `  Demo API key:  ${a.key} (instance a)`,
    `  Try:           curl -H "Authorization: Bearer ${a.key}" ${a.url}/api/v1/projects/${a.projectId}/comments?limit=5`,
    `  Temporary:     ${tmp} (removed on exit)`,
    ...skipped.map((s) => `  Skipped:       ${s}`),
    ...(skipped.length > 0 ? ['                 Install them (Debian: apt-get install redis-server prometheus) for the full fleet form.'] : []),
    '  Ctrl-C stops everything this started.',
    '',
  ].join('\n'),
);
