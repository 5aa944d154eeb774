import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, call, newTenant, start, type Running } from './harness.js';

const cookieOf = (setCookie: string[], name: string) => setCookie.map((c) => c.split(';')[0]!).find((c) => c.startsWith(`${name}=`));

describe.each(BACKENDS)('browser routes, CSRF and rate limits (%s)', (backend) => {
  let r: Running;
  let email: string;
  beforeAll(async () => {
    r = await start(backend, {
      tweak: (c) => {
        c.rateLimits.auth = { account: { limit: 3, windowMs: 60_000 }, ip: { limit: 1000, windowMs: 60_000 } };
        c.rateLimits.api = { limit: 5, windowMs: 60_000, burst: 5 };
      },
    });
    email = (await newTenant(r.service, `browser-${backend.length}`)).email;
  });
  afterAll(() => r?.stop());

  async function signIn() {
    const login = await call(r.base, 'POST', '/auth/login', { body: { email, password: 'correct horse' } });
    expect(login.status).toBe(200);
    const sid = cookieOf(login.headers.getSetCookie(), 'sid')!;
    expect(login.headers.getSetCookie().join()).toMatch(/HttpOnly/i);
    const session = await call(r.base, 'GET', '/auth/session', { cookie: sid });
    expect(session.status).toBe(200);
    const csrfCookie = cookieOf(session.headers.getSetCookie(), 'armor-csrf')!;
    expect(csrfCookie).toBeDefined();
    return { sid, csrfCookie, token: session.json.csrfToken as string };
  }

  it('accepts a browser POST with session, CSRF cookie and token', async () => {
    const s = await signIn();
    const res = await call(r.base, 'POST', '/web/projects', { cookie: `${s.sid}; ${s.csrfCookie}`, headers: { 'x-csrf-token': s.token }, body: { name: 'from the browser' } });
    expect(res.status).toBe(201);
    expect(res.json.name).toBe('from the browser');
  });

  it('rejects CSRF failures with 403 problem+json codes', async () => {
    const s = await signIn();
    const missing = await call(r.base, 'POST', '/web/projects', { cookie: s.sid, body: { name: 'x' } });
    expect(missing.status).toBe(403);
    expect(missing.headers.get('content-type')).toMatch(/problem\+json/);
    expect(missing.json.code).toBe('CSRF_TOKEN_MISSING');
    const wrong = await call(r.base, 'POST', '/web/projects', { cookie: `${s.sid}; ${s.csrfCookie}`, headers: { 'x-csrf-token': `${s.token.slice(0, -4)}AAAA` }, body: { name: 'x' } });
    expect(wrong.status).toBe(403);
    expect(wrong.json.code).toBe('CSRF_TOKEN_MISMATCH');
    const other = await signIn(); // a token of another session
    const mismatch = await call(r.base, 'POST', '/web/projects', { cookie: `${s.sid}; ${other.csrfCookie}`, headers: { 'x-csrf-token': other.token }, body: { name: 'x' } });
    expect(mismatch.status).toBe(403);
    expect(mismatch.json.code).toBe('CSRF_SESSION_MISMATCH');
    const crossSite = await call(r.base, 'POST', '/web/projects', { cookie: `${s.sid}; ${s.csrfCookie}`, headers: { 'x-csrf-token': s.token, origin: 'https://evil.example' }, body: { name: 'x' } });
    expect(crossSite.status).toBe(403);
    expect(crossSite.json.code).toBe('CSRF_ORIGIN_REJECTED');
    const noSession = await call(r.base, 'POST', '/web/projects', { body: { name: 'x' } });
    expect(noSession.status).toBe(401);
  });

  it('limits logins per account (auth tier): 429 with RateLimit headers and Retry-After', async () => {
    const attempt = () => call(r.base, 'POST', '/auth/login', { body: { email: 'victim@example.test', password: 'guess' } });
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await attempt());
    expect(answers.slice(0, 3).map((a) => a.status)).toEqual([401, 401, 401]);
    const limited = answers[4]!;
    expect(limited.status).toBe(429);
    expect(limited.json.code).toBe('RATE_LIMITED');
    expect(limited.headers.get('content-type')).toMatch(/problem\+json/);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.headers.get('ratelimit')).toMatch(/auth/);
    expect(answers[0]!.headers.get('ratelimit-policy')).toBeTruthy();
  });

  it('limits API calls per key (api tier), independently for each key', async () => {
    const a = await newTenant(r.service, `rl-a-${backend.length}`);
    const b = await newTenant(r.service, `rl-b-${backend.length}`);
    const project = (await call(r.base, 'POST', '/api/v1/projects', { key: a.key, body: { name: 'limits' } })).json.id as string;
    const statuses = [];
    for (let i = 0; i < 8; i++) statuses.push((await call(r.base, 'GET', `/api/v1/projects/${project}`, { key: a.key })).status);
    expect(statuses).toContain(429);
    expect(statuses.filter((s) => s === 200).length).toBeLessThanOrEqual(5);
    const last = await call(r.base, 'GET', `/api/v1/projects/${project}`, { key: a.key });
    expect(last.status).toBe(429);
    expect(last.headers.get('ratelimit')).toBeTruthy();
    expect(last.headers.get('retry-after')).toBeTruthy();
    // another key is unaffected
    expect((await call(r.base, 'POST', '/api/v1/projects', { key: b.key, body: { name: 'b' } })).status).toBe(201);
  });
});
