import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { ConfigurationError } from '@armor/errors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csrfProtection } from './express.js';
import { memoryUsedTokenStore } from './index.js';

const SECRET = 'express-test-secret-that-is-32-bytes-or-more';
let now = Date.now();
const clock = { now: () => now };
let base: string;
let server: Server;

// A tiny cookie "session": the sid cookie names the session; /login rotates it.
function sessionOf(req: express.Request): string | undefined {
  return /(?:^|;\s*)sid=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
}

function build(path: string, protection: ReturnType<typeof csrfProtection>) {
  const router = express.Router();
  router.use(express.urlencoded({ extended: false }), express.json(), protection);
  router.get('/form', async (req, res) => {
    const token = await protection.issue(req, res);
    res.json({ token });
  });
  router.post('/transfer', (req, res) => {
    res.json({ ok: true, amount: (req.body as { amount?: string }).amount });
  });
  return [path, router] as const;
}

beforeAll(async () => {
  const app = express();
  app.use(...build('/stateless', csrfProtection({ secret: SECRET, getSessionId: sessionOf, clock, ttlMs: 60_000 })));
  app.use(...build('/onetime', csrfProtection({ secret: SECRET, getSessionId: sessionOf, oneTime: { store: memoryUsedTokenStore({ clock }) }, clock })));
  await new Promise<void>((resolve) => {
    server = app.listen(0, '127.0.0.1', () => resolve());
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function getToken(prefix: string, sid: string) {
  const response = await fetch(`${base}${prefix}/form`, { headers: { cookie: `sid=${sid}` } });
  const setCookie = response.headers.get('set-cookie')!;
  expect(setCookie).toMatch(/^__Host-armor-csrf=[^;]+; Max-Age=\d+; Path=\/; Secure; HttpOnly; SameSite=Strict$/);
  const cookie = setCookie.split(';')[0]!;
  const { token } = (await response.json()) as { token: string };
  expect(cookie).toBe(`__Host-armor-csrf=${token}`);
  return { token, cookie };
}

async function transfer(prefix: string, init: { sid?: string; cookie?: string; token?: string; headers?: Record<string, string>; form?: boolean }) {
  const headers: Record<string, string> = { ...init.headers };
  const cookies = [init.sid ? `sid=${init.sid}` : '', init.cookie ?? ''].filter(Boolean).join('; ');
  if (cookies) headers.cookie = cookies;
  let body: string;
  if (init.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams({ amount: '100', ...(init.token ? { _csrf: init.token } : {}) }).toString();
  } else {
    headers['content-type'] = 'application/json';
    if (init.token) headers['x-csrf-token'] = init.token;
    body = JSON.stringify({ amount: '100' });
  }
  const response = await fetch(`${base}${prefix}/transfer`, { method: 'POST', headers, body });
  const json = (await response.json()) as Record<string, unknown>;
  return { status: response.status, type: response.headers.get('content-type'), json };
}

describe('csrfProtection over real HTTP', () => {
  it('accepts a valid token in the header and in a form field', async () => {
    const { token, cookie } = await getToken('/stateless', 'alice');
    expect(await transfer('/stateless', { sid: 'alice', cookie, token })).toMatchObject({ status: 200, json: { ok: true } });
    expect(await transfer('/stateless', { sid: 'alice', cookie, token, form: true })).toMatchObject({ status: 200, json: { amount: '100' } });
  });

  it('rejects a missing token with 403 problem+json', async () => {
    const { cookie } = await getToken('/stateless', 'alice');
    const result = await transfer('/stateless', { sid: 'alice', cookie });
    expect(result.status).toBe(403);
    expect(result.type).toMatch(/^application\/problem\+json/);
    expect(result.json).toMatchObject({ status: 403, code: 'CSRF_TOKEN_MISSING', instance: '/transfer' });
    expect((await transfer('/stateless', { sid: 'alice' })).json.code).toBe('CSRF_TOKEN_MISSING');
  });

  it('rejects a forged token (attacker sets both cookie and header with his own secret)', async () => {
    const forged = 'v1.zzzzzz.AAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
    const result = await transfer('/stateless', { sid: 'alice', cookie: `__Host-armor-csrf=${forged}`, token: forged });
    expect(result).toMatchObject({ status: 403, json: { code: 'CSRF_TOKEN_INVALID' } });
    const { cookie } = await getToken('/stateless', 'alice');
    const { token: other } = await getToken('/stateless', 'alice');
    expect((await transfer('/stateless', { sid: 'alice', cookie, token: other })).json.code).toBe('CSRF_TOKEN_MISMATCH');
  });

  it("rejects another session's token (e.g. the pre-login token after the session id rotated)", async () => {
    const { token, cookie } = await getToken('/stateless', 'anonymous-123');
    expect((await transfer('/stateless', { sid: 'logged-in-456', cookie, token })).json.code).toBe('CSRF_SESSION_MISMATCH');
    expect((await transfer('/stateless', { cookie, token })).json.code).toBe('CSRF_SESSION_MISMATCH');
  });

  it('rejects an expired token', async () => {
    const { token, cookie } = await getToken('/stateless', 'alice');
    now += 61_000;
    expect((await transfer('/stateless', { sid: 'alice', cookie, token })).json.code).toBe('CSRF_TOKEN_EXPIRED');
  });

  it('rejects cross-origin requests before looking at the token', async () => {
    const { token, cookie } = await getToken('/stateless', 'alice');
    const crossSite = await transfer('/stateless', { sid: 'alice', cookie, token, headers: { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' } });
    expect(crossSite.json.code).toBe('CSRF_ORIGIN_REJECTED');
    const badOrigin = await transfer('/stateless', { sid: 'alice', cookie, token, headers: { origin: 'https://evil.example' } });
    expect(badOrigin.json.code).toBe('CSRF_ORIGIN_REJECTED');
    const sameOrigin = await transfer('/stateless', { sid: 'alice', cookie, token, headers: { origin: base } });
    expect(sameOrigin.status).toBe(200);
  });

  it('rejects a replayed one-time token', async () => {
    const { token, cookie } = await getToken('/onetime', 'bob');
    expect((await transfer('/onetime', { sid: 'bob', cookie, token })).status).toBe(200);
    const replay = await transfer('/onetime', { sid: 'bob', cookie, token });
    expect(replay).toMatchObject({ status: 403, json: { code: 'CSRF_TOKEN_INVALID', details: { reason: 'replayed' } } });
  });

  it('safe methods pass without a token', async () => {
    const response = await fetch(`${base}/stateless/form`, { headers: { cookie: 'sid=carol' } });
    expect(response.status).toBe(200);
  });
});

// issue 24: without getSessionId every unsafe request failed with a 500 at request time.
describe('csrfProtection options', () => {
  it('refuses a missing getSessionId at construction (ConfigurationError naming it)', () => {
    let thrown: unknown;
    try {
      csrfProtection({ secret: SECRET } as never);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigurationError);
    expect((thrown as ConfigurationError).option).toBe('getSessionId');
  });
});
