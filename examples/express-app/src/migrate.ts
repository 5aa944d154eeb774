/**
 * `pnpm --filter express-app migrate`: applies pending migrations and exits (deploy step).
 *
 * @module
 */
import { ConfigError, loadConfig } from './config.js';
import { openDatabase } from './db/database.js';
import { migrate } from './db/migrations.js';

try {
  const config = loadConfig(process.env);
  const db = await openDatabase(config.database.kind === 'postgres' ? { kind: 'postgres', url: config.database.url } : { kind: 'pglite', dataDir: config.database.dataDir });
  try {
    const applied = await migrate(db);
    process.stdout.write(`${JSON.stringify({ level: 'info', msg: 'migrations applied', applied })}\n`);
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
