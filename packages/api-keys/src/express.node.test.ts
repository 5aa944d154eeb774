import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeyAuth, getApiKey, requireScopes } from './express.js';
import { generateApiKey, type ApiKeyRecord, type GeneratedApiKey } from './index.js';

const PEPPER = 'express-pepper-express-pepper-express-pepper';
const records = new Map<string, ApiKeyRecord & { owner: string }>();
let reader: GeneratedApiKey;
let writer: GeneratedApiKey;
let revoked: GeneratedApiKey;
let expired: GeneratedApiKey;
let base: string;
let server: Server;
const seenErrors: unknown[] = [];

beforeAll(async () => {
  reader = await generateApiKey({ prefix: 'armor_live', pepper: PEPPER });
  writer = await generateApiKey({ prefix: 'armor_live', pepper: PEPPER });
  revoked = await generateApiKey({ prefix: 'armor_live', pepper: PEPPER });
  expired = await generateApiKey({ prefix: 'armor_live', pepper: PEPPER });
  records.set(reader.id, { hash: reader.hash, scopes: ['projects:read'], owner: 'ann' });
  records.set(writer.id, { hash: writer.hash, scopes: ['projects:read', 'projects:write'], owner: 'bob' });
  records.set(revoked.id, { hash: revoked.hash, revokedAt: Date.now() - 1000, owner: 'cy' });
  records.set(expired.id, { hash: expired.hash, expiresAt: new Date(Date.now() - 1000), owner: 'di' });

  const app = express();
  app.use('/api', apiKeyAuth({ lookup: async (id) => records.get(id), pepper: PEPPER, prefixes: ['armor_live'] }));
  app.get('/api/projects', (_req, res) => {
    const key = getApiKey<ApiKeyRecord & { owner: string }>(res)!;
    res.json({ owner: key.record.owner, id: key.id });
  });
  app.post('/api/projects', requireScopes('projects:write'), (_req, res) => {
    res.status(201).json({ created: true });
  });
  const logged = express.Router();
  logged.use(apiKeyAuth({ lookup: (id) => records.get(id), pepper: PEPPER, onError: 'next' }));
  app.use('/next', logged);
  app.use((error: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    seenErrors.push(error);
    res.status(418).end();
  });
  await new Promise<void>((resolve) => {
    server = app.listen(0, '127.0.0.1', () => resolve());
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function call(path: string, headers: Record<string, string>, method = 'GET') {
  const response = await fetch(`${base}${path}`, { method, headers });
  const text = await response.text();
  return { status: response.status, type: response.headers.get('content-type'), auth: response.headers.get('www-authenticate'), text, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

describe('apiKeyAuth over real HTTP', () => {
  it('accepts Authorization: Bearer and x-api-key', async () => {
    expect(await call('/api/projects', { authorization: `Bearer ${reader.key}` })).toMatchObject({ status: 200, json: { owner: 'ann', id: reader.id } });
    expect(await call('/api/projects', { 'x-api-key': writer.key })).toMatchObject({ status: 200, json: { owner: 'bob' } });
  });

  it('missing key → 401 with a Bearer challenge', async () => {
    const result = await call('/api/projects', {});
    expect(result).toMatchObject({ status: 401, auth: 'Bearer realm="api"', json: { code: 'UNAUTHENTICATED' } });
    expect(result.type).toMatch(/^application\/problem\+json/);
  });

  it.each([
    ['flipped character', () => reader.key.slice(0, 20) + (reader.key[20] === 'x' ? 'y' : 'x') + reader.key.slice(21), 'API_KEY_INVALID'],
    ['wrong hash (unknown key with a valid checksum)', () => 'PLACEHOLDER', 'API_KEY_INVALID'],
    ['revoked', () => revoked.key, 'API_KEY_REVOKED'],
    ['expired', () => expired.key, 'API_KEY_EXPIRED'],
  ])('%s → 401', async (_name, key, code) => {
    let presented = key();
    if (presented === 'PLACEHOLDER') {
      const other = await generateApiKey({ prefix: 'armor_live', pepper: 'a-different-pepper-of-at-least-32-bytes!!' });
      records.set(other.id, { hash: reader.hash, owner: 'x' });
      presented = other.key;
    }
    const result = await call('/api/projects', { authorization: `Bearer ${presented}` });
    expect(result).toMatchObject({ status: 401, json: { code } });
    expect(result.auth).toBe('Bearer realm="api", error="invalid_token"');
    expect(result.text).not.toContain(presented.split('_')[2]!.slice(12));
  });

  it('insufficient scope → 403 with the missing scope', async () => {
    const result = await call('/api/projects', { authorization: `Bearer ${reader.key}` }, 'POST');
    expect(result).toMatchObject({ status: 403, json: { code: 'INSUFFICIENT_SCOPE' } });
    expect(result.auth).toBe('Bearer realm="api", error="insufficient_scope", scope="projects:write"');
    expect((await call('/api/projects', { authorization: `Bearer ${writer.key}` }, 'POST')).status).toBe(201);
  });

  it("onError: 'next' hands the error on without the key in it", async () => {
    const bad = `${reader.key.slice(0, -1)}${reader.key.endsWith('0') ? '1' : '0'}`;
    expect((await call('/next/x', { 'x-api-key': bad })).status).toBe(418);
    const error = seenErrors.at(-1) as Error;
    expect(error).toMatchObject({ name: 'ApiKeyError', code: 'API_KEY_INVALID' });
    expect(`${error.message}${JSON.stringify(error)}${error.stack}`).not.toContain(bad.split('_')[2]!.slice(12));
  });
});

describe('apiKeyAuth options', () => {
  it.each([
    [undefined, 'options'],
    [{ lookup: (): undefined => undefined, onError: 'throw' }, 'onError'],
    [{ lookup: (): undefined => undefined, realm: 42 }, 'realm'],
    [{ lookup: (): undefined => undefined, header: 'x api key' }, 'header'],
    [{ lookup: (): undefined => undefined, prefixes: 'armor_live' }, 'prefixes'],
  ])('%j → ConfigurationError naming %s', (options, option) => {
    expect(() => apiKeyAuth(options as never)).toThrow(expect.objectContaining({ name: 'ConfigurationError', option }));
  });
});
