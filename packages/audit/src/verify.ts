/**
 * Offline verification of a stream: its entries, its checkpoints and (optionally) the copies of
 * those checkpoints a witness keeps. Needs only public keys. Streams the entries (memory grows
 * with the number of checkpoints, not entries).
 *
 * @module
 */
import { checkpointId, checkpointMessage, type Checkpoint } from './checkpoint.js';
import { entryHash, GENESIS_HASH, personalCommitment, type AuditEntry } from './entry.js';
import { checkPublicKey, keyIdOf, verifySignature } from './signer.js';

/**
 * What verification can find:
 * - `row_hash_mismatch`: an entry's content no longer matches its hash (a field was edited);
 * - `prev_hash_mismatch`: an entry does not link to the one before (a row was replaced or the chain re-hashed);
 * - `seq_gap`: a seq is missing (a middle row was deleted, or the log starts after seq 1 without a checkpoint);
 * - `seq_out_of_order`: a seq repeats or goes backwards (an inserted or reordered row);
 * - `foreign_entry`: an entry of another stream or format version;
 * - `personal_data_mismatch`: erasable personal data no longer matches its commitment;
 * - `truncated_after_checkpoint`: a checkpoint covers entries that are gone (the newest rows were deleted);
 * - `checkpoint_mismatch`: a checkpoint's hash differs from the entry at its seq (the chain was rewritten);
 * - `bad_signature`: a checkpoint's signature or id is wrong (forged or edited checkpoint, or a swapped key);
 * - `unknown_key`: a checkpoint signed by a key that is not trusted;
 * - `checkpoint_fork`: checkpoints that do not form one chain, or a witness copy that differs from (or is missing from) the log's.
 */
export type FindingKind =
  | 'row_hash_mismatch'
  | 'prev_hash_mismatch'
  | 'seq_gap'
  | 'seq_out_of_order'
  | 'foreign_entry'
  | 'personal_data_mismatch'
  | 'truncated_after_checkpoint'
  | 'checkpoint_mismatch'
  | 'bad_signature'
  | 'unknown_key'
  | 'checkpoint_fork';

/** One problem found. */
export interface Finding {
  kind: FindingKind;
  /** The entry or checkpoint seq concerned. */
  seq: number;
  /** A human-readable explanation (no event data). */
  message: string;
  /** The checkpoint concerned, if any. */
  checkpointId?: string;
}

/** The outcome of {@link verifyStream}. */
export interface VerifyReport {
  /** No findings. */
  ok: boolean;
  stream: string;
  /** Entries read. */
  entries: number;
  /** First and last seq read (0 when empty). */
  firstSeq: number;
  lastSeq: number;
  /** Hash of the last entry read. */
  lastHash: string;
  /** Checkpoints checked. */
  checkpoints: number;
  /** Highest seq covered by a valid checkpoint (0 if none). */
  anchoredSeq: number;
  /** `time` of the newest valid checkpoint, if any. */
  lastCheckpointTime?: string;
  /** Entries after the last valid checkpoint: their truncation would go unnoticed until the next checkpoint. */
  unanchored: number;
  /** Entries whose personal data was erased (allowed; still verified by commitment). */
  erased: number;
  /** At most `maxFindings` findings, in the order found. */
  findings: Finding[];
  /** Findings left out beyond `maxFindings`. */
  omittedFindings: number;
}

/** Input of {@link verifyStream}. */
export interface VerifyInput {
  stream: string;
  /** The stream's entries in seq order (an array, an iterable, or an async iterable). */
  entries: Iterable<AuditEntry> | AsyncIterable<AuditEntry>;
  /** The stream's checkpoints (any order). @default [] */
  checkpoints?: readonly Checkpoint[];
  /** Trusted public keys (hex). Checkpoints by any other key are `unknown_key`. @default [] */
  publicKeys?: readonly string[];
  /** Checkpoints as a witness keeps them; each must be in `checkpoints`, unchanged. */
  witnessed?: readonly Checkpoint[];
  /** @default 1000 */
  maxFindings?: number;
}

/**
 * Verifies one stream. Never throws on tampered data: every problem is a {@link Finding}.
 *
 * @throws {AuditError} `bad_key` when a public key is malformed
 * @example
 * ```ts
 * const report = await verifyStream({ stream: 'tenant-1', entries, checkpoints, publicKeys: [publicKey] });
 * if (!report.ok) console.error(report.findings);
 * ```
 */
