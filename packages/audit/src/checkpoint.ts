/**
 * Signed checkpoints: a signature over a stream's head (`seq`, `hash`), chained to the
 * previous checkpoint. With the public key, anyone can tell that entries up to `seq` existed
 * with exactly this content, so deleting the newest entries (truncation) or rewriting the chain
 * is detected unless the signing key leaked.
 *
 * @module
 */
import { canonicalBytes, canonicalize } from './jcs.js';
import { AUDIT_FORMAT_VERSION, sha256Hex } from './entry.js';
import type { AuditSigner } from './signer.js';

/** The signed part of a checkpoint. */
export interface CheckpointBody {
  v: 1;
  stream: string;
  /** The seq of the entry it covers (every entry up to it). */
  seq: number;
  /** That entry's hash. */
  hash: string;
  /** ISO 8601 time it was made. */
  time: string;
  /** `id` of the stream's previous checkpoint, `null` for the first. */
  prev: string | null;
  /** Key id of the signer. */
  keyId: string;
}

/** A checkpoint as stored, exported and witnessed. */
export interface Checkpoint extends CheckpointBody {
  /** SHA-256 (hex) of the canonical body. */
  id: string;
  /** Ed25519 signature (hex) of the canonical body. */
  signature: string;
}

/** The canonical bytes a checkpoint's signature covers. */
export function checkpointMessage(body: CheckpointBody): Uint8Array {
  return canonicalBytes(bodyOf(body));
}

/** The signed fields only (drops `id`, `signature` and anything else). */
export function bodyOf(cp: CheckpointBody): CheckpointBody {
  return { v: cp.v, stream: cp.stream, seq: cp.seq, hash: cp.hash, time: cp.time, prev: cp.prev, keyId: cp.keyId };
}

/** The id a checkpoint must have. */
export function checkpointId(body: CheckpointBody): string {
  return sha256Hex(canonicalize(bodyOf(body)));
}

/** Makes and signs a checkpoint of `head`, chained to `previous`. */
export function makeCheckpoint(
  head: { stream: string; seq: number; hash: string },
  previous: Checkpoint | undefined,
  signer: AuditSigner,
  time: string,
): Checkpoint {
  const body: CheckpointBody = {
    v: AUDIT_FORMAT_VERSION,
    stream: head.stream,
    seq: head.seq,
    hash: head.hash,
    time,
    prev: previous ? previous.id : null,
    keyId: signer.keyId,
  };
  return { ...body, id: checkpointId(body), signature: signer.sign(checkpointMessage(body)) };
}
