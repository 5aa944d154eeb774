/**
 * PGlite backup and restore for scripts/backup.sh and scripts/restore.sh:
 *
 *   pglite-dump.ts dump <dataDir> <file.tar.gz>     (PGlite's dumpDataDir, gzipped tarball)
 *   pglite-dump.ts restore <file.tar.gz> <dataDir>  (a fresh data directory from the tarball)
 *
 * PGlite is embedded: one process owns a data directory, so stop the service first. A dump of
 * a directory the service holds is refused (exit 1). A restore checks everything before it
 * touches the live directory: it takes the directory's lock first (refused, exit 1, while
 * the service holds it), unpacks the backup into a staging directory next to it and opens it
 * (refused, exit 1, when the backup is unreadable or holds no migrated database), and only
 * then moves the current directory aside (`<dataDir>.before-<UTC timestamp>`) and the staged
 * one into place, still holding the lock, so the service cannot start in between.
 *
 * @module
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { DataDirInUseError, lockDataDir, openDatabase } from './db/database.js';

const [command, from, to] = process.argv.slice(2);
if ((command !== 'dump' && command !== 'restore') || !from || !to) {
  process.stderr.write('usage: pglite-dump.ts dump <dataDir> <file.tar.gz> | restore <file.tar.gz> <dataDir>\n');
  process.exit(2);
}

const fail = (message: string): never => {
  process.stderr.write(`${message}\n`);
  process.exit(1);
};

if (command === 'dump') {
  if (!existsSync(from)) fail(`no PGlite data directory at ${from}`);
  let db;
  try {
    db = await openDatabase({ kind: 'pglite', dataDir: from });
  } catch (error) {
    // A live directory (the service holds its lock) cannot be copied consistently: refuse.
    if (error instanceof DataDirInUseError) fail(`backup refused: ${error.message}`);
    throw error;
  }
  const blob = await db.dump!();
  await db.close();
  await writeFile(to, Buffer.from(await blob.arrayBuffer()));
} else {
  const target = resolve(to);
  mkdirSync(dirname(target), { recursive: true });
  // 1. The lock: while the service runs (it holds the lock) nothing is touched.
  let unlock: () => void = () => undefined;
  try {
    unlock = lockDataDir(target);
  } catch (error) {
    if (error instanceof DataDirInUseError) fail(`restore refused: ${error.message} Nothing was changed.`);
    throw error;
  }
  // 2. The backup, unpacked and opened in a staging directory: the live one is still untouched.
  const staging = `${target}.restoring-${process.pid}`;
  let version: number | null = null;
  try {
    rmSync(staging, { recursive: true, force: true });
    const bytes = await readFile(from);
    const db = await openDatabase({ kind: 'pglite', dataDir: staging, loadDataDir: new Blob([bytes], { type: 'application/x-gzip' }) });
    try {
      version = (await db.query<{ v: number | null }>("SELECT max(version) AS v FROM schema_migrations"))[0]?.v ?? null;
    } finally {
      await db.close();
    }
    if (version === null) throw new Error('it holds no applied migrations');
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    unlock();
    fail(`restore refused: ${from} is not a usable PGlite backup (${(error as Error).message}). Nothing was changed.`);
  }
  // 3. Every check passed: swap, still holding the lock.
  try {
    if (existsSync(target) && readdirSync(target).length > 0) {
      const aside = `${target}.before-${new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}`;
      renameSync(target, aside);
      process.stderr.write(`restore: previous data moved to ${aside}\n`);
    } else {
      rmSync(target, { recursive: true, force: true });
    }
    renameSync(staging, target);
    process.stderr.write(`restore: ${target} now holds the backup (schema version ${version})\n`);
  } finally {
    unlock();
  }
}
