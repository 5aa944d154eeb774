/**
 * Security packages vs their anchors:
 * - Express requests/s with @armor/security-headers/express vs helmet() (both defaults, so the
 *   same headers), autocannon in-process, interleaved A B A B rounds.
 * - CSRF verification of a valid token: @armor/csrf `await verify()` vs csrf-csrf
 *   `await validateRequest()` (its sync call awaited, so both are async paths).
 */
import { Socket, type AddressInfo } from 'node:net';
import { IncomingMessage, ServerResponse } from 'node:http';
import type { Server } from 'node:http';
import express from 'express';
import helmet from 'helmet';
import { doubleCsrf } from 'csrf-csrf';
import { createCsrf } from '@armor/csrf';
import { securityHeaders } from '@armor/security-headers/express';
import { compare, compareHttp } from './lib.ts';

// ---------- Express + headers ----------
function app(middleware: express.RequestHandler) {
  const a = express();
  a.use(middleware);
  a.get('/', (_req, res) => {
    res.send('ok');
  });
  return a;
}
async function listen(a: express.Express): Promise<Server> {
  return new Promise((resolve) => {
    const s = a.listen(0, '127.0.0.1', () => resolve(s));
  });
}
const ours = await listen(app(securityHeaders()));
const theirs = await listen(app(helmet()));
const url = (s: Server) => `http://127.0.0.1:${(s.address() as AddressInfo).port}/`;

// Warm up both, then 12 interleaved rounds (the order alternates each round); medians.
await compareHttp('express-security-headers-rps', url(ours), 'helmet', url(theirs), { rounds: 12, require2xx: false });

ours.close();
theirs.close();

// The middleware alone on real http.ServerResponse objects (both sides pay the same
// response construction), to show the per-request cost without socket noise.
const oursMw = securityHeaders();
const helmetMw = helmet();
const socket = new Socket();
const fresh = () => {
  const req = new IncomingMessage(socket);
  req.method = 'GET';
  req.url = '/';
  const res = new ServerResponse(req) as ServerResponse & { locals: Record<string, unknown> };
  res.locals = {};
  return [req, res] as const;
};
const noop = () => {};
await compare(
  'headers-middleware-call',
  () => {
    const [req, res] = fresh();
    oursMw(req as never, res as never, noop);
  },
  'helmet',
  () => {
    const [req, res] = fresh();
    helmetMw(req as never, res as never, noop);
  },
);

// ---------- CSRF verify ----------
const SECRET = 'bench-secret-bench-secret-bench-secret-0123456789';
const SESSION = 'session-6f1c2a9e4b7d';
const { generateCsrfToken, validateRequest } = doubleCsrf({
  getSecret: () => SECRET,
  getSessionIdentifier: () => SESSION,
  cookieName: '__Host-psifi.x-csrf-token',
});
const cookies: Record<string, string> = {};
const fakeRes = { cookie: (name: string, value: string) => (cookies[name] = value) };
const anchorReq = { method: 'POST', headers: {} as Record<string, string>, cookies } as never as Parameters<typeof validateRequest>[0];
const anchorToken = generateCsrfToken(anchorReq, fakeRes as never);
(anchorReq as unknown as { headers: Record<string, string> }).headers['x-csrf-token'] = anchorToken;
if (!validateRequest(anchorReq)) throw new Error('csrf-csrf setup failed');

const csrf = createCsrf({ secret: SECRET });
const { token } = await csrf.issueToken(SESSION);
const armorReq = {
  method: 'POST',
  url: 'https://app.example/transfer',
  headers: { cookie: `__Host-armor-csrf=${token}`, 'x-csrf-token': token, 'sec-fetch-site': 'same-origin' },
};
await csrf.verify(armorReq, SESSION);

await compare(
  'csrf-verify-async',
  () => csrf.verify(armorReq, SESSION),
  'csrf-csrf',
  async () => {
    if (!validateRequest(anchorReq)) throw new Error('rejected');
  },
);

// Informational: the same check with engine: 'webcrypto' (crypto.subtle, cached CryptoKey).
const web = createCsrf({ secret: SECRET, engine: 'webcrypto' });
await web.verify(armorReq, SESSION);
await compare(
  'csrf-verify-async-webcrypto-engine',
  () => web.verify(armorReq, SESSION),
  'csrf-csrf',
  async () => {
    if (!validateRequest(anchorReq)) throw new Error('rejected');
  },
  { rounds: 3 },
);
