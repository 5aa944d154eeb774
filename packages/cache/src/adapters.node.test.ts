/**
 * The per-request loaders of @armor/cache in Hono, Fastify and Next.js over real sockets: one
 * batch per request, memoized within it, never shared between requests.
 */
import { serveFastify, serveHono, serveRoutes, type Served } from '@armor/test-utils';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { afterAll, describe, expect, it } from 'vitest';
import { armorLoaders, loadersOf } from './fastify.js';
import { loaders, type LoaderVariables } from './hono.js';
import { createLoader, loaderScope } from './loader.js';
import { withLoaders } from './next.js';

const batches: string[][] = [];
const scope = loaderScope({
  user: () =>
    createLoader(async (ids: readonly string[]) => {
      batches.push([...ids]);
      return ids.map((id) => ({ id }));
    }),
});
type Users = ReturnType<typeof scope>;
const team = async (users: Users, ids: string[]) => {
  const members = await Promise.all(ids.map((id) => users.user.load(id)));
  const again = await Promise.all(ids.map((id) => users.user.load(id)));
  return { members: members.map((m) => m.id), same: members.every((m, i) => m === again[i]) };
};

const servers: Served[] = [];
afterAll(() => Promise.all(servers.map((s) => s.close())));

const apps: Record<string, () => Promise<Served>> = {
  hono: () => {
    const app = new Hono<{ Variables: LoaderVariables<typeof scope.factories> }>();
    app.use(loaders(scope));
    app.get('/team/:ids', async (c) => c.json(await team(c.var.loaders, c.req.param('ids').split(','))));
    app.get('/none', (c) => c.text('none'));
    return serveHono(app);
  },
  fastify: async () => {
    const app = Fastify();
    await app.register(armorLoaders, { scope });
    app.get<{ Params: { ids: string } }>('/team/:ids', async (request) => team(loadersOf(request, scope), request.params.ids.split(',')));
    app.get('/none', async () => 'none');
    return serveFastify(app);
  },
  next: () =>
    serveRoutes({
      '/team/a,b,a': { GET: withLoaders(scope, async (users) => Response.json(await team(users, ['a', 'b', 'a']))) },
      '/none': { GET: withLoaders(scope, () => new Response('none')) },
    }),
};

describe.each(Object.keys(apps))('@armor/cache loaders on %s', (name) => {
  it('one batch per request, memoized within it, fresh for the next request; nothing built when unused', async () => {
    const served = await apps[name]!();
    servers.push(served);
    batches.length = 0;
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${served.base}/team/a,b,a`);
      expect(await res.json()).toEqual({ members: ['a', 'b', 'a'], same: true });
    }
    expect(batches).toEqual([['a', 'b'], ['a', 'b']]);
    await fetch(`${served.base}/none`);
    expect(batches).toHaveLength(2);
  });
});
