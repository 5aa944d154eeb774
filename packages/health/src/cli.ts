#!/usr/bin/env node
/**
 * `armor-health <url> [--timeout 60s] [--interval 2s] [--expect pass]`: polls a health endpoint
 * until it is healthy or time runs out; exit code 0/1 and a one-line reason. Deploy scripts use
 * it as their gate. {@link runHealthCli} is the same logic as a function.
 *
 * @module
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { checkClock, checkFunction, checkOptions, sleep as kernelSleep, toScheduler, type Clock, type Scheduler } from '@armor/core';

/** Injectable environment of {@link runHealthCli}. */
export interface HealthCliEnv {
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
  /** @default console.log */
  out?: (line: string) => void;
  /** @default console.error */
  err?: (line: string) => void;
  /**
   * Time source (epoch ms) and scheduler of the request timeouts and waits: a `Clock` from
   * `@armor/core` (e.g. `manualClock()` in tests). @default systemClock
   */
  clock?: Clock;
  /** Waits between attempts (ms). @default a keep-alive sleep on `clock` */
  sleep?: (ms: number) => Promise<void>;
}

const USAGE = 'usage: armor-health <url> [--timeout 60s] [--interval 2s] [--expect pass|warn]';

/**
 * Parses a duration: `500ms`, `2s`, `1.5m`, `1h`, or a bare number of seconds.
 *
 * @returns milliseconds, or `undefined` when the text is not a duration
 */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  return n * (unit === 'ms' ? 1 : unit === 's' ? 1000 : unit === 'm' ? 60_000 : 3_600_000);
}

interface Attempt {
  ok: boolean;
  reason: string;
}

async function probe(f: typeof fetch, url: string, expect: 'pass' | 'warn', timeoutMs: number, scheduler: Scheduler): Promise<Attempt> {
  const controller = new AbortController();
  const timer = scheduler.setTimeout(() => controller.abort(), timeoutMs);
  try {
    const res = await f(url, { headers: { accept: 'application/health+json, application/json' }, signal: controller.signal });
    const text = await res.text();
    let status: string | undefined;
    let output: string | undefined;
    try {
      const body = JSON.parse(text) as { status?: unknown; output?: unknown };
      if (typeof body.status === 'string') status = body.status;
      if (typeof body.output === 'string') output = body.output;
    } catch {
      // not JSON: the HTTP status decides
    }
    const described = `HTTP ${res.status}${status ? ` status=${status}` : ''}${output ? ` (${output})` : ''}`;
    if (!res.ok) return { ok: false, reason: described };
    const healthyStatus = status === undefined || status === 'pass' || status === 'ok' || status === 'up' || (expect === 'warn' && status === 'warn');
    return { ok: healthyStatus, reason: described };
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string; errors?: Array<{ code?: string }> } }).cause;
    const detail = cause?.code ?? cause?.errors?.[0]?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
    return { ok: false, reason: controller.signal.aborted ? 'request timed out' : detail };
  } finally {
    scheduler.clearTimeout(timer);
  }
}

/**
 * Runs the CLI with `args` (without `node` and the script path).
 *
 * @returns the exit code: 0 healthy, 1 unhealthy or timed out, 2 bad usage
 * @example
 * ```ts
 * const code = await runHealthCli(['http://127.0.0.1:3000/health/ready', '--timeout', '30s']);
 * ```
 */
export async function runHealthCli(args: readonly string[], env: HealthCliEnv = {}): Promise<number> {
  const out = env.out ?? ((l: string) => console.log(l));
  const err = env.err ?? ((l: string) => console.error(l));
  checkOptions('runHealthCli', env, ['fetch', 'out', 'err', 'clock', 'sleep']);
  for (const key of ['fetch', 'out', 'err', 'sleep'] as const) checkFunction(key, env[key]);
  checkClock(env.clock);
  const clock = toScheduler(env.clock);
  const sleep = env.sleep ?? ((ms: number) => kernelSleep(ms, undefined, clock));
  const f = env.fetch ?? globalThis.fetch;
  let url: string | undefined;
  let timeoutMs = 60_000;
  let intervalMs = 2000;
  let expect: 'pass' | 'warn' = 'pass';
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = () => inline ?? args[++i];
    if (flag === '--help' || flag === '-h') {
      out(USAGE);
      return 0;
    } else if (flag === '--timeout' || flag === '--interval') {
      const v = value();
      const ms = v === undefined ? undefined : parseDuration(v);
      if (ms === undefined || ms <= 0) {
        err(`armor-health: ${flag} needs a duration like 60s or 500ms (got ${v ?? 'nothing'})\n${USAGE}`);
        return 2;
      }
      if (flag === '--timeout') timeoutMs = ms;
      else intervalMs = ms;
    } else if (flag === '--expect') {
      const v = value();
      if (v !== 'pass' && v !== 'warn') {
        err(`armor-health: --expect must be pass or warn (got ${v ?? 'nothing'})\n${USAGE}`);
        return 2;
      }
      expect = v;
    } else if (!flag.startsWith('-') && url === undefined) {
      url = flag;
    } else {
      err(`armor-health: unknown argument ${arg}\n${USAGE}`);
      return 2;
    }
  }
  if (url === undefined || !/^https?:\/\//.test(url)) {
    err(`armor-health: a http(s) URL is required\n${USAGE}`);
    return 2;
  }
  const start = clock.now();
  let attempts = 0;
  let last: Attempt = { ok: false, reason: 'no attempt' };
  for (;;) {
    attempts++;
    const remaining = timeoutMs - (clock.now() - start);
    last = await probe(f, url, expect, Math.max(1, Math.min(remaining, Math.max(intervalMs, 1000))), clock);
    const elapsed = ((clock.now() - start) / 1000).toFixed(1);
    if (last.ok) {
      out(`healthy: ${url} ${last.reason} after ${elapsed}s (${attempts} attempt${attempts === 1 ? '' : 's'})`);
      return 0;
    }
    if (clock.now() - start + intervalMs > timeoutMs) {
      err(`unhealthy: ${url} not healthy after ${elapsed}s (${attempts} attempt${attempts === 1 ? '' : 's'}); last: ${last.reason}`);
      return 1;
    }
    await sleep(intervalMs);
  }
}

function isMain(): boolean {
  try {
    const entry = process.argv[1];
    if (!entry || typeof import.meta.url !== 'string' || import.meta.url === '') return false;
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMain()) {
  void runHealthCli(process.argv.slice(2)).then((code) => process.exit(code));
}
