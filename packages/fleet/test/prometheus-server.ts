// A real Prometheus for the fleet tests: Debian's `prometheus` binary on a free loopback port,
// optionally scraping targets, optionally on a data directory prepared with
// `promtool tsdb create-blocks-from openmetrics` (real history without waiting a day).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@armor/test-utils';

export const PROMETHEUS = '/usr/bin/prometheus';
export const PROMTOOL = '/usr/bin/promtool';

export interface PrometheusServer {
  url: string;
  port: number;
  dir: string;
  stop(): Promise<void>;
}

export async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}: ${String(last)}`);
}

/** Starts Prometheus; `blocks` is a directory of TSDB blocks copied into its data directory. */
export async function startPrometheus(options: { targets?: { job: string; ports: number[] }[]; flags?: string[]; blocks?: string } = {}): Promise<PrometheusServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'armor-fleet-prom-'));
  const jobs = (options.targets ?? []).map((t) => `  - job_name: ${t.job}\n    static_configs:\n      - targets: [${t.ports.map((p) => `'127.0.0.1:${p}'`).join(', ')}]\n`).join('');
  writeFileSync(join(dir, 'prometheus.yml'), `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n${jobs || '  []\n'}`);
  if (options.blocks) cpSync(options.blocks, join(dir, 'data'), { recursive: true });
  const child: ChildProcess = spawn(
    PROMETHEUS,
    [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--storage.tsdb.retention.time=30d', ...(options.flags ?? [])],
    { stdio: 'ignore' },
  );
  const url = `http://127.0.0.1:${port}`;
  await until('prometheus ready', async () => ((await fetch(`${url}/-/ready`)).ok ? true : undefined), 30_000);
  return {
    url,
    port,
    dir,
    async stop() {
      if (child.exitCode === null) {
        await new Promise((r) => {
          child.once('exit', r);
          child.kill('SIGKILL');
        });
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Writes OpenMetrics lines to a file and turns them into TSDB blocks in a new directory. */
export function backfill(lines: Iterable<string>): { blocks: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'armor-fleet-backfill-'));
  const file = join(dir, 'history.om');
  const chunk: string[] = [];
  writeFileSync(file, '');
  const flush = () => {
    writeFileSync(file, chunk.join(''), { flag: 'a' });
    chunk.length = 0;
  };
  for (const line of lines) {
    chunk.push(line, '\n');
    if (chunk.length > 20_000) flush();
  }
  chunk.push('# EOF\n');
  flush();
  const blocks = join(dir, 'blocks');
  const r = spawnSync(PROMTOOL, ['tsdb', 'create-blocks-from', 'openmetrics', file, blocks], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`promtool backfill failed: ${r.stderr}`);
  rmSync(file);
  return { blocks, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
