/**
 * Repositories: every SQL statement the service runs, parameterized, tenant-scoped where the
 * data is. Rows are mapped to plain JSON-friendly objects (ISO timestamps).
 *
 * @module
 */
import type { AuditLog } from '@armor/audit';
import { auditRepository } from './audit-repository.js';
import type { Queryable } from './database.js';

export { auditEvent, type AuditEntry, type AuditRow } from './audit-repository.js';

export interface Tenant { id: string; name: string }
export interface User { id: string; tenantId: string; email: string; name: string }
export interface Project { id: string; tenantId: string; name: string; createdAt: string; createdBy: string | null }
export interface Comment { id: string; projectId: string; authorId: string; html: string; createdAt: string }
export interface ApiKeyRecord {
  id: string;
  userId: string;
  tenantId: string;
  name: string;
  lookup: string;
  hash: string;
  scopes: string[];
  expiresAt: string | null;
  revokedAt: string | null;
}

const iso = (v: unknown): string => (v instanceof Date ? v.toISOString() : new Date(String(v)).toISOString());
const isoOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : iso(v));

type Row = Record<string, unknown>;
const toUser = (r: Row): User => ({ id: String(r.id), tenantId: String(r.tenant_id), email: String(r.email), name: String(r.name) });
const toProject = (r: Row): Project => ({ id: String(r.id), tenantId: String(r.tenant_id), name: String(r.name), createdAt: iso(r.created_at), createdBy: (r.created_by as string | null) ?? null });
const toComment = (r: Row): Comment => ({
  id: String(r.id),
  projectId: String(r.project_id),
  authorId: String(r.author_id),
  html: String(r.html),
  createdAt: iso(r.created_at),
});

/** A keyset cursor: the `created_at` text (exact, microseconds) and id of the last row. */
export interface Cursor { ts: string; id: string }

/** Encodes a cursor as opaque base64url text. */
export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.ts, cursor.id])).toString('base64url');
}

/** Decodes a cursor; `undefined` when it is not one of ours. */
export function decodeCursor(text: string): Cursor | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (!Array.isArray(value) || value.length !== 2) return undefined;
    const [ts, id] = value as unknown[];
    if (typeof ts !== 'string' || typeof id !== 'string') return undefined;
    if (!isTimestamp(ts) || !UUID.test(id)) return undefined;
    return { ts, id };
  } catch {
    return undefined;
  }
}

/**
 * Whether `ts` is a real timestamp in the form PostgreSQL prints `timestamptz::text`
 * (`2026-11-25 10:00:00.123456+00`): every field in range, the day within its month, so a
 * forged cursor (`2026-13-45 99:99:99`) is refused here instead of failing in the database.
 */
export function isTimestamp(ts: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.\d{1,6})?(?:Z|([+-])(\d{2})(?::?(\d{2}))?)?$/.exec(ts);
  if (!m) return false;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const offsetHours = m[8] === undefined ? 0 : Number(m[8]);
  const offsetMinutes = m[9] === undefined ? 0 : Number(m[9]);
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return year >= 1 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth && hour <= 23 && minute <= 59 && second <= 59 && offsetHours <= 15 && offsetMinutes <= 59;
}

/** Canonical UUID text. */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * All repositories over one connection (or transaction). `auditLog` is the service's signed log
 * (`createAppAudit`); without it, audit entries are appended unsigned (the service checkpoints them).
 */
