import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueKey } from '../src/keys.js';
import { BACKENDS, call, start, type Running } from './harness.js';

/** Sends a raw request (for things fetch refuses to send) and reads status, headers and body. */
function raw(base: string, method: string, path: string, headers: Record<string, string>, body?: string | Buffer) {
  const url = new URL(base);
  return new Promise<{ status: number; contentType: string; body: string }>((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, method, path, headers }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (data += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), body: data }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe.each(BACKENDS)('hostile input (%s)', (backend) => {
  let r: Running;
  let projectId: string;
  beforeAll(async () => {
    r = await start(backend);
    projectId = (await call(r.base, 'POST', '/api/v1/projects', { key: r.key, body: { name: 'target' } })).json.id;
  });
  afterAll(() => r?.stop());

  const nested = (depth: number) => '{"name":'.repeat(depth) + '"x"' + '}'.repeat(depth);
  const cases: { name: string; method: string; path: (p: string) => string; headers?: Record<string, string>; body?: string | Buffer; expect: number[] }[] = [
    { name: 'malformed JSON', method: 'POST', path: () => '/api/v1/projects', headers: { 'content-type': 'application/json' }, body: '{"name": "x",', expect: [400] },
    { name: 'JSON with trailing garbage', method: 'POST', path: () => '/api/v1/projects', headers: { 'content-type': 'application/json' }, body: '{"name":"x"} {}', expect: [400] },
    { name: 'top-level JSON string', method: 'POST', path: () => '/api/v1/projects', headers: { 'content-type': 'application/json' }, body: '"name"', expect: [400] },
    { name: 'JSON array body', method: 'POST', path: () => '/api/v1/projects', headers: { 'content-type': 'application/json' }, body: '[{"name":"x"}]', expect: [400] },
    { name: 'text/plain body', method: 'POST', path: () => '/api/v1/projects', headers: { 'content-type': 'text/plain' }, body: 'name=x', expect: [415] },
    { name: 'form body', method: 'POST', path: () => '/api/v1/projects', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'name=x', expect: [415] },
    { name: 'no content type', method: 'POST', path: () => '/api/v1/projects', headers: {}, body: '{"name":"x"}', expect: [415] },
    { name: 'unknown charset', method: 'POST', path: () => '/api/v1/projects', headers: { 'content-type': 'application/json; charset=klingon' }, body: '{"name":"x"}', expect: [415] },
    { name: '1 MB body', method: 'POST', path: () => '/api/v1/projects', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'x'.repeat(1024 * 1024) }), expect: [413] },
    { name: '1 MB comment', method: 'POST', path: (p) => `/api/v1/projects/${p}/comments`, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ body: '<b>'.repeat(350_000) }), expect: [413] },
    { name: 'deeply nested JSON', method: 'POST', path: () => '/api/v1/projects', headers: { 'content-type': 'application/json' }, body: nested(5000), expect: [400] },
    { name: 'moderately nested JSON', method: 'POST', path: () => '/api/v1/projects', headers: { 'content-type': 'application/json' }, body: nested(40), expect: [400] },
    { name: 'name is an object', method: 'POST', path: () => '/api/v1/projects', headers: { 'content-type': 'application/json' }, body: '{"name":{"$gt":""}}', expect: [400] },
    { name: '__proto__ pollution', method: 'POST', path: () => '/api/v1/projects', headers: { 'content-type': 'application/json' }, body: '{"name":"x","__proto__":{"admin":true}}', expect: [400] },
    { name: 'NUL byte in name', method: 'POST', path: () => '/api/v1/projects', headers: { 'content-type': 'application/json' }, body: '{"name":"a\\u0000b"}', expect: [400] },
    { name: 'bidi override in name', method: 'POST', path: () => '/api/v1/projects', headers: { 'content-type': 'application/json' }, body: '{"name":"abc\\u202Etxt.exe"}', expect: [400] },
    { name: 'lone surrogate in comment', method: 'POST', path: (p) => `/api/v1/projects/${p}/comments`, headers: { 'content-type': 'application/json' }, body: '{"body":"\\ud800 x"}', expect: [201, 400] },
    { name: 'NUL in comment', method: 'POST', path: (p) => `/api/v1/projects/${p}/comments`, headers: { 'content-type': 'application/json' }, body: '{"body":"x\\u0000y"}', expect: [201, 400] },
    { name: 'zero-width only name', method: 'POST', path: () => '/api/v1/projects', headers: { 'content-type': 'application/json' }, body: '{"name":"   "}', expect: [400] },
    { name: 'invalid UTF-8 bytes', method: 'POST', path: () => '/api/v1/projects', headers: { 'content-type': 'application/json' }, body: Buffer.from([0x7b, 0x22, 0x6e, 0x61, 0x6d, 0x65, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]), expect: [201, 400] },
    { name: 'chunked JSON body (no Content-Length)', method: 'POST', path: () => '/api/v1/projects', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' }, body: '{"name":"chunked"}', expect: [201] },
    { name: 'chunked malformed JSON body', method: 'POST', path: () => '/api/v1/projects', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' }, body: '{"name":', expect: [400] },
    { name: 'malformed JSON body on a GET', method: 'GET', path: (p) => `/api/v1/projects/${p}`, headers: { 'content-type': 'application/json', 'content-length': '5' }, body: '{"x":', expect: [400] },
    { name: 'JSON body on a GET (parsed, ignored)', method: 'GET', path: (p) => `/api/v1/projects/${p}`, headers: { 'content-type': 'application/json', 'content-length': '7' }, body: '{"x":1}', expect: [200] },
    { name: 'huge query string (20 KB)', method: 'GET', path: (p) => `/api/v1/projects/${p}/comments?cursor=${'a'.repeat(20_000)}`, expect: [431] },
    { name: 'long query string (8 KB)', method: 'GET', path: (p) => `/api/v1/projects/${p}/comments?cursor=${'a'.repeat(8000)}`, expect: [400] },
    { name: 'repeated query parameter', method: 'GET', path: (p) => `/api/v1/projects/${p}/comments?limit=1&limit=2`, expect: [400] },
    { name: 'thousands of query parameters', method: 'GET', path: (p) => `/api/v1/projects/${p}/comments?${Array.from({ length: 1500 }, (_, i) => `k${i}=1`).join('&')}`, expect: [400] },
    { name: 'negative limit', method: 'GET', path: (p) => `/api/v1/projects/${p}/comments?limit=-1`, expect: [400] },
    { name: 'bogus cursor', method: 'GET', path: (p) => `/api/v1/projects/${p}/comments?cursor=eyJ4IjoxfQ`, expect: [400] },
    { name: 'SQL in cursor', method: 'GET', path: (p) => `/api/v1/projects/${p}/comments?cursor=${Buffer.from(JSON.stringify(["2020-01-01'; DROP TABLE comments;--", '00000000-0000-4000-8000-000000000000'])).toString('base64url')}`, expect: [400] },
    // Forged cursors: well-formed base64url JSON with an impossible timestamp reached the database (500 DATABASE_ERROR).
    ...(
      [
        ['impossible timestamp', '2026-13-45 99:99:99'],
        ['February 30th', '2026-02-30 10:00:00+00'],
        ['hour 24', '2026-01-01 24:00:00'],
        ['offset +99', '2026-01-01 10:00:00+99'],
        ['year 0', '0000-01-01 00:00:00'],
      ] as const
    ).map(([what, ts]) => ({
      name: `forged cursor: ${what}`,
      method: 'GET',
      path: (p: string) => `/api/v1/projects/${p}/comments?cursor=${Buffer.from(JSON.stringify([ts, '00000000-0000-4000-8000-000000000000'])).toString('base64url')}`,
      expect: [400],
    })),
    { name: 'path traversal in id', method: 'GET', path: () => '/api/v1/comments/..%2f..%2fetc%2fpasswd', expect: [400, 404] },
    { name: 'dot-dot segments', method: 'GET', path: () => '/api/v1/comments/../../../etc/passwd', expect: [400, 404] },
    { name: 'encoded NUL in id', method: 'GET', path: () => '/api/v1/comments/%00', expect: [400, 404] },
    { name: 'bad percent-encoding in id', method: 'GET', path: () => '/api/v1/comments/%E0%A4%A', expect: [400, 404] },
    { name: 'SQL injection in id', method: 'GET', path: () => `/api/v1/comments/${encodeURIComponent("1' OR '1'='1")}`, expect: [400] },
    { name: 'unicode digits in id', method: 'GET', path: () => `/api/v1/comments/${encodeURIComponent('٠٠٠٠٠٠٠٠-٠٠٠٠-٠٠٠٠-٠٠٠٠-٠٠٠٠٠٠٠٠٠٠٠٠')}`, expect: [400] },
    { name: 'unknown route', method: 'GET', path: () => '/api/v1/nope', expect: [404] },
    { name: 'wrong method', method: 'DELETE', path: () => '/api/v1/projects', expect: [404, 405] },
    { name: 'bearer with spaces', method: 'GET', path: (p) => `/api/v1/projects/${p}`, headers: { authorization: 'Bearer a b c' }, expect: [401] },
    { name: 'basic auth', method: 'GET', path: (p) => `/api/v1/projects/${p}`, headers: { authorization: 'Basic YTpi' }, expect: [401] },
  ];

  it.each(cases)('$name → 4xx problem+json', async (c) => {
    const headers: Record<string, string> = { ...c.headers };
    if (!('authorization' in headers)) headers.authorization = `Bearer ${r.key}`;
    const res = await raw(r.base, c.method, c.path(projectId), headers, c.body);
    expect(c.expect, `${res.status} ${res.body.slice(0, 200)}`).toContain(res.status);
    if (res.status >= 400) {
      expect(res.contentType).toMatch(/^application\/problem\+json/);
      const problem = JSON.parse(res.body) as { status: number; code: string };
      expect(problem.status).toBe(res.status);
      expect(typeof problem.code).toBe('string');
    }
  });

  it('is still up and serving after all of that', async () => {
    const res = await call(r.base, 'GET', `/api/v1/projects/${projectId}`, { key: r.key });
    expect(res.status).toBe(200);
    expect((await call(r.base, 'GET', '/health/ready')).status).toBe(200);
  });
});

