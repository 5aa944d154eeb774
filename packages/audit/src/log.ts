/**
 * `createAuditLog`: validate, redact, split personal data, append to a store, checkpoint and
 * witness, verify, erase and prune.
 *
 * @module
 */
import { checkFunction, checkInt, checkOptions, checkString, systemClock, type Clock } from '@armor/core';
import { ConfigurationError } from '@armor/errors';
import { createRedactor } from '@armor/privacy';
import { bytesToHex } from '@noble/hashes/utils.js';
import { makeCheckpoint, type Checkpoint } from './checkpoint.js';
import type { AuditEntry } from './entry.js';
import { AuditError } from './errors.js';
import { parseEvent, splitEvent, type AuditEventInput } from './event.js';
import { canonicalize } from './jcs.js';
import type { AuditSigner } from './signer.js';
import type { AuditStore, ChainHead } from './store.js';
import { verifyStream, type VerifyReport } from './verify.js';
import type { AuditWitness } from './witness.js';

/** Options of {@link createAuditLog}. */
export interface AuditLogOptions {
  /** Where entries and checkpoints live (`memoryAuditStore()`, `postgresAuditStore()` from `@armor/audit/postgres`, ...). */
  store: AuditStore;
  /** Signs checkpoints. Without one the log detects edits but not truncation of the newest entries. */
  signer?: AuditSigner;
  /** Keeps a copy of every checkpoint outside the store's database. */
  witness?: AuditWitness;
  /**
   * Applied to `metadata` and personal data before anything is hashed or stored. `false` turns
   * redaction off (not recommended).
   * @default createRedactor() from `@armor/privacy` (its built-in secret and PII rules)
   */
  redact?: (<T>(value: T) => T) | false;
  /**
   * Make a checkpoint after every this many appends to a stream (counted in this process).
   * `0` makes checkpoints only on {@link AuditLog.checkpoint}. Appends made with `tx` are not
   * counted: their entries are not committed yet when `append` returns, so a checkpoint could
   * not see them. Call `checkpoint()` after your transaction commits, or on a timer.
   * @default 0
   */
  checkpointEvery?: number;
  /** Time source (ms since epoch). @default systemClock */
  clock?: Clock;
  /** Stream used when `append` is given none. @default 'default' */
  defaultStream?: string;
}

/** Options of {@link AuditLog.append}. */
export interface AppendOptions {
  /** The chain to append to (one per tenant, say). @default the log's `defaultStream` */
  stream?: string;
  /** The caller's transaction (driver-specific): the entry commits with it or not at all. */
  tx?: unknown;
}

/** A tamper-evident audit log. */
export interface AuditLog {
  /**
   * Validates, redacts and appends one event; returns the stored entry. A retry with the same
   * `idempotencyKey` (in the same stream) returns the first entry and writes nothing.
   * @throws {ValidationError} when the event fails the schema (paths named, no values)
   * @throws {AuditError} `idempotency_conflict` when the key was used for a different event
   */
  append(event: AuditEventInput, options?: AppendOptions): Promise<AuditEntry>;
  /** Signs a checkpoint of the stream's head (and hands it to the witness); `undefined` when the stream is empty or already checkpointed at its head. */
  checkpoint(stream?: string): Promise<Checkpoint | undefined>;
  /** Verifies a stream against the signer's public key (plus `publicKeys`) and the witness. */
  verify(stream?: string, options?: { publicKeys?: readonly string[] }): Promise<VerifyReport>;
  /** The stream's head (last seq and hash), `null` when empty. */
  head(stream?: string): Promise<ChainHead | null>;
  /** Iterates a stream's entries in seq order, `batch` at a time (default 1,000). */
  entries(stream?: string, options?: { afterSeq?: number; batch?: number }): AsyncIterable<AuditEntry>;
  /** Erases the personal data of `subject` (an actor id) in every stream; verification still passes. */
  erase(subject: string): Promise<number>;
  /**
   * Deletes entries up to and including `throughSeq`, which must be the seq of a signed
   * checkpoint, so what remains still verifies from it.
   * @throws {AuditError} `retention_boundary` otherwise
   */
  prune(stream: string, throughSeq: number): Promise<number>;
}

const KNOWN = ['store', 'signer', 'witness', 'redact', 'checkpointEvery', 'clock', 'defaultStream'];

function randomSalt(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return bytesToHex(bytes);
}

/**
 * Creates an audit log over a store.
 *
 * @example
 * ```ts
 * import { createAuditLog, memoryAuditStore, ed25519Signer, generateSigningKey } from '@armor/audit';
 * const { secretKey, publicKey } = generateSigningKey();
 * const log = createAuditLog({ store: memoryAuditStore(), signer: ed25519Signer(secretKey) });
 * await log.append({ action: 'api_key.revoked', actor: { id: 'u1' }, targets: [{ type: 'api_key', id: 'k1' }] });
 * await log.checkpoint();
 * console.log((await log.verify('default', { publicKeys: [publicKey] })).ok); // true
 * ```
 */
