/** `@armor/api-keys/next` without Node: this file also runs in the edge runtime project. */
import { describe, expect, it } from 'vitest';
import { generateApiKey, type ApiKeyRecord } from './keys.js';
import { getApiKey, withApiKey } from './next.js';

describe('@armor/api-keys/next (Node and edge runtimes)', () => {
  it('verifies the key and its scopes; failures are 401/403 with a Bearer challenge', async () => {
    const key = await generateApiKey();
    const records = new Map<string, ApiKeyRecord>([[key.id, { hash: key.hash, scopes: ['projects:read'] }]]);
    const read = withApiKey((request: Request) => Response.json({ id: getApiKey(request)!.id }), { lookup: (id) => records.get(id) });
    const write = withApiKey(() => new Response(null, { status: 201 }), { lookup: (id) => records.get(id), requireScopes: ['projects:write'] });
    const auth = { authorization: `Bearer ${key.key}` };
    expect(await (await read(new Request('https://api.example/p', { headers: auth }))).json()).toEqual({ id: key.id });
    const missing = await read(new Request('https://api.example/p'));
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect((await write(new Request('https://api.example/p', { headers: auth }))).status).toBe(403);
  });
});
