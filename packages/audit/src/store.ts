/**
 * The store interface every audit driver implements. A store serializes appends per stream
 * (so the chain never forks), assigns `seq`, and computes the entry hash with
 * {@link envelopeParts} (in JavaScript or in the database).
 *
 * @module
 */
import type { Checkpoint } from './checkpoint.js';
import type { AuditEntry, PersonalData, StoredEvent } from './entry.js';

/** The head of a stream: its last entry's seq and hash. */
export interface ChainHead {
  seq: number;
  hash: string;
}

/** What `append` hands a store: everything but `seq`, `prevHash` and `hash`. */
export interface AppendDraft {
  stream: string;
  time: string;
  event: StoredEvent;
  /** `canonicalize(event)`, computed once. */
  eventJcs: string;
  personal: PersonalData | null;
  /** The subject whose personal data this is (the actor id), for erasure. */
  subject: string;
  idempotencyKey?: string;
}

/** The result of {@link AuditStore.append}. */
export interface AppendResult {
  entry: AuditEntry;
  /** An earlier append with the same idempotency key was found and returned instead. */
  duplicate: boolean;
}

/** A storage driver for audit streams. */
export interface AuditStore {
  /**
   * Appends one entry at the head of `draft.stream`, atomically and serialized with every
   * other writer of the stream. With an idempotency key already used in the stream, returns
   * that entry (`duplicate: true`) without writing.
   * @param tx - a driver-specific transaction handle: the entry commits with it or not at all
   */
  append(draft: AppendDraft, tx?: unknown): Promise<AppendResult>;
  /** The stream's head, `null` when empty. */
  head(stream: string): Promise<ChainHead | null>;
  /** Up to `limit` entries with `seq > afterSeq`, in seq order. */
  read(stream: string, afterSeq: number, limit: number): Promise<AuditEntry[]>;
  /** Stores a checkpoint (idempotent by `id`). */
  addCheckpoint(checkpoint: Checkpoint): Promise<void>;
  /** Every checkpoint of the stream, in seq order. */
  checkpoints(stream: string): Promise<Checkpoint[]>;
  /** Sets `personal` to `null` on every entry of `subject`; returns how many changed. */
  erase(subject: string): Promise<number>;
  /** Deletes entries with `seq <= throughSeq`; returns how many. */
  prune(stream: string, throughSeq: number): Promise<number>;
  /** The names of all streams. */
  streams(): Promise<string[]>;
}