export function repositories(db: Queryable, auditLog?: AuditLog) {
  async function findKey(where: 'k.lookup = $1' | 'k.id = $1', value: string): Promise<ApiKeyRecord | undefined> {
    const [r] = await db.query<Row>(
      `SELECT k.id, k.user_id, u.tenant_id, k.name, k.lookup, k.hash, k.scopes, k.expires_at, k.revoked_at
       FROM api_keys k JOIN users u ON u.id = k.user_id WHERE ${where}`,
      [value],
    );
    if (!r) return undefined;
    return {
      id: String(r.id),
      userId: String(r.user_id),
      tenantId: String(r.tenant_id),
      name: String(r.name),
      lookup: String(r.lookup),
      hash: String(r.hash),
      scopes: (r.scopes as string[] | null) ?? [],
      expiresAt: isoOrNull(r.expires_at),
      revokedAt: isoOrNull(r.revoked_at),
    };
  }
  return {
    tenants: {
      async create(name: string): Promise<Tenant> {
        const [r] = await db.query<Row>('INSERT INTO tenants (name) VALUES ($1) RETURNING id, name', [name]);
        return { id: String(r!.id), name: String(r!.name) };
      },
    },
    users: {
      async create(input: { tenantId: string; email: string; name: string; passwordHash?: string | null }): Promise<User> {
        const [r] = await db.query<Row>(
          'INSERT INTO users (tenant_id, email, name, password_hash) VALUES ($1, $2, $3, $4) RETURNING id, tenant_id, email, name',
          [input.tenantId, input.email, input.name, input.passwordHash ?? null],
        );
        return toUser(r!);
      },
      /** Batch lookup used by the per-request loader: one query for many ids. */
      async byIds(ids: readonly string[]): Promise<User[]> {
        if (ids.length === 0) return [];
        const rows = await db.query<Row>('SELECT id, tenant_id, email, name FROM users WHERE id = ANY($1::uuid[])', [ids]);
        return rows.map(toUser);
      },
      async byEmail(email: string): Promise<(User & { passwordHash: string | null }) | undefined> {
        const [r] = await db.query<Row>('SELECT id, tenant_id, email, name, password_hash FROM users WHERE lower(email) = lower($1)', [email]);
        return r ? { ...toUser(r), passwordHash: (r.password_hash as string | null) ?? null } : undefined;
      },
    },
    sessions: {
      async create(idHash: string, userId: string, expiresAt: Date): Promise<void> {
        await db.query('INSERT INTO sessions (id_hash, user_id, expires_at) VALUES ($1, $2, $3)', [idHash, userId, expiresAt.toISOString()]);
      },
      async find(idHash: string): Promise<User | undefined> {
        const [r] = await db.query<Row>(
          `SELECT u.id, u.tenant_id, u.email, u.name FROM sessions s JOIN users u ON u.id = s.user_id
           WHERE s.id_hash = $1 AND s.expires_at > now()`,
          [idHash],
        );
        return r ? toUser(r) : undefined;
      },
      async delete(idHash: string): Promise<void> {
        await db.query('DELETE FROM sessions WHERE id_hash = $1', [idHash]);
      },
    },
    apiKeys: {
      async create(input: { userId: string; name: string; lookup: string; hash: string; scopes: readonly string[]; expiresAt?: Date | null }): Promise<{ id: string }> {
        const [r] = await db.query<Row>(
          'INSERT INTO api_keys (user_id, name, lookup, hash, scopes, expires_at) VALUES ($1, $2, $3, $4, $5::text[], $6) RETURNING id',
          [input.userId, input.name, input.lookup, input.hash, [...input.scopes], input.expiresAt ? input.expiresAt.toISOString() : null],
        );
        return { id: String(r!.id) };
      },
      async byLookup(lookup: string): Promise<ApiKeyRecord | undefined> {
        return findKey('k.lookup = $1', lookup);
      },
      /** By the row id (a uuid). */
      async byId(id: string): Promise<ApiKeyRecord | undefined> {
        if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) return undefined;
        return findKey('k.id = $1', id);
      },
      /** Sets when a key stops working (`null`: never); rotation shortens the old key's life to the overlap window. */
      async setExpiry(id: string, expiresAt: Date | null): Promise<void> {
        await db.query('UPDATE api_keys SET expires_at = $2 WHERE id = $1', [id, expiresAt ? expiresAt.toISOString() : null]);
      },
      async revoke(id: string): Promise<void> {
        await db.query('UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL', [id]);
      },
    },
    projects: {
      async create(input: { tenantId: string; name: string; createdBy: string | null }): Promise<Project> {
        const [r] = await db.query<Row>(
          'INSERT INTO projects (tenant_id, name, created_by) VALUES ($1, $2, $3) RETURNING id, tenant_id, name, created_at, created_by',
          [input.tenantId, input.name, input.createdBy],
        );
        return toProject(r!);
      },
      async get(tenantId: string, id: string): Promise<Project | undefined> {
        const [r] = await db.query<Row>('SELECT id, tenant_id, name, created_at, created_by FROM projects WHERE id = $1 AND tenant_id = $2', [id, tenantId]);
        return r ? toProject(r) : undefined;
      },
      /** A project of any tenant: the caller checks access (`AccessControl.assert`). */
      async getAnyTenant(id: string): Promise<Project | undefined> {
        const [r] = await db.query<Row>('SELECT id, tenant_id, name, created_at, created_by FROM projects WHERE id = $1', [id]);
        return r ? toProject(r) : undefined;
      },
      async list(tenantId: string, limit: number): Promise<Project[]> {
        const rows = await db.query<Row>(
          'SELECT id, tenant_id, name, created_at, created_by FROM projects WHERE tenant_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2',
          [tenantId, limit],
        );
        return rows.map(toProject);
      },
      /**
       * The newest projects matching `where` (an `accessibleWhere` fragment over the columns
       * `tenant_id`, `created_by`, `name`, `created_at`, with `$1…$n` placeholders): the rows
       * the policy lets the caller read, filtered in the database.
       */
      async listWhere(where: { sql: string; params: readonly unknown[] }, limit: number): Promise<Project[]> {
        const rows = await db.query<Row>(
          `SELECT id, tenant_id, name, created_at, created_by FROM projects WHERE ${where.sql} ORDER BY created_at DESC, id DESC LIMIT $${where.params.length + 1}`,
          [...where.params, limit],
        );
        return rows.map(toProject);
      },
    },
    comments: {
      async create(input: { projectId: string; authorId: string; html: string }): Promise<Comment> {
        const [r] = await db.query<Row>(
          'INSERT INTO comments (project_id, author_id, html) VALUES ($1, $2, $3) RETURNING id, project_id, author_id, html, created_at',
          [input.projectId, input.authorId, input.html],
        );
        return toComment(r!);
      },
      /** A comment, only if its project belongs to `tenantId`. */
      async get(tenantId: string, id: string): Promise<Comment | undefined> {
        const [r] = await db.query<Row>(
          `SELECT c.id, c.project_id, c.author_id, c.html, c.created_at FROM comments c
           JOIN projects p ON p.id = c.project_id WHERE c.id = $1 AND p.tenant_id = $2`,
          [id, tenantId],
        );
        return r ? toComment(r) : undefined;
      },
      /** A comment with its project's tenant (for the cached read path, which checks the tenant after the cache). */
      async getAnyTenant(id: string): Promise<(Comment & { tenantId: string }) | undefined> {
        const [r] = await db.query<Row>(
          `SELECT c.id, c.project_id, c.author_id, c.html, c.created_at, p.tenant_id FROM comments c
           JOIN projects p ON p.id = c.project_id WHERE c.id = $1`,
          [id],
        );
        return r ? { ...toComment(r), tenantId: String(r.tenant_id) } : undefined;
      },
      /** Deletes a comment of `tenantId`; returns it, or undefined when there was none. */
      async delete(tenantId: string, id: string): Promise<Comment | undefined> {
        const [r] = await db.query<Row>(
          `DELETE FROM comments c USING projects p WHERE c.id = $1 AND p.id = c.project_id AND p.tenant_id = $2
           RETURNING c.id, c.project_id, c.author_id, c.html, c.created_at`,
          [id, tenantId],
        );
        return r ? toComment(r) : undefined;
      },
      /** One page, newest first, keyset-paginated (uses `comments_project_created_idx`). */
      async listByProject(projectId: string, limit: number, cursor?: Cursor): Promise<{ items: Comment[]; nextCursor: string | null }> {
        const rows = cursor
          ? await db.query<Row>(
              `SELECT id, project_id, author_id, html, created_at, created_at::text AS cursor_ts FROM comments
               WHERE project_id = $1 AND (created_at, id) < ($2::timestamptz, $3::uuid)
               ORDER BY created_at DESC, id DESC LIMIT $4`,
              [projectId, cursor.ts, cursor.id, limit + 1],
            )
          : await db.query<Row>(
              `SELECT id, project_id, author_id, html, created_at, created_at::text AS cursor_ts FROM comments
               WHERE project_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2`,
              [projectId, limit + 1],
            );
        const page = rows.slice(0, limit);
        const last = page[page.length - 1];
        return {
          items: page.map(toComment),
          nextCursor: rows.length > limit && last ? encodeCursor({ ts: String(last.cursor_ts), id: String(last.id) }) : null,
        };
      },
    },
    audit: auditRepository(db, auditLog),
    reports: {
      /** A deliberately slow statement for the demo's slow-query log. */
      async slow(seconds: number): Promise<void> {
        await db.query('SELECT pg_sleep($1::float8)', [seconds]);
      },
      async counts(tenantId: string): Promise<{ projects: number; comments: number }> {
        const [r] = await db.query<Row>(
          `SELECT (SELECT count(*)::int FROM projects WHERE tenant_id = $1) AS projects,
                  (SELECT count(*)::int FROM comments c JOIN projects p ON p.id = c.project_id WHERE p.tenant_id = $1) AS comments`,
          [tenantId],
        );
        return { projects: Number(r?.projects ?? 0), comments: Number(r?.comments ?? 0) };
      },
    },
  };
}

/** The repository set type. */
export type Repositories = ReturnType<typeof repositories>;
