// @vitest-environment node
import { isArmorError } from '@armor/errors';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSnapshot } from '../test/fixtures.js';
import { httpSource, parseSnapshot, SnapshotSourceError } from './source.js';
import { normalizeSnapshot } from './normalize.js';

let server: Server;
let base: string;
let lastHeaders: IncomingMessage['headers'] = {};
let lastUrl = '';
const routes: Record<string, (res: ServerResponse) => void> = {
  '/ok': (res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(makeSnapshot())),
  '/down': (res) => res.writeHead(503, { 'retry-after': '30' }).end('maintenance'),
  '/500': (res) => res.writeHead(500).end('boom'),
  '/401': (res) =>
    res
      .writeHead(401, { 'content-type': 'application/problem+json' })
      .end(JSON.stringify({ type: 'about:blank', title: 'Unauthorized', status: 401, code: 'UNAUTHENTICATED', detail: 'Admin API key required' })),
  '/html': (res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>login</html>'),
  '/v2': (res) => res.writeHead(200).end(JSON.stringify({ ...makeSnapshot(), version: 2 })),
  '/slow': (res) => {
    setTimeout(() => res.writeHead(200).end(JSON.stringify(makeSnapshot())), 2000).unref();
  },
};

beforeAll(async () => {
  server = createServer((req, res) => {
    lastHeaders = req.headers;
    lastUrl = req.url ?? '';
    (routes[(req.url ?? '').split('?')[0]!] ?? ((r: ServerResponse) => r.writeHead(404).end()))(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const load = (source: ReturnType<typeof httpSource>, signal = new AbortController().signal) => source.load({ signal });

describe('httpSource over real HTTP', () => {
  it('loads a snapshot and sends the headers (static or from a function)', async () => {
    const snapshot = await load(httpSource(`${base}/ok`, { headers: { authorization: 'Bearer t1' } }));
    expect(snapshot.service.name).toBe('orders-api');
    expect(lastHeaders.authorization).toBe('Bearer t1');
    expect(lastHeaders.accept).toBe('application/json');
    await load(httpSource(new URL(`${base}/ok`), { headers: async () => ({ authorization: 'Bearer t2' }) }));
    expect(lastHeaders.authorization).toBe('Bearer t2');
  });

  it('non-2xx → SnapshotSourceError with the HTTP status and Retry-After', async () => {
    const error = await load(httpSource(`${base}/down`)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SnapshotSourceError);
    expect(isArmorError(error, 'SERVICE_UNAVAILABLE')).toBe(true);
    expect((error as SnapshotSourceError).retryAfterMs).toBe(30_000);
    expect((error as SnapshotSourceError).details).toEqual({ httpStatus: 503, code: 'SERVICE_UNAVAILABLE' });
    expect((error as Error).message).toBe('Snapshot request failed: HTTP 503 Service Unavailable');
    await expect(load(httpSource(`${base}/500`))).rejects.toMatchObject({ code: 'EXTERNAL_SERVICE_ERROR', details: { httpStatus: 500 } });
  });

  it('a problem+json answer is read with @armor/errors/client: its code and detail reach the banner', async () => {
    const error = (await load(httpSource(`${base}/401`)).catch((e: unknown) => e)) as SnapshotSourceError;
    expect(error.details).toEqual({ httpStatus: 401, code: 'UNAUTHENTICATED' });
    expect(error.message).toBe('Snapshot request failed: HTTP 401 Unauthorized — Admin API key required');
  });

  it('not JSON, wrong version, connection refused, timeout', async () => {
    await expect(load(httpSource(`${base}/html`))).rejects.toThrow('Snapshot response is not valid JSON');
    await expect(load(httpSource(`${base}/v2`))).rejects.toThrow('Invalid snapshot: unsupported version 2 (expected 1)');
    await expect(load(httpSource('http://127.0.0.1:1/x'))).rejects.toMatchObject({ name: 'SnapshotSourceError', code: 'EXTERNAL_SERVICE_ERROR' });
    await expect(load(httpSource(`${base}/slow`, { timeoutMs: 100 }))).rejects.toMatchObject({ code: 'TIMEOUT' });
  });

  it('an aborted signal rejects with the abort reason, not a SnapshotSourceError', async () => {
    const controller = new AbortController();
    const pending = load(httpSource(`${base}/slow`), controller.signal);
    controller.abort(new Error('unmounted'));
    await expect(pending).rejects.toThrow('unmounted');
  });

  it('the query of a load (fleet instance and range) is set on the URL, replacing same-named parameters; none → the URL as given', async () => {
    const source = httpSource(`${base}/ok?range=1h&token=t`);
    await source.load({ signal: new AbortController().signal, query: { instance: 'api-2:3000', range: '24h' } });
    expect(lastUrl).toBe('/ok?range=24h&token=t&instance=api-2%3A3000');
    await source.load({ signal: new AbortController().signal, query: { instance: '', range: '6h' } });
    expect(lastUrl).toBe('/ok?range=6h&token=t&instance=');
    await source.load({ signal: new AbortController().signal });
    expect(lastUrl).toBe('/ok?range=1h&token=t');
    // the key is the URL: changing the query does not make it another source
    expect(source.key).toBe(`http:${base}/ok?range=1h&token=t`);
  });

  it('a relative URL stays relative and keeps its fragment', async () => {
    const seen: string[] = [];
    const fetch = (async (input: RequestInfo | URL) => {
      seen.push(String(input));
      return new Response(JSON.stringify(makeSnapshot()), { headers: { 'content-type': 'application/json' } });
    }) as typeof globalThis.fetch;
    const signal = new AbortController().signal;
    await httpSource('monitoring/snapshot', { fetch }).load({ signal, query: { range: '1h' } });
    await httpSource('/admin/snapshot?x=1#top', { fetch }).load({ signal, query: { instance: 'a b', range: '15m' } });
    await httpSource('/admin/snapshot?x=1', { fetch }).load({ signal, query: {} });
    expect(seen).toEqual(['monitoring/snapshot?range=1h', '/admin/snapshot?x=1&instance=a+b&range=15m#top', '/admin/snapshot?x=1']);
  });

  it('bad options throw ConfigurationError at creation', () => {
    for (const [url, options, option] of [
      ['', {}, 'url'],
      ['  ', {}, 'url'],
      [42, {}, 'url'],
      ['/x', { timeoutMs: 0 }, 'timeoutMs'],
      ['/x', { timeoutMs: Number.POSITIVE_INFINITY }, 'timeoutMs'],
      ['/x', { fetch: 'nope' }, 'fetch'],
    ] as const) {
      expect(() => httpSource(url as string, options as never)).toThrow(expect.objectContaining({ code: 'CONFIGURATION_ERROR', option }) as Error);
    }
  });
});

describe('parseSnapshot', () => {
  it.each([
    [null, 'not an object'],
    [[], 'not an object'],
    [{ version: 1 }, 'generatedAt'],
  ])('rejects %#', (value, message) => {
    expect(() => parseSnapshot(value)).toThrow(message);
  });
  // a section that is missing or malformed is repaired by normalizeSnapshot and shown as
  // unavailable on its own panels (issue 24: it used to blank the whole dashboard)
  it.each([
    [{ ...makeSnapshot(), caches: null }, 'caches', 'caches'],
    [{ ...makeSnapshot(), requests: { totals: 1, series: [] } }, 'requests.totals', 'requests'],
    [{ ...makeSnapshot(), errors: 'none' }, 'errors', 'errors'],
    [{ ...makeSnapshot(), health: { status: 'pass' } }, 'health.checks', undefined],
  ] as const)('accepts %#, and normalizeSnapshot notes the section', (value, path, section) => {
    const parsed = parseSnapshot(value);
    const { notes, unavailable } = normalizeSnapshot(parsed);
    expect(notes.map((n) => n.path)).toContain(path);
    if (section !== undefined) expect(unavailable[section]).toBe('missing from the snapshot');
  });
  it('accepts a valid snapshot', () => {
    const s = makeSnapshot();
    expect(parseSnapshot(s)).toBe(s);
  });
});
