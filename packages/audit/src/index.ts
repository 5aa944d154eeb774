/**
 * `@armor/audit`: a tamper-evident audit log. Events are validated (zod), redacted
 * (`@armor/privacy`), canonicalized (RFC 8785), chained per stream with SHA-256, and pinned by
 * Ed25519-signed checkpoints that a witness can keep elsewhere. `verifyStream`/`verifyBundle`
 * check everything offline with only public keys. Runtime-neutral (Node, Convex, edge).
 *
 * Stores: `memoryAuditStore()` here, PostgreSQL (node-postgres or PGlite) in
 * `@armor/audit/postgres`; a write-once file witness in `@armor/audit/node`.
 *
 * @module
 */
export { AuditError } from './errors.js';
export type { AuditErrorReason } from './errors.js';
export { canonicalize, canonicalBytes } from './jcs.js';
export { AUDIT_FORMAT_VERSION, GENESIS_HASH, entryHash, envelopeParts, personalCommitment, sha256Hex } from './entry.js';
export type { AuditEntry, PersonalData, StoredEvent } from './entry.js';
export { AUDIT_EVENT_SCHEMA_VERSION, auditEventSchema, parseEvent } from './event.js';
export type { AuditEventInput } from './event.js';
export { ed25519Signer, generateSigningKey, keyIdOf, verifySignature } from './signer.js';
export type { AuditSigner } from './signer.js';
export { checkpointId, checkpointMessage, makeCheckpoint } from './checkpoint.js';
export type { Checkpoint, CheckpointBody } from './checkpoint.js';
export { verifyStream } from './verify.js';
export type { Finding, FindingKind, VerifyInput, VerifyReport } from './verify.js';
export type { AppendDraft, AppendResult, AuditStore, ChainHead } from './store.js';
export { memoryAuditStore } from './memory.js';
export { httpWitness, memoryWitness } from './witness.js';
export type { AuditWitness, HttpWitnessOptions } from './witness.js';
export { createAuditLog } from './log.js';
export type { AppendOptions, AuditLog, AuditLogOptions } from './log.js';
export { BUNDLE_FORMAT, exportBundle, verifyBundle } from './bundle.js';
export type { BundleHeader, VerifyBundleOptions } from './bundle.js';
export { scheduleVerification } from './verifier.js';
export type { AuditMetricsRegistry, AuditVerifier, AuditVerifierOptions } from './verifier.js';
export { auditApiKeyEvent, auditRateLimitBlocks, auditSecurityErrors } from './capture.js';
export type { ApiKeyAction, CaptureOptions } from './capture.js';
export { auditSnapshotSection } from './snapshot.js';
export type { AuditSnapshotOptions, AuditSnapshotSection } from './snapshot.js';
