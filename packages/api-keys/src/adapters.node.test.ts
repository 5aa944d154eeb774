/**
 * Every framework adapter of @armor/api-keys passes the same scenarios over real sockets (the
 * adapter conformance suite of @armor/test-utils), plus each framework's conventions.
 */
import { adapterConformance, apiKeyScenarios, serveExpress, serveFastify, serveHono, serveRoutes } from '@armor/test-utils';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { beforeAll, describe, expect, it } from 'vitest';
import { apiKeyAuth as expressAuth, getApiKey as expressKey, requireScopes as expressScopes } from './express.js';
import { armorApiKeys } from './fastify.js';
import { apiKeyAuth, requireScopes, type ApiKeyVariables } from './hono.js';
import { generateApiKey, type ApiKeyRecord, type GeneratedApiKey } from './keys.js';
import { apiKeyProxy, checkScopes, getApiKey, withApiKey } from './next.js';

const records = new Map<string, ApiKeyRecord>();
let reader: GeneratedApiKey;
let writer: GeneratedApiKey;
beforeAll(async () => {
  reader = await generateApiKey();
  writer = await generateApiKey();
  records.set(reader.id, { hash: reader.hash, scopes: ['projects:read'] });
  records.set(writer.id, { hash: writer.hash, scopes: ['projects:read', 'projects:write'] });
});
const lookup = (id: string) => records.get(id);

adapterConformance(
  '@armor/api-keys',
  {
    express: () => {
      const app = express();
      app.use('/keys', expressAuth({ lookup }));
      app.get('/keys/projects', (_req, res) => res.json({ id: expressKey(res)!.id }));
      app.post('/keys/projects', expressScopes('projects:write'), (_req, res) => res.status(201).end());
      return serveExpress(app);
    },
    hono: () => {
      const app = new Hono<{ Variables: ApiKeyVariables }>();
      app.use('/keys/*', apiKeyAuth({ lookup }));
      app.get('/keys/projects', (c) => c.json({ id: c.var.apiKey.id }));
      app.post('/keys/projects', requireScopes('projects:write'), (c) => c.body(null, 201));
      return serveHono(app);
    },
    fastify: async () => {
      const app = Fastify();
      await app.register(armorApiKeys, { lookup });
      app.get('/keys/projects', async (request) => ({ id: request.apiKey!.id }));
      app.post('/keys/projects', { config: { armor: { apiKeys: { scopes: ['projects:write'] } } } }, async (_request, reply) => reply.code(201).send());
      return serveFastify(app);
    },
    next: () =>
      serveRoutes({
        '/keys/projects': {
          GET: withApiKey((request) => Response.json({ id: getApiKey(request)!.id }), { lookup }),
          POST: withApiKey(() => new Response(null, { status: 201 }), { lookup, requireScopes: ['projects:write'] }),
        },
      }),
  },
  apiKeyScenarios(() => ({ reader: reader.key, writer: writer.key, readerId: reader.id })),
);

describe('@armor/api-keys framework specifics', () => {
  it('Fastify: config.armor.apiKeys false opts a route out; bad options reject ready()', async () => {
    const app = Fastify();
    await app.register(armorApiKeys, { lookup });
    app.get('/status', { config: { armor: { apiKeys: false } } }, async (request) => ({ key: request.apiKey }));
    expect(JSON.parse((await app.inject('/status')).body)).toEqual({ key: null });
    await app.close();
    await expect(Fastify().register(armorApiKeys, { lookup, hook: 'onSend' as never }).ready()).rejects.toThrow(/hook/);
    await expect(Fastify().register(armorApiKeys, { lookp: lookup } as never).ready()).rejects.toThrow(/lookup/);
  });

  it('Hono: onError next throws the ApiKeyError to app.onError', async () => {
    const app = new Hono();
    app.use(apiKeyAuth({ lookup, onError: 'next' }));
    app.get('/', (c) => c.text('ok'));
    app.onError((err, c) => c.text(String((err as { code?: string }).code), 418));
    const res = await app.request('/');
    expect(res.status).toBe(418);
    expect(await res.text()).toBe('UNAUTHENTICATED');
  });

  it('Next: apiKeyProxy returns the key or the refusal; checkScopes answers 403', async () => {
    const check = apiKeyProxy({ lookup });
    const ok = await check(new Request('http://localhost/', { headers: { 'x-api-key': reader.key } }));
    expect(ok.key?.id).toBe(reader.id);
    const request = new Request('http://localhost/');
    expect((await check(request)).response?.status).toBe(401);
    expect(checkScopes(request, ok.key, 'projects:write')?.status).toBe(403);
    expect(checkScopes(request, ok.key, 'projects:read')).toBeUndefined();
    expect(() => checkScopes(request, ok.key)).toThrow(/scopes/);
  });
});
