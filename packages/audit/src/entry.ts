/**
 * The chain entry: what is stored per event, and the one function that computes its hash.
 *
 * An entry's hash is SHA-256 over the RFC 8785 bytes of `{ event, prevHash, seq, stream, time,
 * v }`. Because those keys are already in canonical order and `event` is stored as canonical
 * text, the hashed bytes are a plain concatenation ({@link envelopeParts}); the PostgreSQL
 * store uses the same parts to hash inside the database.
 *
 * @module
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { canonicalize } from './jcs.js';

/** Format version of entries and checkpoints. */
export const AUDIT_FORMAT_VERSION = 1;

/** `prevHash` of the first entry of every stream: 64 zeros. */
export const GENESIS_HASH = '0'.repeat(64);

const encoder = new TextEncoder();

/** Lowercase hex SHA-256 of a UTF-8 string. */
export function sha256Hex(text: string): string {
  return bytesToHex(sha256(encoder.encode(text)));
}

/**
 * Personal data of one event, kept outside the hashed bytes so it can be erased: the hashed
 * event carries only `personalCommitment = sha256(JCS({ data, salt }))`. The random salt keeps
 * a low-entropy value (an IP address) from being recovered from the commitment after erasure.
 */
export interface PersonalData {
  /** 32 hex characters of randomness. */
  salt: string;
  /** The personal fields: `actorName`, `ip`, `userAgent` and the event's `personal` object. */
  data: Record<string, unknown>;
}

/** The part of an event that is hashed (personal data only by its commitment). */
export interface StoredEvent {
  action: string;
  actor: { id: string; type: string };
  targets: { type: string; id: string }[];
  outcome: 'success' | 'failure' | 'denied';
  context: { requestId?: string; sessionId?: string };
  metadata: Record<string, unknown>;
  schemaVersion: number;
  idempotencyKey?: string;
  personalCommitment?: string;
}

/** One link of a stream's chain, as stored and exported. */
export interface AuditEntry {
  v: 1;
  /** The chain this entry belongs to (one per tenant, say). */
  stream: string;
  /** 1, 2, 3, ... without gaps within a stream. */
  seq: number;
  /** ISO 8601 UTC time of the append, millisecond precision. */
  time: string;
  event: StoredEvent;
  /** Erasable personal data, `null` once erased (or when the event had none). */
  personal: PersonalData | null;
  /** `hash` of the entry before (the {@link GENESIS_HASH} for seq 1). */
  prevHash: string;
  /** SHA-256 (hex) of this entry's canonical envelope. */
  hash: string;
}

/**
 * The hashed text of an entry split around its two chain-dependent values:
 * `parts[0] + prevHash + parts[1] + seq + parts[2]`.
 */
export function envelopeParts(stream: string, time: string, eventJcs: string): [string, string, string] {
  return [`{"event":${eventJcs},"prevHash":"`, '","seq":', `,"stream":${canonicalize(stream)},"time":${canonicalize(time)},"v":${AUDIT_FORMAT_VERSION}}`];
}

/** The hash an entry must have, recomputed from its content. */
export function entryHash(entry: Pick<AuditEntry, 'stream' | 'seq' | 'time' | 'event' | 'prevHash'>): string {
  const [a, b, c] = envelopeParts(entry.stream, entry.time, canonicalize(entry.event));
  return sha256Hex(`${a}${entry.prevHash}${b}${entry.seq}${c}`);
}

/** The commitment that binds erasable personal data into the hashed event. */
export function personalCommitment(personal: PersonalData): string {
  return sha256Hex(canonicalize({ data: personal.data, salt: personal.salt }));
}