export async function verifyStream(input: VerifyInput): Promise<VerifyReport> {
  const { stream, maxFindings = 1000 } = input;
  const keys = new Map<string, string>();
  for (const key of input.publicKeys ?? []) {
    const hex = checkPublicKey(key);
    keys.set(keyIdOf(hex), hex);
  }
  const report: VerifyReport = {
    ok: true,
    stream,
    entries: 0,
    firstSeq: 0,
    lastSeq: 0,
    lastHash: GENESIS_HASH,
    checkpoints: 0,
    anchoredSeq: 0,
    unanchored: 0,
    erased: 0,
    findings: [],
    omittedFindings: 0,
  };
  const find = (kind: FindingKind, seq: number, message: string, checkpointId?: string) => {
    report.ok = false;
    if (report.findings.length >= maxFindings) report.omittedFindings++;
    else report.findings.push(checkpointId ? { kind, seq, message, checkpointId } : { kind, seq, message });
  };

  // Checkpoints first: which are authentic, and which seqs they pin.
  const valid: Checkpoint[] = [];
  const all = [...(input.checkpoints ?? [])].sort((a, b) => a.seq - b.seq);
  report.checkpoints = all.length;
  for (const cp of all) {
    if (cp.stream !== stream) {
      find('checkpoint_fork', cp.seq, `checkpoint of stream ${JSON.stringify(cp.stream)}`, cp.id);
      continue;
    }
    const key = keys.get(cp.keyId);
    if (!key) {
      find('unknown_key', cp.seq, `checkpoint signed by untrusted key ${cp.keyId}`, cp.id);
      continue;
    }
    let authentic = false;
    try {
      authentic = checkpointId(cp) === cp.id && verifySignature(cp.signature, checkpointMessage(cp), key);
    } catch {
      authentic = false;
    }
    if (!authentic) {
      find('bad_signature', cp.seq, 'checkpoint signature or id does not match its content', cp.id);
      continue;
    }
    valid.push(cp);
    if (report.lastCheckpointTime === undefined || cp.time > report.lastCheckpointTime) report.lastCheckpointTime = cp.time;
  }
  // One chain of checkpoints: each links to the one before; no two share a seq or a predecessor.
  const byId = new Map(valid.map((cp) => [cp.id, cp]));
  const successor = new Map<string | null, Checkpoint>();
  for (const cp of valid) {
    const other = successor.get(cp.prev);
    if (other) find('checkpoint_fork', cp.seq, `two checkpoints follow the same predecessor (seq ${other.seq} and ${cp.seq})`, cp.id);
    else successor.set(cp.prev, cp);
    if (cp.prev !== null && !byId.has(cp.prev)) {
      // The predecessor may have been pruned with old entries; it is then older than every entry.
      const earlier = valid.some((o) => o.seq < cp.seq);
      if (earlier) find('checkpoint_fork', cp.seq, 'checkpoint links to a checkpoint that is not in the log', cp.id);
    }
  }
  for (const w of input.witnessed ?? []) {
    if (w.stream !== stream) continue;
    const mine = (input.checkpoints ?? []).find((cp) => cp.id === w.id);
    if (!mine) find('checkpoint_fork', w.seq, 'a witnessed checkpoint is missing from the log (deleted or replaced)', w.id);
    else if (mine.signature !== w.signature || mine.hash !== w.hash || mine.seq !== w.seq) {
      find('checkpoint_fork', w.seq, 'the log’s copy of a witnessed checkpoint differs', w.id);
    }
  }
  const pinned = new Map<number, Checkpoint[]>();
  for (const cp of valid) pinned.set(cp.seq, [...(pinned.get(cp.seq) ?? []), cp]);
  // Witnessed checkpoints pin too (a deleted checkpoint's witness copy still proves the head existed).
  for (const w of input.witnessed ?? []) {
    if (w.stream !== stream || valid.some((cp) => cp.id === w.id)) continue;
    const key = keys.get(w.keyId);
    if (key && checkpointId(w) === w.id && verifySignature(w.signature, checkpointMessage(w), key)) {
      pinned.set(w.seq, [...(pinned.get(w.seq) ?? []), w]);
    }
  }

  let prev: AuditEntry | undefined;
  for await (const entry of input.entries) {
    report.entries++;
    const seq = typeof entry?.seq === 'number' ? entry.seq : NaN;
    if (report.entries === 1) report.firstSeq = seq;
    if (entry.stream !== stream || entry.v !== 1) {
      find('foreign_entry', seq, 'entry of another stream or format version');
      continue;
    }
    let hashOk = false;
    try {
      hashOk = entryHash(entry) === entry.hash;
    } catch {
      hashOk = false;
    }
    if (!hashOk) find('row_hash_mismatch', seq, 'entry content does not match its hash');
    if (entry.personal === null || entry.personal === undefined) {
      if (entry.event?.personalCommitment !== undefined) report.erased++;
    } else {
      let same = false;
      try {
        same = personalCommitment(entry.personal) === entry.event?.personalCommitment;
      } catch {
        same = false;
      }
      if (!same) find('personal_data_mismatch', seq, 'personal data does not match its commitment');
    }
    if (!prev) {
      if (seq !== 1) {
        // A log that starts later (retention) must start right after a valid checkpoint.
        const anchor = pinned.get(seq - 1)?.find((cp) => cp.hash === entry.prevHash);
        if (!anchor) find('seq_gap', seq, `the log starts at seq ${seq} without a checkpoint at seq ${seq - 1}`);
        else report.anchoredSeq = Math.max(report.anchoredSeq, seq - 1);
      } else if (entry.prevHash !== GENESIS_HASH) find('prev_hash_mismatch', seq, 'the first entry does not start from the genesis hash');
    } else {
      if (seq === prev.seq + 1) {
        if (entry.prevHash !== prev.hash) find('prev_hash_mismatch', seq, `entry does not link to seq ${prev.seq}`);
      } else if (seq > prev.seq + 1) {
        find('seq_gap', seq, `seqs ${prev.seq + 1}..${seq - 1} are missing`);
      } else {
        find('seq_out_of_order', seq, `seq ${seq} after seq ${prev.seq}`);
      }
    }
    for (const cp of pinned.get(seq) ?? []) {
      if (cp.hash !== entry.hash) find('checkpoint_mismatch', seq, 'a signed checkpoint pins another hash at this seq', cp.id);
      else if (seq > report.anchoredSeq) report.anchoredSeq = seq;
    }
    prev = entry;
  }
  if (prev) {
    report.lastSeq = prev.seq;
    report.lastHash = prev.hash;
  }
  for (const [seq, cps] of pinned) {
    if (seq > report.lastSeq) {
      for (const cp of cps) find('truncated_after_checkpoint', seq, `a signed checkpoint covers seq ${seq} but the log ends at seq ${report.lastSeq}`, cp.id);
    }
  }
  report.unanchored = report.entries === 0 ? 0 : Math.max(0, report.lastSeq - Math.max(report.anchoredSeq, report.firstSeq - 1));
  return report;
}
