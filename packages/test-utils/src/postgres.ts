import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './net.js';

/** A running PostgreSQL server owned by the test. */
export interface PostgresServer {
  port: number;
  /** `postgres://postgres@127.0.0.1:<port>/postgres` (trust auth, loopback only). */
  url: string;
  /** Stops the server (fast shutdown). */
  stop(): Promise<void>;
  /** Starts it again on the same data directory and port. */
  start(): Promise<void>;
}

function pgBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  for (const v of versions) if (existsSync(join(root, v, 'bin', 'initdb'))) return join(root, v, 'bin');
  return undefined;
}

/**
 * Starts a real PostgreSQL server (Debian `postgresql`) in a fresh temporary cluster on a free
 * loopback port. As root, it runs the server as the `postgres` user (initdb refuses root).
 */
export async function startPostgres(): Promise<PostgresServer> {
  const bin = pgBin();
  if (!bin) throw new Error('PostgreSQL is not installed: run `apt-get install -y postgresql` (bash .ci/run does)');
  const dir = mkdtempSync(join(tmpdir(), 'armor-pg-'));
  chmodSync(dir, 0o777);
  const asRoot = process.getuid?.() === 0;
  const run = (cmd: string, args: string[]) =>
    asRoot ? execFileSync('runuser', ['-u', 'postgres', '--', cmd, ...args], { stdio: 'pipe' }) : execFileSync(cmd, args, { stdio: 'pipe' });
  const data = join(dir, 'data');
  run(join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  const port = await freePort();
  const start = async () => {
    run(join(bin, 'pg_ctl'), ['-D', data, '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`, '-w', '-l', join(dir, 'log'), 'start']);
  };
  const stop = async () => {
    const args = ['-D', data, '-m', 'fast', '-w', 'stop'];
    if (asRoot) spawnSync('runuser', ['-u', 'postgres', '--', join(bin, 'pg_ctl'), ...args], { stdio: 'ignore' });
    else spawnSync(join(bin, 'pg_ctl'), args, { stdio: 'ignore' });
  };
  await start();
  process.once('exit', () => {
    void stop();
    rmSync(dir, { recursive: true, force: true });
  });
  return { port, url: `postgres://postgres@127.0.0.1:${port}/postgres`, stop, start };
}