describe('hostile floods: limited before they cost anything, one charge per request', () => {
  let r: Running;
  const LIMIT = 8;
  beforeAll(async () => {
    r = await start('pglite', {
      tweak: (c) => {
        c.rateLimits.standard = { limit: LIMIT, windowMs: 60_000 };
        c.rateLimits.authFailures = { limit: LIMIT, windowMs: 60_000 };
      },
    });
  });
  afterAll(() => r?.stop());

  it('a flood of well-formed unknown API keys is refused per IP after the failure budget, without a key lookup each', async () => {
    let lookups = 0;
    const stop = r.service.db.observe((sql, run) => {
      if (/\bapi_keys\b/.test(sql)) lookups++;
      return run();
    });
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) {
      const { key } = await issueKey(); // valid format and checksum, never stored
      statuses.push((await call(r.base, 'GET', '/api/v1/projects/00000000-0000-4000-8000-000000000000', { key })).status);
    }
    stop();
    expect(statuses.some((s) => s >= 500)).toBe(false);
    expect(statuses.slice(0, LIMIT)).toEqual(Array<number>(LIMIT).fill(401));
    expect(statuses.slice(LIMIT)).toEqual(Array<number>(40 - LIMIT).fill(429));
    expect(lookups).toBeLessThanOrEqual(LIMIT);
  });

  it('successful authentications give their point back: a valid key is not counted as a failure', async () => {
    const fresh = await start('pglite', { tweak: (c) => (c.rateLimits.authFailures = { limit: 3, windowMs: 60_000 }) });
    try {
      for (let i = 0; i < 10; i++) expect((await call(fresh.base, 'POST', '/api/v1/projects', { key: fresh.key, body: { name: `p${i}` } })).status).toBe(201);
    } finally {
      await fresh.stop();
    }
  });

  it('an unknown route costs one point of the standard tier, not two', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < LIMIT + 2; i++) statuses.push((await call(r.base, 'GET', `/no/such/route/${i}`)).status);
    expect(statuses).toEqual([...Array<number>(LIMIT).fill(404), 429, 429]);
  });
});
