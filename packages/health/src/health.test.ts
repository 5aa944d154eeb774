import { describe, expect, it } from 'vitest';
import { isArmorError } from '@armor/errors';
import { createHealth, type HealthDocument } from './index.js';

const manualClock = (start = 1_700_000_000_000) => {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
};
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

describe('createHealth', () => {
  it('is not ready until markReady(), and says why in the 503 body', async () => {
    const health = createHealth({ version: '1.2.3', checks: { db: { check: () => undefined } } });
    const before = await health.ready();
    expect(before.status).toBe('fail');
    expect(before.output).toMatch(/not ready/);
    expect(before.version).toBe('1.2.3');
    const res = await health.handleHealthRequest(new Request('http://x/health/ready'));
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toBe('application/health+json');
    expect(((await res.json()) as HealthDocument).output).toMatch(/not ready/);
    expect((await health.startup()).status).toBe('fail');
    expect((await health.live()).status).toBe('pass');

    health.markReady();
    const after = await health.ready();
    expect(after.status).toBe('pass');
    expect(after.checks?.db?.[0]).toMatchObject({ status: 'pass', componentType: 'component', observedUnit: 'ms', critical: true });
    expect(typeof after.checks?.db?.[0]?.time).toBe('string');
    expect((await health.handleHealthRequest(new Request('http://x/health/ready'))).status).toBe(200);
    expect((await health.startup()).status).toBe('pass');
  });

  it('becomes ready on the first passing run when readyOnFirstPass is set', async () => {
    let ok = false;
    const health = createHealth({ readyOnFirstPass: true, checks: { db: { check: () => ok, cacheMs: 0 } } });
    expect((await health.ready()).status).toBe('fail');
    ok = true;
    expect((await health.ready()).status).toBe('pass');
    ok = false;
    const doc = await health.ready();
    expect(doc.status).toBe('fail');
    expect(doc.output).toBe('db: check returned false');
    expect(health.isReady).toBe(true);
  });

  it('fails a check that exceeds its timeout and aborts its signal', async () => {
    let aborted = false;
    const health = createHealth({
      checks: {
        slow: {
          timeoutMs: 30,
          check: (signal) =>
            new Promise((resolve) => {
              signal.addEventListener('abort', () => {
                aborted = true;
              });
              setTimeout(resolve, 1000);
            }),
        },
        fast: { check: () => undefined },
      },
    });
    health.markReady();
    const started = Date.now();
    const doc = await health.ready();
    expect(Date.now() - started).toBeLessThan(900);
    expect(doc.status).toBe('fail');
    expect(doc.checks?.slow?.[0]).toMatchObject({ status: 'fail', output: 'timed out after 30 ms' });
    expect(doc.checks?.fast?.[0]?.status).toBe('pass');
    expect(doc.output).toBe('slow: timed out after 30 ms');
    expect(aborted).toBe(true);
  });

  it('runs checks concurrently', async () => {
    const health = createHealth({
      checks: Object.fromEntries(
        ['a', 'b', 'c', 'd'].map((n) => [n, { check: () => sleep(60), timeoutMs: 1000 }]),
      ),
    });
    health.markReady();
    const started = Date.now();
    expect((await health.ready()).status).toBe('pass');
    // sequential would take >= 240 ms; concurrent about 60 ms
    expect(Date.now() - started).toBeLessThan(230);
  });

  it('caches results for cacheMs and shares in-flight runs', async () => {
    const clock = manualClock();
    let calls = 0;
    const health = createHealth({
      clock,
      checks: {
        db: {
          cacheMs: 5000,
          check: async () => {
            calls++;
            await sleep(10);
            return { observedValue: calls, observedUnit: 'calls' };
          },
        },
      },
    });
    health.markReady();
    const [a, b, c] = await Promise.all([health.ready(), health.ready(), health.live()]);
    expect(calls).toBe(1);
    expect(a.checks?.db?.[0]?.observedValue).toBe(1);
    expect(b.checks?.db?.[0]?.observedValue).toBe(1);
    expect(c.checks).toBeUndefined(); // not a liveness check
    clock.advance(4999);
    const cached = await health.ready();
    expect(calls).toBe(1);
    expect(cached.checks?.db?.[0]).toMatchObject({ cached: true, observedValue: 1 });
    clock.advance(1);
    expect((await health.ready()).checks?.db?.[0]?.observedValue).toBe(2);
    expect(calls).toBe(2);
    health.clearCache();
    await health.ready();
    expect(calls).toBe(3);
  });

  it('caches failures too, so a down database is not hammered', async () => {
    const clock = manualClock();
    let calls = 0;
    const health = createHealth({
      clock,
      checks: { db: { cacheMs: 1000, check: () => { calls++; throw new Error('connection refused'); } } },
    });
    health.markReady();
    for (let i = 0; i < 5; i++) expect((await health.ready()).status).toBe('fail');
    expect(calls).toBe(1);
  });

  it('non-critical failures and warn results give warn (HTTP 200)', async () => {
    const health = createHealth({
      checks: {
        mailer: { critical: false, check: () => Promise.reject(new Error('smtp down')) },
        disk: { check: () => ({ status: 'warn', observedValue: 91, observedUnit: 'percent', output: 'disk almost full' }) },
      },
    });
    health.markReady();
    const doc = await health.ready();
    expect(doc.status).toBe('warn');
    expect(doc.output).toBe('mailer: smtp down; disk: disk almost full');
    expect(doc.checks?.disk?.[0]).toMatchObject({ observedValue: 91, observedUnit: 'percent' });
    expect((await health.handleHealthRequest(new Request('http://x/health/ready'))).status).toBe(200);
  });

  it('liveness runs only live checks; readiness fails for good once shutting down', async () => {
    const health = createHealth({
      checks: {
        eventLoop: { probes: ['live'], check: () => undefined },
        db: { check: () => undefined },
      },
    });
    health.markReady();
    expect(Object.keys((await health.live()).checks ?? {})).toEqual(['eventLoop']);
    expect(Object.keys((await health.ready()).checks ?? {})).toEqual(['db']);
    health.markShuttingDown();
    health.markReady();
    const doc = await health.ready();
    expect(doc).toMatchObject({ status: 'fail', output: 'shutting down' });
    expect((await health.live()).status).toBe('pass');
    expect((await health.report()).status).toBe('fail');
  });

  it('markNotReady(reason) shows the reason', async () => {
    const health = createHealth();
    health.markReady();
    health.markNotReady('warming cache');
    expect(await health.ready()).toMatchObject({ status: 'fail', output: 'warming cache' });
  });

  it('report() flattens results for the monitoring snapshot', async () => {
    const health = createHealth({ checks: { db: { check: () => undefined, componentType: 'datastore', critical: true } } });
    health.markReady();
    const report = await health.report();
    expect(report.status).toBe('pass');
    expect(report.checks[0]).toMatchObject({ name: 'db', status: 'pass', componentType: 'datastore', critical: true, observedUnit: 'ms' });
    expect(typeof report.checks[0]?.time).toBe('number');
  });

  it('handleHealthRequest routes live/ready/startup, 404s unknown paths, 405s other methods, answers HEAD without body', async () => {
    const health = createHealth();
    health.markReady();
    const h = (url: string, method = 'GET') => health.handleHealthRequest(new Request(url, { method }));
    expect((await h('http://x/health/live')).status).toBe(200);
    expect((await h('http://x/health/startup/')).status).toBe(200);
    expect((await h('http://x/healthz')).status).toBe(200);
    expect((await h('http://x/health/nope')).status).toBe(404);
    const post = await h('http://x/health/ready', 'POST');
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    const head = await h('http://x/health/ready', 'HEAD');
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  const one = (): number => 1;
  it.each<[unknown, string]>([
    [{ checks: { a: { check: 1 } } }, 'checks.a.check'],
    [{ checks: { a: { check: one, timeoutMs: 0 } } }, 'checks.a.timeoutMs'],
    [{ checks: { a: { check: one, timeoutMs: Number.NaN } } }, 'checks.a.timeoutMs'],
    [{ checks: { a: { check: one, cacheMs: -1 } } }, 'checks.a.cacheMs'],
    [{ checks: { a: { check: one, probes: ['alive'] } } }, 'checks.a.probes'],
    [{ checks: { a: { check: one, critical: 'yes' } } }, 'checks.a.critical'],
    [{ checks: { a: null } }, 'checks.a'],
    [{ checks: 5 }, 'checks'],
    [{ clock: {} }, 'clock'],
    [{ checks: { a: { check: one, componentId: 5 } } }, 'checks.a.componentId'],
    [{ checks: { a: { check: one, links: { about: 5 } } } }, 'checks.a.links.about'],
    [{ showDetails: 'yes' }, 'showDetails'],
  ])('rejects bad options %# with a ConfigurationError naming %s', (options, option) => {
    try {
      createHealth(options as never);
      expect.unreachable();
    } catch (error) {
      expect(isArmorError(error, 'CONFIGURATION_ERROR')).toBe(true);
      expect((error as { option: string }).option).toBe(option);
    }
  });

  it('has kind "health" and refuses unknown options with the closest known name', () => {
    expect(createHealth().kind).toBe('health');
    expect(() => createHealth({ chekcs: {} } as never)).toThrow(/Unknown option "chekcs".*did you mean "checks"/);
    expect(() => createHealth({ checks: { db: { check: one, timeout: 100 } } } as never)).toThrow(/Unknown option "timeout".*did you mean "timeoutMs"/);
  });

  it('the default check timeout is below the Kubernetes 1 s probe timeout', async () => {
    const health = createHealth({ checks: { hung: { check: () => new Promise(() => {}) } } });
    health.markReady();
    const doc = await health.ready();
    expect(doc.status).toBe('fail');
    expect(doc.checks?.hung?.[0]?.output).toMatch(/^timed out after (\d+) ms$/);
    const ms = Number(/(\d+)/.exec(doc.checks!.hung![0]!.output!)![1]);
    expect(ms).toBeLessThan(1000);
  });

  describe('verdicts (issue 17 #2)', () => {
    const verdict = async (value: unknown) => {
      const health = createHealth({ checks: { dep: { check: () => value, cacheMs: 0 } } });
      health.markReady();
      const doc = await health.ready();
      return doc.checks!.dep![0]!;
    };
    it('a fetch Response is judged by ok/status, with the status in the reason', async () => {
      expect(await verdict(new Response('fine', { status: 200 }))).toMatchObject({ status: 'pass' });
      expect((await verdict(new Response(null, { status: 204 }))).status).toBe('pass');
      const down = await verdict(new Response('down', { status: 503, statusText: 'Service Unavailable' }));
      expect(down).toMatchObject({ status: 'fail', output: 'HTTP 503 Service Unavailable' });
      expect(await verdict(new Response(null, { status: 404 }))).toMatchObject({ status: 'fail', output: 'HTTP 404' });
      expect(await verdict({ status: 200 })).toMatchObject({ status: 'pass' });
      expect(await verdict({ status: 500 })).toMatchObject({ status: 'fail', output: 'HTTP 500' });
    });
    it('understands UP/DOWN and other common status words, case-insensitively, with a reason', async () => {
      expect((await verdict({ status: 'UP' })).status).toBe('pass');
      expect((await verdict({ status: 'ok' })).status).toBe('pass');
      expect((await verdict({ status: 'healthy' })).status).toBe('pass');
      expect(await verdict({ status: 'DOWN' })).toMatchObject({ status: 'fail', output: 'status DOWN' });
      expect(await verdict({ status: 'OUT_OF_SERVICE' })).toMatchObject({ status: 'fail' });
      expect(await verdict({ status: 'degraded', output: 'replica lag 30 s' })).toMatchObject({ status: 'warn', output: 'replica lag 30 s' });
      expect(await verdict({ status: 'sideways' })).toMatchObject({ status: 'fail', output: 'unknown status "sideways"' });
      expect(await verdict({ status: 'fail' })).toMatchObject({ status: 'fail', output: 'status fail' });
    });
  });

  describe('a hostile result never wedges a check (issue 17 #3)', () => {
    it('a result whose getter throws fails that run with a reason; later probes work', async () => {
      let hostile = true;
      const health = createHealth({
        checks: {
          db: {
            cacheMs: 0,
            check: () =>
              hostile
                ? {
                    get observedValue(): number {
                      throw new Error('getter exploded');
                    },
                  }
                : { observedValue: 7, observedUnit: 'connections' },
          },
        },
      });
      health.markReady();
      const first = await health.ready();
      expect(first.status).toBe('fail');
      expect(first.checks?.db?.[0]?.output).toMatch(/getter exploded/);
      hostile = false;
      const second = await health.ready();
      expect(second.status).toBe('pass');
      expect(second.checks?.db?.[0]).toMatchObject({ observedValue: 7, observedUnit: 'connections' });
    });

    it('an error whose message getter throws still gives a failing result', async () => {
      const hostileError = Object.create(Error.prototype, {
        message: {
          get() {
            throw new Error('no');
          },
        },
      }) as Error;
      const health = createHealth({ checks: { db: { cacheMs: 0, check: () => Promise.reject(hostileError) } } });
      health.markReady();
      const doc = await health.ready();
      expect(doc.status).toBe('fail');
      expect(doc.checks?.db?.[0]?.output).toBe('check failed');
      expect((await health.ready()).status).toBe('fail');
    });
  });

  describe('details are hidden from public probes', () => {
    const failing = () =>
      createHealth({
        checks: { db: { cacheMs: 0, check: () => Promise.reject(new Error('connect failed: postgres://app:password=hunter2@db')) } },
        showDetails: (req) => req.headers.get('authorization') === 'Bearer admin',
      });
    it('the ready body does not contain the exception message by default', async () => {
      const health = createHealth({ checks: { db: { check: () => Promise.reject(new Error('password=hunter2')) } } });
      health.markReady();
      const res = await health.handleHealthRequest(new Request('http://x/health/ready'));
      expect(res.status).toBe(503);
      const text = await res.text();
      expect(text).not.toContain('hunter2');
      expect(JSON.parse(text)).toMatchObject({ status: 'fail', output: 'db: fail', checks: { db: [{ status: 'fail' }] } });
      // direct calls (trusted code, e.g. the monitoring snapshot) still see the reason
      expect((await health.ready()).output).toBe('db: password=hunter2');
      expect((await health.report()).checks[0]?.output).toBe('password=hunter2');
    });
    it('an authorized caller (showDetails) sees the details', async () => {
      const health = failing();
      health.markReady();
      const anon = await (await health.handleHealthRequest(new Request('http://x/health/ready'))).text();
      expect(anon).not.toContain('hunter2');
      const admin = await health.handleHealthRequest(new Request('http://x/health/ready', { headers: { authorization: 'Bearer admin' } }));
      expect(await admin.text()).toContain('hunter2');
    });
    it('app-authored reasons (markNotReady, shutting down) stay visible', async () => {
      const health = createHealth();
      health.markNotReady('warming cache');
      expect(await (await health.handleHealthRequest(new Request('http://x/health/ready'))).json()).toMatchObject({ output: 'warming cache' });
    });
  });

  it('matches probe paths exactly: /api/users/health is not a readiness probe', async () => {
    const health = createHealth();
    health.markReady();
    const h = (url: string) => health.handleHealthRequest(new Request(url));
    expect((await h('http://x/api/users/health')).status).toBe(404);
    expect((await h('http://x/api/ready')).status).toBe(404);
    expect((await h('http://x/v1/livez')).status).toBe(404);
    expect((await h('http://x/health')).status).toBe(200);
    expect((await h('http://x/readyz')).status).toBe(200);
    expect((await h('http://x/livez')).status).toBe(200);
    const mounted = createHealth({ path: '/internal/probes/' });
    mounted.markReady();
    expect((await mounted.handleHealthRequest(new Request('http://x/internal/probes/ready'))).status).toBe(200);
    expect((await mounted.handleHealthRequest(new Request('http://x/health/ready'))).status).toBe(404);
  });

  it('reports componentId and links of the health+json draft', async () => {
    const health = createHealth({
      links: { about: 'https://docs.example.com/orders-api' },
      checks: { db: { check: () => undefined, componentId: 'db-primary-1', componentType: 'datastore', links: { runbook: 'https://runbooks/db' } } },
    });
    health.markReady();
    const doc = await health.ready();
    expect(doc.links).toEqual({ about: 'https://docs.example.com/orders-api' });
    expect(doc.checks?.db?.[0]).toMatchObject({ componentId: 'db-primary-1', componentType: 'datastore', links: { runbook: 'https://runbooks/db' } });
  });
});