export function createAuditLog(options: AuditLogOptions): AuditLog {
  checkOptions('createAuditLog', options, KNOWN);
  if (!options || typeof options.store?.append !== 'function') {
    throw new ConfigurationError('store', 'is required: an AuditStore such as memoryAuditStore()');
  }
  if (options.signer !== undefined && (typeof options.signer?.sign !== 'function' || typeof options.signer.keyId !== 'string')) {
    throw new ConfigurationError('signer', 'must be an AuditSigner such as ed25519Signer(secretKey)');
  }
  if (options.witness !== undefined && typeof options.witness?.put !== 'function') {
    throw new ConfigurationError('witness', 'must have put() and list()');
  }
  if (options.redact !== undefined && options.redact !== false) checkFunction('redact', options.redact);
  checkInt('checkpointEvery', options.checkpointEvery ?? 0, 0);
  checkString('defaultStream', options.defaultStream ?? 'default');
  const { store, signer, witness, checkpointEvery = 0, defaultStream = 'default' } = options;
  const clock = options.clock ?? systemClock;
  const redact = options.redact === false ? <T>(v: T) => v : (options.redact ?? createRedactor());
  const sinceCheckpoint = new Map<string, number>();
  const checkpointing = new Map<string, Promise<Checkpoint | undefined>>();

  const streamName = (stream: string | undefined) => {
    const name = stream ?? defaultStream;
    if (typeof name !== 'string' || name.length === 0 || name.length > 256) {
      throw new ConfigurationError('stream', 'must be a non-empty string of at most 256 characters', { received: name });
    }
    return name;
  };

  async function checkpoint(stream?: string): Promise<Checkpoint | undefined> {
    if (!signer) throw new ConfigurationError('signer', 'is required for checkpoint(): createAuditLog({ signer: ed25519Signer(key) })');
    const name = streamName(stream);
    // One checkpoint at a time per stream, so two never share a predecessor.
    const running = checkpointing.get(name);
    const next = (running ?? Promise.resolve(undefined)).catch(() => undefined).then(async () => {
      const head = await store.head(name);
      if (!head) return undefined;
      const existing = await store.checkpoints(name);
      const previous = existing[existing.length - 1];
      if (previous && previous.seq >= head.seq) return undefined;
      const cp = makeCheckpoint({ stream: name, ...head }, previous, signer, new Date(clock.now()).toISOString());
      await store.addCheckpoint(cp);
      if (witness) await witness.put(cp);
      sinceCheckpoint.set(name, 0);
      return cp;
    });
    checkpointing.set(name, next);
    try {
      return await next;
    } finally {
      if (checkpointing.get(name) === next) checkpointing.delete(name);
    }
  }

  async function* entries(stream?: string, opts: { afterSeq?: number; batch?: number } = {}): AsyncIterable<AuditEntry> {
    const name = streamName(stream);
    const batch = opts.batch ?? 1000;
    let after = opts.afterSeq ?? 0;
    for (;;) {
      const page = await store.read(name, after, batch);
      for (const entry of page) yield entry;
      if (page.length < batch) return;
      after = page[page.length - 1]!.seq;
    }
  }

  return {
    async append(input, opts = {}) {
      const name = streamName(opts.stream);
      const event = parseEvent(input);
      const { stored, personal, eventJcs } = splitEvent(event, redact, randomSalt);
      const { entry, duplicate } = await store.append(
        { stream: name, time: new Date(clock.now()).toISOString(), event: stored, eventJcs, personal, subject: event.actor.id, ...(event.idempotencyKey !== undefined ? { idempotencyKey: event.idempotencyKey } : {}) },
        opts.tx,
      );
      if (duplicate) {
        // Same key, different event: refuse rather than pretend the retry was the same.
        const { personalCommitment: _a, ...before } = entry.event;
        const { personalCommitment: _b, ...now } = stored;
        if (canonicalize(before) !== canonicalize(now)) {
          throw new AuditError('idempotency_conflict', `Idempotency key already used for a different event (seq ${entry.seq})`, { details: { seq: entry.seq } });
        }
        return entry;
      }
      if (signer && checkpointEvery > 0 && opts.tx === undefined) {
        const n = (sinceCheckpoint.get(name) ?? 0) + 1;
        sinceCheckpoint.set(name, n);
        if (n >= checkpointEvery) await checkpoint(name);
      }
      return entry;
    },
    checkpoint,
    async verify(stream, opts = {}) {
      const name = streamName(stream);
      const publicKeys = [...(signer ? [signer.publicKey] : []), ...(opts.publicKeys ?? [])];
      return verifyStream({
        stream: name,
        entries: entries(name),
        checkpoints: await store.checkpoints(name),
        publicKeys,
        ...(witness ? { witnessed: await witness.list(name) } : {}),
      });
    },
    entries,
    head: (stream) => store.head(streamName(stream)),
    erase(subject) {
      checkString('subject', subject);
      return store.erase(subject);
    },
    async prune(stream, throughSeq) {
      const name = streamName(stream);
      const cps = await store.checkpoints(name);
      if (!cps.some((cp) => cp.seq === throughSeq)) {
        throw new AuditError('retention_boundary', `No checkpoint at seq ${throughSeq}: pruning there would leave the rest unverifiable`, { details: { seq: throughSeq } });
      }
      return store.prune(name, throughSeq);
    },
  };
}
