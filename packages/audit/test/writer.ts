/**
 * A writer process for the PostgreSQL tests: `writer.ts <url> <stream> <count> [mode]`.
 * - mode `burst` (default): `count` concurrent appends through a pool, then prints `done <n>`.
 * - mode `hang`: opens a transaction, appends, prints `appended` and waits forever before COMMIT
 *   (the test SIGKILLs it there).
 */
import pg from 'pg';
import { createAuditLog } from '../src/index.js';
import { postgresAuditStore } from '../src/postgres.js';

const [url = '', stream = 'default', countText = '0', mode = 'burst'] = process.argv.slice(2);
const pool = new pg.Pool({ connectionString: url, max: 10 });
const store = postgresAuditStore({ db: pool });
const log = createAuditLog({ store });
const count = Number(countText);

if (mode === 'hang') {
  const client = await pool.connect();
  await client.query('begin');
  await log.append({ action: 'doomed', actor: { id: 'w' } }, { stream, tx: client });
  process.stdout.write('appended\n');
  await new Promise(() => {});
} else {
  const results = await Promise.all(
    Array.from({ length: count }, (_, i) => log.append({ action: 'burst', actor: { id: `p${process.pid}` }, metadata: { i } }, { stream })),
  );
  process.stdout.write(`done ${results.length}\n`);
  await pool.end();
}
