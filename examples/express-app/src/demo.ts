/**
 * Demo mode (`DEMO=1`): seeds a tenant with users, projects and comments, starts a flaky
 * webhook receiver, and runs a small traffic generator — normal calls, some invalid input,
 * unauthenticated calls, rate-limited login bursts, an occasional slow query — so the
 * dashboard at `/monitoring` has something to show.
 *
 * @module
 */
import { createServer, type Server } from 'node:http';
import type { Service } from './app.js';
import { hashPassword } from './auth.js';

export const DEMO_PASSWORD = 'demo-password';
const DEMO_USERS = [
  { email: 'alice@demo.test', name: 'Alice' },
  { email: 'bob@demo.test', name: 'Bob' },
  { email: 'carol@demo.test', name: 'Carol' },
];

/** Seeds the demo tenant once (idempotent). Returns the users' ids and a project list. */
export async function seed(service: Service): Promise<{ userIds: string[]; projectIds: string[]; tenantId: string }> {
  const { repos } = service;
  const existing = await repos.users.byEmail(DEMO_USERS[0]!.email);
  if (existing) {
    const projects = await repos.projects.list(existing.tenantId, 50);
    const users = await Promise.all(DEMO_USERS.map((u) => repos.users.byEmail(u.email)));
    return { userIds: users.flatMap((u) => (u ? [u.id] : [])), projectIds: projects.map((p) => p.id), tenantId: existing.tenantId };
  }
  const tenant = await repos.tenants.create('Acme (demo)');
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const users = [];
  for (const u of DEMO_USERS) users.push(await repos.users.create({ tenantId: tenant.id, ...u, passwordHash }));
  const projectIds: string[] = [];
  for (const name of ['Apollo', 'Gemini', 'Mercury']) {
    const project = await repos.projects.create({ tenantId: tenant.id, name, createdBy: users[0]!.id });
    projectIds.push(project.id);
    for (let i = 0; i < 12; i++) {
      await repos.comments.create({ projectId: project.id, authorId: users[i % users.length]!.id, html: `<p>Seed comment <b>${i + 1}</b> on ${name}</p>` });
    }
  }
  return { userIds: users.map((u) => u.id), projectIds, tenantId: tenant.id };
}

/**
 * A local webhook receiver that fails often and has outages, so retries and the circuit
 * breaker have work to do. Returns its URL and a stop function.
 */
export async function startFlakyWebhook(): Promise<{ url: string; server: Server }> {
  let outageUntil = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const now = Date.now();
      if (now > outageUntil && Math.random() < 0.02) outageUntil = now + 15_000;
      const fail = now < outageUntil || Math.random() < 0.3;
      res.statusCode = fail ? 503 : 204;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  server.unref();
  const address = server.address();
  return { url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/hook`, server };
}

/** Starts the traffic generator against `base`; returns a stop function. */
export function startTraffic(service: Service, base: string, key: string, data: { projectIds: string[] }, options: { intervalMs?: number } = {}) {
  const intervalMs = options.intervalMs ?? 150;
  const commentIds: string[] = [];
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)]!;
  const auth = { authorization: `Bearer ${key}` };
  const json = { ...auth, 'content-type': 'application/json' };
  const go = (path: string, init: RequestInit = {}) =>
    fetch(base + path, init)
      .then(async (r) => {
        const body = await r.text();
        return { status: r.status, body };
      })
      .catch(() => ({ status: 0, body: '' }));

  let tick = 0;
  const step = async () => {
    tick++;
    const projectId = pick(data.projectIds);
    const roll = Math.random();
    if (tick % 150 === 0) {
      // A login burst: the `auth` tier answers 429 after a few attempts.
      await Promise.all(Array.from({ length: 15 }, () => go('/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'mallory@demo.test', password: 'guess' }) })));
    } else if (tick % 97 === 0) {
      // An occasional slow query, visible in the slow-operations panel.
      await service.repos.reports.slow(0.25 + Math.random() * 0.3).catch(() => undefined);
    } else if (roll < 0.35) {
      await go(`/api/v1/projects/${projectId}/comments?limit=${pick([5, 10, 20])}`, { headers: auth });
    } else if (roll < 0.6 && commentIds.length > 0) {
      await go(`/api/v1/comments/${pick(commentIds)}`, { headers: auth });
    } else if (roll < 0.75) {
      const r = await go(`/api/v1/projects/${projectId}/comments`, {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ body: pick(['<p>Looks good!</p>', 'Ship it <b>now</b>', '<img src=x onerror=alert(1)>nice', 'LGTM <script>steal()</script>']) }),
      });
      if (r.status === 201) {
        commentIds.push((JSON.parse(r.body) as { id: string }).id);
        if (commentIds.length > 200) commentIds.shift();
      }
    } else if (roll < 0.85) {
      // Invalid input: validation errors and malformed JSON.
      await pick([
        () => go('/api/v1/projects', { method: 'POST', headers: json, body: JSON.stringify({ name: '' }) }),
        () => go('/api/v1/projects', { method: 'POST', headers: json, body: '{"name": ' }),
        () => go(`/api/v1/projects/${projectId}/comments?limit=5000`, { headers: auth }),
        () => go('/api/v1/comments/not-a-uuid', { headers: auth }),
      ])();
    } else if (roll < 0.92) {
      await go(`/api/v1/projects/${projectId}`, { headers: { authorization: 'Bearer xapp_live_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA_AAAAAA' } });
    } else {
      await go(`/api/v1/projects/${projectId}`, { headers: auth });
    }
  };

  let running = true;
  const loop = async () => {
    while (running) {
      await step();
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, intervalMs * (0.5 + Math.random()));
        t.unref();
      });
    }
  };
  void loop();
  return () => {
    running = false;
  };
}

/** Seeds, makes a demo key, starts traffic and prints how to look at it. */
export async function startDemo(service: Service, base: string): Promise<() => void> {
  const data = await seed(service);
  const key = service.config.adminApiKey ?? (await service.createApiKey(data.userIds[0]!, ['projects:read', 'projects:write', 'comments:read', 'comments:write'], 'demo'));
  const stop = startTraffic(service, base, key, data);
  const lines = [
    '',
    '  Armor express-app demo is running',
    `  Dashboard:     ${base}/monitoring`,
    `  Snapshot:      ${base}/monitoring/snapshot`,
    `  Metrics:       ${base}/metrics`,
    `  Demo API key:  ${key}`,
    `  Try:           curl -H "Authorization: Bearer ${key}" ${base}/api/v1/projects/${data.projectIds[0]}/comments?limit=5`,
    `  Browser login: ${DEMO_USERS[0]!.email} / ${DEMO_PASSWORD}`,
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  return stop;
}
