/**
 * PGlite backup and restore for scripts/backup.sh and scripts/restore.sh:
 *
 *   pglite-dump.ts dump <dataDir> <file.tar.gz>     (PGlite's dumpDataDir, gzipped tarball)
 *   pglite-dump.ts restore <file.tar.gz> <dataDir>  (a fresh data directory from the tarball)
 *
 * PGlite is embedded: one process owns a data directory, so stop the service first; a dump of
 * a directory the service holds is refused (exit 1).
 *
 * @module
 */
import { existsSync, readdirSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { DataDirInUseError, openDatabase } from './db/database.js';

const [command, from, to] = process.argv.slice(2);
if ((command !== 'dump' && command !== 'restore') || !from || !to) {
  process.stderr.write('usage: pglite-dump.ts dump <dataDir> <file.tar.gz> | restore <file.tar.gz> <dataDir>\n');
  process.exit(2);
}
if (command === 'dump') {
  if (!existsSync(from)) {
    process.stderr.write(`no PGlite data directory at ${from}\n`);
    process.exit(1);
  }
  let db;
  try {
    db = await openDatabase({ kind: 'pglite', dataDir: from });
  } catch (error) {
    // A live directory (the service holds its lock) cannot be copied consistently: refuse.
    if (error instanceof DataDirInUseError) {
      process.stderr.write(`backup refused: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const blob = await db.dump!();
  await db.close();
  await writeFile(to, Buffer.from(await blob.arrayBuffer()));
} else {
  if (existsSync(to) && readdirSync(to).length > 0) {
    process.stderr.write(`refusing to restore into non-empty ${to}\n`);
    process.exit(1);
  }
  const bytes = await readFile(from);
  const db = await openDatabase({ kind: 'pglite', dataDir: to, loadDataDir: new Blob([bytes], { type: 'application/x-gzip' }) });
  await db.query('SELECT 1');
  await db.close();
}
