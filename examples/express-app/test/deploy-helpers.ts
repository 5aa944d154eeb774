/**
 * Helpers for the scripts/deploy.sh tests (deploy.test.ts on PostgreSQL, deploy-pglite.test.ts
 * on the embedded PGlite): source trees to build releases from, a non-blocking deploy runner and
 * a poller that records every answer the front proxy gives while deploys run.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const appDir = fileURLToPath(new URL('..', import.meta.url));

/**
 * A copy of the app's source to deploy from (src, package.json, a node_modules link):
 * - `good`: unchanged;
 * - `boot-fails`: adds migration 90 (with `down`), which applies; its server throws at boot, so
 *   it never becomes ready, and deploy.sh reverts migration 90;
 * - `migration-fails`: adds migration 90, which fails (`ALTER TABLE` of a missing table).
 */
export function makeSource(kind: 'good' | 'boot-fails' | 'migration-fails'): string {
  const dir = mkdtempSync(join(tmpdir(), `express-app-${kind}-`));
  cpSync(join(appDir, 'src'), join(dir, 'src'), { recursive: true });
  cpSync(join(appDir, 'package.json'), join(dir, 'package.json'));
  symlinkSync(join(appDir, 'node_modules'), join(dir, 'node_modules'));
  if (kind === 'boot-fails') {
    writeFileSync(join(dir, 'src/server.ts'), `throw new Error('broken release: boot fails');\n${readFileSync(join(appDir, 'src/server.ts'), 'utf8')}`);
  }
  if (kind === 'boot-fails') {
    const file = join(dir, 'src/db/migrations.ts');
    const text = readFileSync(file, 'utf8');
    const end = text.indexOf('\n];\n');
    if (end < 0) throw new Error('cannot find the end of MIGRATIONS in src/db/migrations.ts');
    writeFileSync(file, `${text.slice(0, end)}\n  { version: 90, name: 'boot-fails flag', sql: 'ALTER TABLE projects ADD COLUMN flag int', down: 'ALTER TABLE projects DROP COLUMN flag' },${text.slice(end)}`);
  }
  if (kind === 'migration-fails') {
    const file = join(dir, 'src/db/migrations.ts');
    const text = readFileSync(file, 'utf8');
    const end = text.indexOf('\n];\n');
    if (end < 0) throw new Error('cannot find the end of MIGRATIONS in src/db/migrations.ts');
    writeFileSync(file, `${text.slice(0, end)}\n  { version: 90, name: 'broken', sql: 'ALTER TABLE no_such_table ADD COLUMN x int' },${text.slice(end)}`);
  }
  return dir;
}

export interface DeployResult {
  status: number | null;
  stderr: string;
  /** The last line deploy.sh printed (its verdict). */
  last: string;
}

/** Runs deploy.sh without blocking the event loop (pollers keep running meanwhile). */
export function runDeploy(env: Record<string, string>, args: string[] = [], source = appDir): Promise<DeployResult> {
  return new Promise((resolve) => {
    const child = spawn('bash', [join(appDir, 'scripts/deploy.sh'), ...args], { env: { ...env, SOURCE_DIR: source }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (status) => resolve({ status, stderr, last: stderr.trimEnd().split('\n').at(-1) ?? '' }));
  });
}

export interface Poll {
  /** ms since the poller started */
  at: number;
  /** what was going on (set with `phase`) */
  phase: string;
  ok: boolean;
  /** `HTTP 200`, `HTTP 502`, or the connection error */
  what: string;
}

/** Polls `url` every 25 ms and records every answer, tagged with the current phase. */
export function startPoller(url: string) {
  const polls: Poll[] = [];
  const started = Date.now();
  let phase = 'start';
  let running = true;
  const loop = (async () => {
    while (running) {
      const at = Date.now() - started;
      const tag = phase;
      try {
        const res = await fetch(url);
        await res.arrayBuffer();
        polls.push({ at, phase: tag, ok: res.status === 200, what: `HTTP ${res.status}` });
      } catch (error) {
        polls.push({ at, phase: tag, ok: false, what: String((error as Error).cause ?? error) });
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  })();
  return {
    polls,
    phase(name: string) {
      phase = name;
    },
    async stop() {
      running = false;
      await loop;
      return polls;
    },
  };
}

/** The maximal runs of consecutive failed polls in `phase`: `{ from, to, count }` (ms). */
export function gaps(polls: Poll[], phase: string) {
  const runs: Array<{ from: number; to: number; count: number; what: string[] }> = [];
  let open: (typeof runs)[number] | undefined;
  for (const p of polls.filter((q) => q.phase === phase)) {
    if (p.ok) open = undefined;
    else if (open) {
      open.to = p.at;
      open.count++;
      if (!open.what.includes(p.what)) open.what.push(p.what);
    } else runs.push((open = { from: p.at, to: p.at, count: 1, what: [p.what] }));
  }
  return runs;
}

/** The release a server reports on /health/ready (`releaseId`), and the HTTP status. */
export async function readyRelease(base: string): Promise<{ status: number; releaseId: string | undefined }> {
  const res = await fetch(`${base}/health/ready`);
  const body = (await res.json()) as { releaseId?: string };
  return { status: res.status, releaseId: body.releaseId };
}

/** Every symbolic link under `dir` (a release must have none: nothing may point outside it). */
export function symlinksUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isSymbolicLink())
    .map((e) => join(e.parentPath, e.name));
}
