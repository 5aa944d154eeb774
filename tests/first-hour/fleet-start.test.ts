/**
 * `DEMO_FLEET=1 npm start` (scripts/start.sh → examples/express-app/scripts/fleet-demo.mjs) in a
 * child process, as a user runs it: two instances answer through one port; with redis-server and
 * prometheus installed (Debian paths, on PATH) the fleet snapshot lists both instances from real
 * Prometheus scrapes; without them (PATH stripped down to node, npm, sh, bash and dirname) the demo
 * says what it skipped and still serves. Ctrl-C (SIGINT to the whole process group, as a terminal
 * sends it) exits 0 and leaves no process and no temporary directory behind. The install and the
 * page build are skipped (ARMOR_START_SKIP_*), as in start.test.ts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '@armor/test-utils';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

interface Demo {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with stdout once it matches `pattern` (rejects when the demo ends first). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  /** SIGINT to the process group (a terminal's Ctrl-C). */
  interrupt(): void;
  exit: Promise<Exit>;
}

const running: Demo[] = [];
afterAll(() => {
  for (const d of running) if (d.child.exitCode === null && d.child.signalCode === null) process.kill(-d.child.pid!, 'SIGKILL');
});

function npmStartFleet(port: number, env: Record<string, string> = {}): Demo {
  const child = spawn('npm', ['start'], {
    cwd: root,
    detached: true,
    env: { ...process.env, PORT: String(port), DEMO_FLEET: '1', ARMOR_START_SKIP_SETUP: '1', ARMOR_START_SKIP_DASHBOARD: '1', NODE_ENV: '', NODE_OPTIONS: '', VITEST: '', VITEST_POOL_ID: '', VITEST_WORKER_ID: '', REDIS_URL: '', DATABASE_URL: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const listeners = new Set<() => void>();
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    for (const l of listeners) l();
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exit = new Promise<Exit>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      for (const l of listeners) l();
      resolve({ code, signal });
    });
  });
  const demo: Demo = {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    waitFor: (pattern, timeoutMs = 240_000) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => done(new Error(`no ${pattern} in ${timeoutMs} ms\n${stdout}\n${stderr}`)), timeoutMs);
        const check = () => {
          const m = pattern.exec(stdout);
          if (m) done(undefined, m);
          else if (child.exitCode !== null || child.signalCode !== null) done(new Error(`the demo ended before ${pattern}\n${stdout}\n${stderr}`));
        };
        const done = (error?: Error, m?: RegExpExecArray) => {
          clearTimeout(timer);
          listeners.delete(check);
          if (error) reject(error);
          else resolve(m!);
        };
        listeners.add(check);
        check();
      }),
    interrupt: () => process.kill(-child.pid!, 'SIGINT'),
    exit,
  };
  running.push(demo);
  return demo;
}

/** Every process descended from `pid` (from /proc), with its command name. */
function descendants(pid: number): { pid: number; comm: string }[] {
  const parent = new Map<number, number>();
  const comm = new Map<number, string>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid …; comm may hold spaces and parentheses
      const close = stat.lastIndexOf(')');
      parent.set(Number(entry), Number(stat.slice(close + 2).split(' ')[1]));
      comm.set(Number(entry), stat.slice(stat.indexOf('(') + 1, close));
    } catch {
      // exited meanwhile
    }
  }
  const out: { pid: number; comm: string }[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const p = queue.shift()!;
    for (const [child, ppid] of parent) {
      if (ppid === p) {
        out.push({ pid: child, comm: comm.get(child)! });
        queue.push(child);
      }
    }
  }
  return out;
}

