/**
 * The database layer: one small interface over PGlite (embedded Postgres, the default) and
 * real PostgreSQL through `pg` (when `DATABASE_URL` is set). Both run the same parameterized
 * SQL; nothing here builds SQL from values.
 *
 * Every query goes through `observe` hooks, which the app uses for `trackOperation` (slow
 * query log, metrics) and the tests use to count queries (N+1 checks).
 *
 * @module
 */
import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { DatabaseError } from '@armor/errors';

/** Anything that runs one parameterized statement. */
export interface Queryable {
  /** Runs `sql` with `$1…$n` bound to `params` and returns the rows. */
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]>;
}

/** Wraps each query, e.g. to time it. Must call `run` exactly once and return its result. */
export type QueryObserver = <T>(sql: string, run: () => Promise<T>) => Promise<T>;

/** A connection to PGlite or PostgreSQL. */
export interface Database extends Queryable {
  readonly kind: 'pglite' | 'postgres';
  /** Runs `fn` in a transaction (BEGIN … COMMIT, ROLLBACK on throw). */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Runs several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
  /** `SELECT 1`, bypassing observers; throws when the database is unreachable. */
  ping(): Promise<void>;
  /** Adds a query observer; returns a function removing it. */
  observe(observer: QueryObserver): () => void;
  /** Queries run since the connection was opened (for tests and the dashboard). */
  readonly queryCount: number;
  close(): Promise<void>;
  /** PGlite only: a gzipped tarball of the data directory (backups). */
  dump?(): Promise<Blob>;
}

/** How to connect. */
export type DatabaseOptions =
  | { kind: 'pglite'; dataDir: string; loadDataDir?: Blob | undefined }
  | { kind: 'postgres'; url: string; max?: number | undefined };

function wrapError(error: unknown): never {
  // Postgres errors carry a SQLSTATE; keep it for logs, hide the text from clients (500s are not exposed).
  const code = (error as { code?: unknown } | null)?.code;
  throw new DatabaseError('Database query failed', { cause: error, details: typeof code === 'string' ? { sqlstate: code } : undefined });
}

abstract class Base implements Database {
  abstract readonly kind: 'pglite' | 'postgres';
  private observers: QueryObserver[] = [];
  queryCount = 0;
  protected abstract raw<T>(sql: string, params: readonly unknown[]): Promise<T[]>;
  abstract transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  abstract exec(sql: string): Promise<void>;
  abstract ping(): Promise<void>;
  abstract close(): Promise<void>;

  observe(observer: QueryObserver): () => void {
    this.observers.push(observer);
    return () => {
      this.observers = this.observers.filter((o) => o !== observer);
    };
  }

  protected run<T>(sql: string, exec: () => Promise<T>): Promise<T> {
    this.queryCount++;
    let call = async () => {
      try {
        return await exec();
      } catch (error) {
        return wrapError(error);
      }
    };
    for (const observer of this.observers) {
      const inner = call;
      call = () => observer(sql, inner);
    }
    return call();
  }

  query<T = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    return this.run(sql, () => this.raw<T>(sql, params));
  }
}

class PgliteDatabase extends Base {
  readonly kind = 'pglite' as const;
  constructor(
    private readonly db: PGlite,
    private readonly unlock: () => void = () => undefined,
  ) {
    super();
  }
  protected async raw<T>(sql: string, params: readonly unknown[]): Promise<T[]> {
    return (await this.db.query<T>(sql, [...params])).rows;
  }
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.db.transaction((tx) =>
      fn({ query: <R>(sql: string, params: readonly unknown[] = []) => this.run(sql, async () => (await tx.query<R>(sql, [...params])).rows) }),
    );
  }
  async exec(sql: string): Promise<void> {
    await this.db.exec(sql);
  }
  async ping(): Promise<void> {
    if (this.db.closed) throw new DatabaseError('Database is closed');
    await this.db.query('SELECT 1');
  }
  async close(): Promise<void> {
    try {
      if (!this.db.closed) await this.db.close();
    } finally {
      this.unlock();
    }
  }
  dump(): Promise<Blob> {
    return this.db.dumpDataDir('gzip');
  }
}

