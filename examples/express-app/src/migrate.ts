/**
 * `pnpm --filter express-app migrate`: applies pending migrations and exits (deploy step),
 * recording `RELEASE` as the release that applied them.
 *
 * `migrate --revert <release>`: reverts the migrations `<release>` applied, newest first, with
 * their `down` SQL (deploy.sh runs it when that release fails its health gate); prints what was
 * reverted and what stays applied (a migration without `down`).
 *
 * @module
 */
import { ConfigError, loadConfig } from './config.js';
import { openDatabase } from './db/database.js';
import { migrate, MIGRATIONS, revertRelease } from './db/migrations.js';

try {
  const config = loadConfig(process.env);
  const args = process.argv.slice(2).filter((a) => a !== '--');
  const revert = args[0] === '--revert' ? args[1] : undefined;
  if (args.length > 0 && !revert) throw new ConfigError('argv', `usage: migrate [--revert <release>] (received ${args.join(' ')})`);
  const db = await openDatabase(config.database.kind === 'postgres' ? { kind: 'postgres', url: config.database.url } : { kind: 'pglite', dataDir: config.database.dataDir });
  try {
    if (revert) {
      const { reverted, kept } = await revertRelease(db, MIGRATIONS, revert);
      process.stdout.write(`${JSON.stringify({ level: 'info', msg: 'migrations reverted', release: revert, reverted, kept })}\n`);
    } else {
      const applied = await migrate(db, MIGRATIONS, { release: config.release });
      process.stdout.write(`${JSON.stringify({ level: 'info', msg: 'migrations applied', applied })}\n`);
    }
  } finally {
    await db.close();
  }
} catch (error) {
  // The driver's own message (e.g. `relation "x" does not exist`) is usually in the cause chain.
  const reasons: string[] = [];
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) if (!reasons.includes(e.message)) reasons.push(e.message);
  process.stderr.write(`${error instanceof ConfigError ? error.message : `migration failed: ${reasons.join(': ')}`}\n`);
  process.exit(1);
}
