/**
 * `pnpm --filter express-app keys:revoke <key | public id | row id>`
 * `pnpm --filter express-app keys:rotate <key | public id | row id> [--overlap <seconds>]`
 *
 * Revokes or rotates an API key, also while the service runs. It goes through the running
 * service first (`POST /admin/keys/revoke|rotate` at `--url`, default `http://HOST:PORT` from
 * the same environment as the service, authenticated with `ADMIN_API_KEY`): the service
 * evicts the key from its cache, so the change is effective at once there and on every other
 * instance within one key-cache TTL (30 s). When no service answers there (connection
 * refused), it changes the database directly — safe then for PGlite, and for PostgreSQL any
 * time (running instances elsewhere stop accepting the key within the TTL). With PGlite, a
 * service that holds the data directory but cannot be reached (no `ADMIN_API_KEY`, wrong
 * `--url`) makes it refuse (exit 1) rather than touch a live directory.
 *
 * Rotation prints the new key (once) on stdout; the old key keeps working for `--overlap`
 * seconds (default 0: it stops now). Exit 0 on success, 1 on failure, 2 on bad usage.
 *
 * @module
 */
import { parseArgs } from 'node:util';
import { loadConfigOrExit } from './config.js';
import { DataDirInUseError, openDatabase } from './db/database.js';
import { revokeKey, rotateKey, type KeyChange } from './key-admin.js';

const usage = 'usage: keys-admin.ts revoke <key | public id | row id> [--url URL]\n       keys-admin.ts rotate <key | public id | row id> [--overlap SECONDS] [--url URL]\n';
// `pnpm run <script> -- x` passes the `--` through to the script: drop it.
const argv = process.argv.slice(2).filter((a, i) => !(a === '--' && i <= 1));
let parsed;
try {
  parsed = parseArgs({ args: argv, allowPositionals: true, options: { overlap: { type: 'string' }, url: { type: 'string' } } });
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n${usage}`);
  process.exit(2);
}
const [command, name, ...extra] = parsed.positionals;
const overlapSeconds = parsed.values.overlap === undefined ? 0 : Number(parsed.values.overlap);
if ((command !== 'revoke' && command !== 'rotate') || !name || extra.length > 0 || !Number.isInteger(overlapSeconds) || overlapSeconds < 0 || (command === 'revoke' && parsed.values.overlap !== undefined)) {
  process.stderr.write(usage);
  process.exit(2);
}

const config = loadConfigOrExit();
const host = config.host === '0.0.0.0' ? '127.0.0.1' : config.host === '::' ? '::1' : config.host;
const url = (parsed.values.url ?? `http://${host.includes(':') ? `[${host}]` : host}:${config.port}`).replace(/\/+$/, '');

function report(change: KeyChange, via: string): void {
  if (change.rotated) {
    process.stderr.write(`Rotated key ${change.lookup} (${via}): the new key ${change.rotated.lookup} is shown once; the old one works until ${change.rotated.previousExpiresAt}.\n`);
    process.stdout.write(`${change.rotated.key}\n`);
  } else {
    process.stderr.write(`Revoked key ${change.lookup} at ${change.revokedAt} (${via}).\n`);
  }
}

/** Through the running service; `undefined` when nothing listens at `url`. */
async function viaService(): Promise<KeyChange | undefined> {
  let res: Response;
  try {
    res = await fetch(`${url}/admin/keys/${command}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${config.adminApiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(command === 'rotate' ? { key: name, overlapSeconds } : { key: name }),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (error) {
    const code = (error as { cause?: { code?: string } }).cause?.code;
    if (code === 'ECONNREFUSED') return undefined;
    process.stderr.write(`${command} failed: the service at ${url} did not answer (${code ?? (error as Error).message}). No key was changed.\n`);
    process.exit(1);
  }
  const body = (await res.json().catch(() => ({}))) as KeyChange & { detail?: string; title?: string };
  if (!res.ok) {
    process.stderr.write(`${command} failed: ${res.status} ${body.detail ?? body.title ?? res.statusText} (from ${url}).\n`);
    process.exit(1);
  }
  return body;
}

if (config.adminApiKey) {
  const change = await viaService();
  if (change) {
    report(change, `through the service at ${url}`);
    process.exit(0);
  }
}

// No service answered: the database directly.
let db;
try {
  db = await openDatabase(config.database.kind === 'postgres' ? { kind: 'postgres', url: config.database.url } : { kind: 'pglite', dataDir: config.database.dataDir });
} catch (error) {
  if (error instanceof DataDirInUseError) {
    process.stderr.write(
      `${error.message}\nThe service runs but ${config.adminApiKey ? `did not answer at ${url} (set --url)` : 'cannot be reached without ADMIN_API_KEY'}: ` +
        `this command goes through the running service. No key was changed.\n`,
    );
    process.exit(1);
  }
  throw error;
}
try {
  const change = command === 'revoke' ? await revokeKey(db, name) : await rotateKey(db, name, { overlapMs: overlapSeconds * 1000 });
  report(change, `in the database; running instances stop accepting the old key within the key-cache TTL`);
} catch (error) {
  process.stderr.write(`${command} failed: ${(error as Error).message}. No key was changed.\n`);
  process.exitCode = 1;
} finally {
  await db.close();
}
