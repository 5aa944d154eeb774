/**
 * Revoking and rotating API keys, shared by the admin routes (`POST /admin/keys/revoke`,
 * `POST /admin/keys/rotate`, used by `keys:revoke` / `keys:rotate` while the service runs) and
 * by those commands' direct-database path (when no service runs). Rotation uses
 * `@armor/api-keys`' `rotateApiKey`: the successor keeps the owner, name, scopes and expiry;
 * the old key keeps working for the overlap window, then expires.
 *
 * A key is named by the key itself, its public id (the 12 characters after the prefix, safe to
 * log) or its row id (a uuid). Every change appends an audit entry (`@armor/audit`) in the same transaction.
 *
 * @module
 */
import { NotFoundError, ValidationError } from '@armor/errors';
import { parseApiKey, rotateApiKey } from '@armor/api-keys';
import type { AuditLog } from '@armor/audit';
import type { Database } from './db/database.js';
import { repositories, type ApiKeyRecord } from './db/repositories.js';
import { KEY_PREFIX } from './keys.js';

/** Longest overlap window a rotation may give the old key: 30 days. */
export const MAX_OVERLAP_MS = 30 * 86_400_000;

/** Who asked for the change (for the audit row). */
export interface KeyAdminActor {
  userId?: string | null | undefined;
  keyId?: string | null | undefined;
  /** Anonymized address, or null (the command line). */
  ip?: string | null | undefined;
  /** The service's signed audit log; the command line appends unsigned (the service checkpoints). */
  auditLog?: AuditLog | undefined;
}

/** What a revocation or rotation changed (no secret except the new key, shown once). */
export interface KeyChange {
  /** The row id of the key named. */
  id: string;
  /** Its public id: evict it from the key cache. */
  lookup: string;
  /** Revocation: when it was revoked. */
  revokedAt?: string;
  /** Rotation: the new key (shown once), its row id and public id; the old key's new expiry. */
  rotated?: { key: string; id: string; lookup: string; previousExpiresAt: string };
}

/** The stored key `name` refers to: the key itself, its public id, or its row id. */
async function find(db: Database, name: string): Promise<ApiKeyRecord> {
  if (typeof name !== 'string' || name.length === 0 || name.length > 200) throw new ValidationError('Name the key by the key, its public id or its row id', { details: { field: 'key' } });
  const repos = repositories(db);
  const parsed = parseApiKey(name);
  const record = parsed ? await repos.apiKeys.byLookup(parsed.id) : ((await repos.apiKeys.byId(name)) ?? (await repos.apiKeys.byLookup(name)));
  if (!record) throw new NotFoundError('No such API key');
  return record;
}

/** Revokes a key (idempotent: an already revoked key keeps its first revocation time). */
export async function revokeKey(db: Database, name: string, actor: KeyAdminActor = {}): Promise<KeyChange> {
  const record = await find(db, name);
  const revokedAt = await db.transaction(async (tx) => {
    const r = repositories(tx, actor.auditLog);
    await r.apiKeys.revoke(record.id);
    await r.audit.record({ tenantId: record.tenantId, actorUserId: actor.userId ?? null, actorKeyId: actor.keyId ?? null, action: 'api_key.revoke', entity: 'api_key', entityId: record.id, ip: actor.ip ?? null, details: { lookup: record.lookup } });
    const [row] = await tx.query<{ revoked_at: Date | string }>('SELECT revoked_at FROM api_keys WHERE id = $1', [record.id]);
    return new Date(row!.revoked_at).toISOString();
  });
  return { id: record.id, lookup: record.lookup, revokedAt };
}

/**
 * Rotates a key: a successor with the same owner, name, scopes and expiry; the old key works
 * for `overlapMs` more (0 = it stops now), never longer than it would have. A revoked or
 * expired key cannot be rotated (`CONFLICT`).
 */
export async function rotateKey(db: Database, name: string, options: { overlapMs?: number } & KeyAdminActor = {}): Promise<KeyChange> {
  const overlapMs = options.overlapMs ?? 0;
  if (!Number.isInteger(overlapMs) || overlapMs < 0 || overlapMs > MAX_OVERLAP_MS) {
    throw new ValidationError(`overlap must be a whole number of milliseconds between 0 and ${MAX_OVERLAP_MS}`, { details: { field: 'overlapMs' } });
  }
  const record = await find(db, name);
  const { next, nextRecord, previous } = await rotateApiKey(
    {
      hash: record.hash,
      prefix: KEY_PREFIX,
      scopes: record.scopes,
      expiresAt: record.expiresAt ? Date.parse(record.expiresAt) : null,
      revokedAt: record.revokedAt ? Date.parse(record.revokedAt) : null,
    },
    { overlapMs },
  );
  const created = await db.transaction(async (tx) => {
    const r = repositories(tx, options.auditLog);
    const expiresAt = typeof nextRecord.expiresAt === 'number' ? new Date(nextRecord.expiresAt) : null;
    const row = await r.apiKeys.create({ userId: record.userId, name: record.name, lookup: next.id, hash: next.hash, scopes: record.scopes, expiresAt });
    await r.apiKeys.setExpiry(record.id, new Date(previous.expiresAt));
    await r.audit.record({
      tenantId: record.tenantId,
      actorUserId: options.userId ?? null,
      actorKeyId: options.keyId ?? null,
      action: 'api_key.rotate',
      entity: 'api_key',
      entityId: record.id,
      ip: options.ip ?? null,
      details: { lookup: record.lookup, successor: row.id, successorLookup: next.id, overlapMs },
    });
    return row;
  });
  return { id: record.id, lookup: record.lookup, rotated: { key: next.key, id: created.id, lookup: next.id, previousExpiresAt: new Date(previous.expiresAt).toISOString() } };
}
