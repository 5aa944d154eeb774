/**
 * The limits as an attacker meets them (issue 30): the per-IP failed-authentication limit under
 * concurrency, behind the front proxy with forged X-Forwarded-For headers, and login limiting
 * per account across addresses and per address across accounts. Clients use distinct loopback
 * source addresses (127.0.0.x), so "another client" is another address for real.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, waitForPort } from '@armor/test-utils';
import { DEFAULT_RATE_LIMITS } from '../src/config.js';
import { issueKey } from '../src/keys.js';
import { appDir } from './deploy-helpers.js';
import { call, start, type Running } from './harness.js';

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One request over a fresh connection from `from` (a loopback source address). */
function request(port: number, path: string, options: { from?: string; method?: string; headers?: Record<string, string>; body?: unknown } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: options.method ?? 'GET',
        localAddress: options.from ?? '127.0.0.1',
        agent: false,
        headers: { ...options.headers, ...(body === undefined ? {} : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) }) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const portOf = (base: string) => Number(new URL(base).port);

describe('the per-IP failed-authentication limit counts failures only (issue 30)', () => {
  let r: Running;
  beforeAll(async () => {
    r = await start('pglite', { tweak: (c) => (c.rateLimits.authFailures = { ...DEFAULT_RATE_LIMITS.authFailures }) });
  });
  afterAll(() => r?.stop());

  it('45 concurrent requests with a valid key from one IP, all in flight at once: every one is answered 200, none 429', async () => {
    const project = (await call(r.base, 'POST', '/api/v1/projects', { key: r.key, body: { name: 'concurrency' } })).json.id as string;
    const N = 45;
    expect(N).toBeGreaterThan(DEFAULT_RATE_LIMITS.authFailures.limit);
    // A server of our own on the same app, so we see every request arrive and finish; the
    // project lookups wait at a barrier until every request that arrived is either waiting
    // there or already answered: all N are in flight together, whatever the scheduler does.
    const server = await r.service.listen(0, '127.0.0.1');
    const port = (server.address() as AddressInfo).port;
    let arrived = 0;
    let finished = 0;
    const waiting: Array<() => void> = [];
    const release = () => {
      if (arrived === N && waiting.length + finished === N) for (const go of waiting.splice(0)) go();
    };
    server.on('request', (_req, res: http.ServerResponse) => {
      arrived++;
      res.on('finish', () => {
        finished++;
        release();
      });
    });
    const stop = r.service.db.observe(async (sql, run) => {
      if (/\bfrom projects\b/i.test(sql) && arrived > 0) {
        await new Promise<void>((go) => {
          waiting.push(go);
          release();
        });
      }
      return run();
    });
    try {
      const replies = await Promise.all(Array.from({ length: N }, () => request(port, `/api/v1/projects/${project}`, { headers: { authorization: `Bearer ${r.key}` } })));
      const statuses = replies.map((x) => x.status);
      expect(statuses.filter((s) => s === 429)).toEqual([]);
      expect(statuses).toEqual(Array<number>(N).fill(200));
    } finally {
      stop();
    }
  });

  it('failures still count: after the budget of bad keys the address is refused (429) with no lookup, a valid key too', async () => {
    const limit = DEFAULT_RATE_LIMITS.authFailures.limit;
    const port = portOf(r.base);
    const statuses: number[] = [];
    for (let i = 0; i < limit + 5; i++) {
      const { key } = await issueKey();
      statuses.push((await request(port, '/api/v1/projects/00000000-0000-4000-8000-000000000000', { from: '127.0.0.7', headers: { authorization: `Bearer ${key}` } })).status);
    }
    expect(statuses).toEqual([...Array<number>(limit).fill(401), ...Array<number>(5).fill(429)]);
    expect((await request(port, '/api/v1/projects/00000000-0000-4000-8000-000000000000', { from: '127.0.0.7', headers: { authorization: `Bearer ${r.key}` } })).status).toBe(429);
    // Another address is not affected.
    expect((await request(port, '/health/ready', { from: '127.0.0.8' })).status).toBe(200);
    expect((await request(port, '/api/v1/projects/00000000-0000-4000-8000-000000000000', { from: '127.0.0.8', headers: { authorization: `Bearer ${r.key}` } })).status).toBe(404);
  });
});