/** A process that still runs (a zombie waiting for a parent to reap it runs nothing). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** The `X-Armor-Instance` of `n` answers through the front (each instance sets it on its own answers). */
async function instancesBehind(base: string, n: number): Promise<string[]> {
  const seen: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = await fetch(`${base}/health/live`);
    expect(r.status).toBe(200);
    seen.push(r.headers.get('x-armor-instance') ?? '');
  }
  return seen;
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${String(last)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

interface FleetSnapshot {
  fleet?: { instances: { instance: string; up: boolean; count: number }[] };
  requests: { totals: { count: number } };
  slo?: { objectives: { kind: string; status: string }[] };
}

describe('DEMO_FLEET=1 npm start', () => {
  it('two instances behind one port, Redis and Prometheus started by the demo, the fleet snapshot from both; Ctrl-C stops all of it and exits 0', async () => {
    const port = await freePort();
    const demo = npmStartFleet(port);
    await demo.waitFor(/Ctrl-C stops everything/);
    const out = demo.stdout();
    const base = `http://127.0.0.1:${port}`;
    expect(out).toMatch(new RegExp(`Dashboard:\\s+${base.replace(/\./g, '\\.')}/monitoring`));
    expect(out).not.toMatch(/Skipped:/);
    const prometheus = /Prometheus:\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
    const temporary = /Temporary:\s+(\S+)/.exec(out)?.[1];
    expect(prometheus, out).toBeDefined();
    expect(temporary && existsSync(temporary), out).toBe(true);

    // both instances answer through the one port, each naming itself
    const names = [...new Set(await instancesBehind(base, 6))].sort();
    expect(names).toHaveLength(2);
    for (const n of names) expect(n).toMatch(/^127\.0\.0\.1:\d+$/);

    // Prometheus scraped both (up == 1 for each target of the job)
    const up = await until(
      'both instances up in Prometheus',
      async () => {
        const r = (await (await fetch(`${prometheus}/api/v1/query?query=${encodeURIComponent('up{job="express-app"}')}`)).json()) as { data: { result: { metric: { instance: string }; value: [number, string] }[] } };
        const result = r.data.result.filter((s) => s.value[1] === '1').map((s) => s.metric.instance).sort();
        return result.length === 2 ? result : undefined;
      },
      90_000,
    );
    expect(up).toEqual(names);

    // the front's snapshot is the fleet's: both instances, real counts, and the scorecard
    const snapshot = await until(
      'a fleet snapshot with both instances up',
      async () => {
        const r = await fetch(`${base}/monitoring/snapshot?range=15m`);
        if (r.status !== 200) return undefined;
        const s = (await r.json()) as FleetSnapshot;
        return s.fleet?.instances.length === 2 && s.fleet.instances.every((i) => i.up && i.count > 0) ? s : undefined;
      },
      90_000,
    );
    expect(snapshot.fleet!.instances.map((i) => i.instance).sort()).toEqual(names);
    expect(snapshot.requests.totals.count).toBe(snapshot.fleet!.instances.reduce((sum, i) => sum + i.count, 0));
    expect(snapshot.slo?.objectives.map((o) => o.kind)).toEqual(expect.arrayContaining(['serverLatency', 'pageLoad', 'bundleSize', 'cacheHitRate', 'errorRate', 'availability']));

    const started = descendants(demo.child.pid!);
    const comms = started.map((p) => p.comm);
    expect(comms).toEqual(expect.arrayContaining(['redis-server', 'prometheus']));
    expect(comms.filter((c) => c === 'node').length).toBeGreaterThanOrEqual(3); // the demo and its two instances

    demo.interrupt();
    const exit = await demo.exit;
    expect(demo.stdout(), demo.stderr()).toMatch(/fleet demo stopped: .*; exit 0/);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(started.filter((p) => alive(p.pid))).toEqual([]);
    expect(existsSync(temporary!)).toBe(false);
    expect(`${demo.stdout()}\n${demo.stderr()}`).not.toMatch(/npm warn|npm error|ERR_PNPM/i);
  }, 480_000);

  it('without redis-server and prometheus on PATH it says what it skipped and still serves both instances; Ctrl-C exits 0', async () => {
    // A PATH with only what `npm start` needs: node, npm, sh (npm runs scripts with it), bash and dirname (no /usr/bin).
    const bin = mkdtempSync(join(tmpdir(), 'armor-fleet-path-'));
    try {
      for (const tool of ['node', 'npm', 'sh', 'bash', 'dirname']) {
        const target = ['/usr/local/bin', '/usr/bin', '/bin'].map((d) => join(d, tool)).find((p) => existsSync(p));
        symlinkSync(target!, join(bin, tool));
      }
      const port = await freePort();
      const demo = npmStartFleet(port, { PATH: bin });
      await demo.waitFor(/Ctrl-C stops everything/);
      const out = demo.stdout();
      const temporary = /Temporary:\s+(\S+)/.exec(out)?.[1];
      expect(out).toMatch(/Skipped:\s+redis-server \(not on PATH\)/);
      expect(out).toMatch(/Skipped:\s+prometheus \(not on PATH\)/);
      expect(out).not.toMatch(/Prometheus:|Redis:/);
      const base = `http://127.0.0.1:${port}`;
      const names = [...new Set(await instancesBehind(base, 6))].sort();
      expect(names).toHaveLength(2);
      // no fleet view: the snapshot is one instance's, always the same one
      const answers = await Promise.all([1, 2, 3].map(() => fetch(`${base}/monitoring/snapshot`)));
      for (const r of answers) expect(r.status).toBe(200);
      expect(new Set(answers.map((r) => r.headers.get('x-armor-instance'))).size).toBe(1);
      const snapshot = (await answers[0]!.json()) as FleetSnapshot;
      expect(snapshot.fleet).toBeUndefined();
      expect(snapshot.requests.totals.count).toBeGreaterThanOrEqual(0);

      const started = descendants(demo.child.pid!);
      expect(started.map((p) => p.comm)).not.toEqual(expect.arrayContaining(['redis-server']));
      demo.interrupt();
      const exit = await demo.exit;
      expect(exit, demo.stderr()).toEqual({ code: 0, signal: null });
      expect(started.filter((p) => alive(p.pid))).toEqual([]);
      expect(temporary && existsSync(temporary)).toBe(false);
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  }, 480_000);

  it('a busy port prints one line naming PORT and starts nothing', async () => {
    const port = await freePort();
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
    try {
      const demo = npmStartFleet(port);
      const exit = await demo.exit;
      expect(exit.code).toBe(1);
      const lines = demo.stderr().split('\n').filter((l) => l.trim() && !/^npm (error|ERR!)/i.test(l));
      expect(lines).toEqual([`Port ${port} on 127.0.0.1 is already in use: stop the other server or set PORT, e.g. PORT=${port + 1} npm start`]);
      expect(demo.stdout()).not.toMatch(/instance a|Temporary:/);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});
