/**
 * Framework adapters vs each framework's own plugins, both at their defaults, same route, same
 * limit (far above what the run sends, so the limiter never trips), autocannon in-process,
 * interleaved A B / B A rounds (medians):
 * - Fastify: `@armor/rate-limit/fastify` + `@armor/security-headers/fastify` vs
 *   `@fastify/rate-limit` + `@fastify/helmet` (both header sets are helmet 8's defaults).
 * - Hono on `@hono/node-server`: `@armor/rate-limit/hono` + `@armor/security-headers/hono` vs
 *   `hono-rate-limiter` + `hono/secure-headers` (limiters at their defaults, both keyed by the
 *   socket address; Hono's headers sent no CSP by default, so it gets Armor's default policy and
 *   both sides send the same 12 headers, checked before the run).
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import { serve } from '@hono/node-server';
import { armorRateLimit } from '@armor/rate-limit/fastify';
import { rateLimit } from '@armor/rate-limit/hono';
import { armorSecurityHeaders } from '@armor/security-headers/fastify';
import { securityHeaders } from '@armor/security-headers/hono';
import Fastify, { type FastifyInstance } from 'fastify';
import { Hono, type Context } from 'hono';
import { rateLimiter } from 'hono-rate-limiter';
import { secureHeaders } from 'hono/secure-headers';
import { DEFAULT_CSP_DIRECTIVES } from '@armor/security-headers';

/** Hono's secureHeaders sends no CSP by default; give it Armor's (helmet's) policy so both send the same 12 headers. */
const camel = (name: string) => name.replace(/-([a-z])/g, (_m: string, ch: string) => ch.toUpperCase());
const sameCsp = Object.fromEntries(Object.entries(DEFAULT_CSP_DIRECTIVES).map(([k, v]) => [camel(k), v === true ? [] : v]));
import { compareHttp } from './lib.ts';

const LIMIT = 1e9;
const WINDOW_MS = 60_000;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10);

// ---------- Fastify ----------
async function fastifyApp(setup: (app: FastifyInstance) => Promise<void>): Promise<string> {
  const app = Fastify();
  await setup(app);
  app.get('/', async () => ({ ok: true }));
  return `${await app.listen({ port: 0, host: '127.0.0.1' })}/`;
}
const armorFastify = await fastifyApp(async (app) => {
  await app.register(armorRateLimit, { algorithm: 'fixed-window', limit: LIMIT, windowMs: WINDOW_MS });
  await app.register(armorSecurityHeaders);
});
const anchorFastify = await fastifyApp(async (app) => {
  await app.register(fastifyRateLimit, { max: LIMIT, timeWindow: WINDOW_MS });
  await app.register(fastifyHelmet);
});
await compareHttp('fastify-rate-limit-and-headers-rps', armorFastify, '@fastify/rate-limit+@fastify/helmet', anchorFastify, { rounds: ROUNDS });

// ---------- Hono on @hono/node-server ----------
const peer = (c: Context) => (c.env as { incoming: { socket: { remoteAddress?: string } } }).incoming.socket.remoteAddress ?? 'unknown';
async function honoApp(app: Hono): Promise<string> {
  app.get('/', (c) => c.json({ ok: true }));
  const server = await new Promise<Server>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s as Server)) as Server;
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}
const armorHono = new Hono();
armorHono.use(rateLimit({ algorithm: 'fixed-window', limit: LIMIT, windowMs: WINDOW_MS }));
armorHono.use(securityHeaders());
const anchorHono = new Hono();
anchorHono.use(rateLimiter({ windowMs: WINDOW_MS, limit: LIMIT, keyGenerator: peer }));
anchorHono.use(secureHeaders({ contentSecurityPolicy: sameCsp }));
const [armorHonoUrl, anchorHonoUrl] = [await honoApp(armorHono), await honoApp(anchorHono)];
// Like with like: both sides send the same security header names.
const names = async (url: string) => [...(await fetch(url)).headers.keys()].filter((n) => !/^(ratelimit|x-ratelimit|date|content-|connection|keep-alive)/.test(n)).sort().join(',');
if ((await names(armorHonoUrl)) !== (await names(anchorHonoUrl))) throw new Error(`header sets differ: ${await names(armorHonoUrl)} vs ${await names(anchorHonoUrl)}`);
await compareHttp('hono-rate-limit-and-headers-rps', armorHonoUrl, 'hono-rate-limiter+hono/secure-headers', anchorHonoUrl, { rounds: ROUNDS });
process.exit(0);