describe('behind scripts/front.mjs (the documented front set-up: TRUST_PROXY=1) (issue 30)', () => {
  let r: Running;
  let front: ChildProcess;
  let frontPort: number;
  let dir: string;
  beforeAll(async () => {
    r = await start('pglite', {
      env: { TRUST_PROXY: '1' },
      tweak: (c) => (c.rateLimits.authFailures = { ...DEFAULT_RATE_LIMITS.authFailures }),
    });
    dir = mkdtempSync(join(tmpdir(), 'express-app-front-'));
    writeFileSync(join(dir, 'upstream'), `${portOf(r.base)}\n`);
    frontPort = await freePort();
    front = spawn(process.execPath, [join(appDir, 'scripts/front.mjs')], { env: { ...process.env, PORT: String(frontPort), UPSTREAM_FILE: join(dir, 'upstream') }, stdio: 'ignore' });
    await waitForPort(frontPort);
  });
  afterAll(async () => {
    front?.kill('SIGTERM');
    await r?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('150 bad keys with a rotating X-Forwarded-For from one attacker: 30 × 401 (30 lookups), then 429; another client keeps working', async () => {
    const limit = DEFAULT_RATE_LIMITS.authFailures.limit;
    let lookups = 0;
    const stop = r.service.db.observe((sql, run) => {
      if (/\bapi_keys\b/.test(sql)) lookups++;
      return run();
    });
    const statuses: number[] = [];
    try {
      for (let i = 0; i < 150; i++) {
        const { key } = await issueKey(); // valid format and checksum, never stored: a lookup each
        const forged = `198.51.${i >> 8}.${i & 255}`;
        const reply = await request(frontPort, '/api/v1/projects/00000000-0000-4000-8000-000000000000', {
          from: '127.0.0.2',
          headers: { authorization: `Bearer ${key}`, 'x-forwarded-for': forged, forwarded: `for=${forged}` },
        });
        statuses.push(reply.status);
      }
    } finally {
      stop();
    }
    expect(statuses.slice(0, limit)).toEqual(Array<number>(limit).fill(401));
    expect(statuses.slice(limit)).toEqual(Array<number>(150 - limit).fill(429));
    expect(lookups).toBeLessThanOrEqual(limit);
    // The attacker's address is what was limited, not everybody behind the front.
    expect((await request(frontPort, '/api/v1/projects/00000000-0000-4000-8000-000000000000', { from: '127.0.0.3', headers: { authorization: `Bearer ${r.key}` } })).status).toBe(404);
  });

  it('the app sees the real peer address the front forwarded (audit rows are anonymized from it)', async () => {
    const created = await request(frontPort, '/api/v1/projects', { from: '127.0.0.4', method: 'POST', headers: { authorization: `Bearer ${r.key}`, 'x-forwarded-for': '203.0.113.9' }, body: { name: 'via front' } });
    expect(created.status).toBe(201);
    const [row] = await r.service.repos.audit.list({ entity: 'project', entityId: (JSON.parse(created.body) as { id: string }).id });
    expect(row!.ip).toBe('127.0.0.0');
  });
});

describe('login limiting: createAuthLimiter, per account across addresses and per address across accounts (issue 30)', () => {
  let r: Running;
  beforeAll(async () => {
    r = await start('pglite', { tweak: (c) => (c.rateLimits.auth = structuredClone(DEFAULT_RATE_LIMITS.auth)) });
  });
  afterAll(() => r?.stop());

  const login = (from: string, email: string) => request(portOf(r.base), '/auth/login', { from, method: 'POST', body: { email, password: 'guess' } });

  it('40 accounts from one address: refused after the per-address budget', async () => {
    const { limit } = DEFAULT_RATE_LIMITS.auth.ip;
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) statuses.push((await login('127.0.0.20', `spray-${i}@example.test`)).status);
    expect(statuses).toEqual([...Array<number>(limit).fill(401), ...Array<number>(40 - limit).fill(429)]);
  });

  it('one account from 8 addresses: refused after the per-account budget, whatever the address; Retry-After given', async () => {
    const { limit } = DEFAULT_RATE_LIMITS.auth.account;
    const replies: Reply[] = [];
    for (let i = 0; i < 8; i++) replies.push(await login(`127.0.0.${30 + i}`, 'Victim@example.test'));
    expect(replies.map((x) => x.status)).toEqual([...Array<number>(limit).fill(401), ...Array<number>(8 - limit).fill(429)]);
    const limited = replies.at(-1)!;
    expect(JSON.parse(limited.body).code).toBe('RATE_LIMITED');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // The account is blocked for every address, also with the right password.
    expect((await login('127.0.0.60', 'victim@example.test')).status).toBe(429);
  });
});
