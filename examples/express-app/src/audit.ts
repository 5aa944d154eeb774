/**
 * The service's audit log on `@armor/audit`: one hash chain per tenant (stream = tenant id, or
 * `system` for events without one) in `armor_audit_entries` (migration 4), appended inside the
 * transaction of the change it records. Checkpoints are signed with `AUDIT_SIGNING_KEY`
 * (Ed25519), made every `AUDIT_CHECKPOINT_MS` for streams with new entries (and every 100
 * appends made outside a transaction, by `checkpointEvery`), and copied to a file witness in
 * `DATA_DIR/audit-witness`. A background verifier re-checks every stream every
 * `AUDIT_VERIFY_MS` and exports `armor_audit_*` metrics; its latest reports feed the monitoring
 * snapshot's `audit` section.
 *
 * The old `audit_log` table (migration 3) is kept, unwritten, for the history before migration 4.
 *
 * @module
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  auditSnapshotSection,
  createAuditLog,
  ed25519Signer,
  generateSigningKey,
  memoryWitness,
  scheduleVerification,
  type AuditLog,
  type AuditSnapshotSection,
  type AuditVerifier,
  type AuditWitness,
} from '@armor/audit';
import { fileWitness } from '@armor/audit/node';
import { postgresAuditStore, type PostgresAuditStore, type SqlClient } from '@armor/audit/postgres';
import type { Registry } from '@armor/metrics';
import type { AppConfig } from './config.js';
import type { Queryable } from './db/database.js';

/** The stream of events that belong to no tenant. */
export const SYSTEM_STREAM = 'system';

/** The audit store's view of a {@link Queryable} (which returns rows; the store wants `{ rows }`). */
export const sqlClient = (db: Queryable): SqlClient => ({
  query: async (text, params) => ({ rows: await db.query<Record<string, unknown>>(text, params ?? []) }),
});

/** The audit store over `db` (the table prefix `armor_audit` of migration 4). */
export const auditStore = (db: Queryable): PostgresAuditStore => postgresAuditStore({ db: sqlClient(db) });

/**
 * The checkpoint signing key: `AUDIT_SIGNING_KEY`, else (never in production, which requires
 * it) the key kept in `DATA_DIR/audit-signing.key`, generated on first use; with an in-memory
 * `DATA_DIR`, a key for this process only. `where` says which, for the boot message.
 */
export function signingKey(config: Pick<AppConfig, 'audit' | 'dataDir'>): { secretKey: string; where: string } {
  if (config.audit.signingKey) return { secretKey: config.audit.signingKey, where: 'AUDIT_SIGNING_KEY' };
  if (config.dataDir.startsWith('memory://')) return { secretKey: generateSigningKey().secretKey, where: 'memory (this process only)' };
  const file = join(config.dataDir, 'audit-signing.key');
  if (existsSync(file)) return { secretKey: readFileSync(file, 'utf8').trim(), where: file };
  mkdirSync(config.dataDir, { recursive: true });
  const { secretKey } = generateSigningKey();
  writeFileSync(file, `${secretKey}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return { secretKey, where: file };
}

/** The service's audit log and what runs around it. */
export interface AppAudit {
  log: AuditLog;
  store: PostgresAuditStore;
  verifier: AuditVerifier;
  /** The public key (hex) auditors verify exports with (`armor-audit verify --public-key`). */
  publicKey: string;
  /** Where the signing key came from (the variable, a file, or memory). */
  keySource: string;
  /** Checkpoints every stream whose head moved; returns how many checkpoints were made. */
  checkpointAll(): Promise<number>;
  /** The monitoring snapshot's `audit` section. */
  snapshot(): Promise<AuditSnapshotSection>;
  /** Stops the checkpoint timer and the verifier. */
  stop(): void;
}

/** Builds the audit log of the service (see the module comment). */
export function createAppAudit(options: { db: Queryable; config: AppConfig; registry: Registry; onError?: (error: unknown) => void }): AppAudit {
  const { db, config, registry } = options;
  const store = auditStore(db);
  const key = signingKey(config);
  const signer = ed25519Signer(key.secretKey);
  const witness: AuditWitness = config.dataDir.startsWith('memory://') ? memoryWitness() : fileWitness(join(config.dataDir, 'audit-witness'));
  const log = createAuditLog({ store, signer, witness, checkpointEvery: 100, defaultStream: SYSTEM_STREAM });
  const verifier = scheduleVerification({
    log,
    streams: () => store.streams(),
    registry,
    intervalMs: config.audit.verifyMs,
    ...(options.onError ? { onReport: (r) => void ('error' in r ? options.onError?.(r.error) : undefined) } : {}),
  });
  let checkpointing: Promise<number> | undefined;
  async function checkpointAll(): Promise<number> {
    // One pass at a time: a slow pass is not overlapped by the next tick.
    checkpointing ??= (async () => {
      let made = 0;
      try {
        for (const stream of await store.streams()) if (await log.checkpoint(stream)) made++;
      } finally {
        checkpointing = undefined;
      }
      return made;
    })();
    return checkpointing;
  }
  const timer = setInterval(() => void checkpointAll().catch((error: unknown) => options.onError?.(error)), config.audit.checkpointMs);
  timer.unref();
  return {
    log,
    store,
    verifier,
    publicKey: signer.publicKey,
    keySource: key.where,
    checkpointAll,
    snapshot: () => auditSnapshotSection({ log, streams: () => store.streams(), verifier, recentPerStream: 10 }),
    stop() {
      clearInterval(timer);
      verifier.stop();
    },
  };
}

