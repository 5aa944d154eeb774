/**
 * The audit repository: appends the service's audit entries to `@armor/audit`'s chains
 * (`armor_audit_entries`, migration 4) in the caller's transaction, and reads them back in the
 * terms of the old `audit_log` rows (kept, unwritten, for the history before migration 4).
 *
 * @module
 */
import { createAuditLog, type AuditLog } from '@armor/audit';
import { auditStore, sqlClient, SYSTEM_STREAM } from '../audit.js';
import type { Queryable } from './database.js';

type Row = Record<string, unknown>;

export interface AuditEntry {
  tenantId?: string | null | undefined;
  actorUserId?: string | null | undefined;
  actorKeyId?: string | null | undefined;
  action: string;
  entity: string;
  entityId?: string | null | undefined;
  /** Already anonymized. */
  ip?: string | null | undefined;
  details?: Record<string, unknown> | undefined;
}
/** An audit entry as the service reads it back (`armor_audit_entries`), in the old row's terms. */
export interface AuditRow extends Required<Omit<AuditEntry, 'details'>> {
  /** The entry's stream (the tenant id, or `system`). */
  stream: string;
  /** Its place in the stream's chain (1, 2, 3, … without gaps). */
  seq: number;
  at: string;
  outcome: 'success' | 'failure' | 'denied';
  details: Record<string, unknown>;
}

/** The `@armor/audit` event of a service audit entry (see `audit.record`). */
export function auditEvent(entry: AuditEntry) {
  const actorId = entry.actorUserId ?? entry.actorKeyId ?? 'system';
  return {
    action: entry.action,
    actor: { id: actorId, type: entry.actorUserId ? 'user' : entry.actorKeyId ? 'api_key' : 'system' },
    targets: [{ type: entry.entity, id: entry.entityId ?? '-' }],
    // The (already anonymized) address is personal data: stored outside the hashed bytes, erasable.
    ...(entry.ip ? { context: { ip: entry.ip } } : {}),
    metadata: { ...entry.details, ...(entry.actorKeyId ? { keyId: entry.actorKeyId } : {}) },
  };
}

/** Appends outside a service log (scripts, tests): no signer; the running service checkpoints its streams. */
let plainLog: AuditLog | undefined;
const refuse: Queryable = { query: () => Promise.reject(new Error('this audit log only appends inside a transaction')) };
const defaultAuditLog = (): AuditLog => (plainLog ??= createAuditLog({ store: auditStore(refuse), defaultStream: SYSTEM_STREAM }));

function toAuditRow(r: Row): AuditRow {
  const event = JSON.parse(String(r.event)) as { action: string; actor: { id: string; type: string }; targets: { type: string; id: string }[]; outcome: AuditRow['outcome']; metadata: Record<string, unknown> };
  const personal = r.personal ? (JSON.parse(String(r.personal)) as { data?: { ip?: string } }) : null;
  const { keyId, ...details } = event.metadata;
  const target = event.targets[0];
  const stream = String(r.stream);
  return {
    stream,
    seq: Number(r.seq),
    at: String(r.time),
    tenantId: stream === SYSTEM_STREAM ? null : stream,
    actorUserId: event.actor.type === 'user' ? event.actor.id : null,
    actorKeyId: typeof keyId === 'string' ? keyId : event.actor.type === 'api_key' ? event.actor.id : null,
    action: event.action,
    entity: target?.type ?? '',
    entityId: target && target.id !== '-' ? target.id : null,
    ip: personal?.data?.ip ?? null,
    outcome: event.outcome,
    details,
  };
}

/** The audit methods of {@link repositories} over one connection (or transaction). */
export function auditRepository(db: Queryable, auditLog?: AuditLog) {
  return {
    /**
     * Appends `entry` to the tenant's audit chain (stream = tenant id, or `system`) in this
     * connection's transaction: it commits with the change it records, or not at all.
     */
    async record(entry: AuditEntry): Promise<void> {
      const log = auditLog ?? defaultAuditLog();
      await log.append(auditEvent(entry), { stream: entry.tenantId ?? SYSTEM_STREAM, tx: sqlClient(db) });
    },
    /** The newest 100 entries about one target (`armor_audit_entries`; entries before migration 4 stay in `audit_log`). */
    async list(filter: { entity: string; entityId: string }): Promise<AuditRow[]> {
      const rows = await db.query<Row>(
        `SELECT stream, seq, time, event, personal FROM armor_audit_entries
         WHERE (event::jsonb -> 'targets') @> $1::jsonb ORDER BY time DESC, seq DESC LIMIT 100`,
        [JSON.stringify([{ type: filter.entity, id: filter.entityId }])],
      );
      return rows.map(toAuditRow);
    },
    /** One page of a stream, newest first: entries with `seq < before` (all when omitted). */
    async page(stream: string, limit: number, before?: number): Promise<{ items: AuditRow[]; nextBefore: number | null }> {
      const rows = await db.query<Row>(
        `SELECT stream, seq, time, event, personal FROM armor_audit_entries
         WHERE stream = $1 AND ($2::bigint IS NULL OR seq < $2::bigint) ORDER BY seq DESC LIMIT $3`,
        [stream, before ?? null, limit + 1],
      );
      const items = rows.slice(0, limit).map(toAuditRow);
      return { items, nextBefore: rows.length > limit ? (items[items.length - 1]?.seq ?? null) : null };
    },
  };
}