class PostgresDatabase extends Base {
  readonly kind = 'postgres' as const;
  constructor(private readonly pool: pg.Pool) {
    super();
  }
  protected async raw<T>(sql: string, params: readonly unknown[]): Promise<T[]> {
    return (await this.pool.query(sql, [...params])).rows as T[];
  }
  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    const client = await this.pool.connect().catch(wrapError);
    try {
      await client.query('BEGIN');
      const result = await fn({ query: <R>(sql: string, params: readonly unknown[] = []) => this.run(sql, async () => (await client.query(sql, [...params])).rows as R[]) });
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
  async exec(sql: string): Promise<void> {
    await this.pool.query(sql);
  }
  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }
  async close(): Promise<void> {
    await this.pool.end();
  }
}

/** The PostgreSQL `application_name` of the service's connections (scripts/restore.sh looks for it). */
export const APPLICATION_NAME = 'express-app';

/** A PGlite data directory another process (or this one) has open. */
export class DataDirInUseError extends Error {
  override name = 'DataDirInUseError';
  readonly code = 'DATA_DIR_IN_USE';
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(
      `The PGlite data directory ${dataDir} is in use by process ${pid}: PGlite allows one process per directory. ` +
        'Stop that process first (or use DATABASE_URL, which any number of processes can share).',
    );
  }
}

/** Lock files this process holds (so a pid reused after a crash, e.g. pid 1 in a container, is not mistaken for ours). */
const held = new Set<string>();

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes `<dataDir>.lock` (the pid of the holder), created exclusively: two processes opening
 * one PGlite directory silently lose writes (each has its own in-memory copy). A lock left by
 * a dead process is taken over. Returns the release function.
 */
export function lockDataDir(dataDir: string): () => void {
  const path = `${resolve(dataDir)}.lock`;
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(path, `${process.pid}\n`, { flag: 'wx' });
      held.add(path);
      return () => {
        if (!held.delete(path)) return;
        try {
          unlinkSync(path);
        } catch {
          // already gone
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw error;
      const pid = Number.parseInt(readFileSync(path, 'utf8'), 10);
      const ours = pid === process.pid;
      if (Number.isInteger(pid) && pid > 0 && (ours ? held.has(path) : isAlive(pid))) throw new DataDirInUseError(dataDir, pid);
      unlinkSync(path); // stale: its process is gone
    }
  }
}

/** The pid holding `dataDir`'s lock, or null when none (or a stale one) does. */
export function dataDirHolder(dataDir: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(`${resolve(dataDir)}.lock`, 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 && isAlive(pid) ? pid : null;
  } catch {
    return null;
  }
}

/**
 * Opens the database. PGlite creates `dataDir` when needed (`memory://` keeps it in memory) and
 * refuses a directory another process holds ({@link DataDirInUseError}); PostgreSQL gets a pool
 * of `max` connections (default 10).
 */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.kind === 'postgres') {
    // application_name: scripts/restore.sh refuses while connections of this name are open (the service runs).
    const pool = new pg.Pool({ connectionString: options.url, max: options.max ?? 10, connectionTimeoutMillis: 2000, application_name: APPLICATION_NAME });
    // An idle client losing its connection (server restart) must not crash the process.
    pool.on('error', () => undefined);
    return new PostgresDatabase(pool);
  }
  if (options.dataDir.startsWith('memory://')) return new PgliteDatabase(await PGlite.create(options.dataDir));
  mkdirSync(options.dataDir, { recursive: true });
  const unlock = lockDataDir(options.dataDir);
  try {
    const db = await PGlite.create(options.dataDir, options.loadDataDir ? { loadDataDir: options.loadDataDir } : {});
    return new PgliteDatabase(db, unlock);
  } catch (error) {
    unlock();
    throw error;
  }
}
