/**
 * The in-memory audit store: for tests, development and single-process tools. Appends to one
 * stream run one after another (a promise chain per stream), so concurrent callers never fork
 * the chain. Not durable.
 *
 * @module
 */
import type { Checkpoint } from './checkpoint.js';
import { envelopeParts, GENESIS_HASH, sha256Hex, type AuditEntry } from './entry.js';
import { AuditError } from './errors.js';
import type { AppendDraft, AppendResult, AuditStore, ChainHead } from './store.js';

interface Stream {
  entries: AuditEntry[];
  /** seq of entries[0] minus 1 (after pruning). */
  offset: number;
  byKey: Map<string, AuditEntry>;
  subjects: Map<number, string>;
  checkpoints: Map<string, Checkpoint>;
  last: ChainHead | null;
}

/**
 * An in-memory {@link AuditStore}.
 *
 * @example
 * ```ts
 * const log = createAuditLog({ store: memoryAuditStore() });
 * ```
 */
export function memoryAuditStore(): AuditStore {
  const streams = new Map<string, Stream>();
  const get = (name: string): Stream => {
    let s = streams.get(name);
    if (!s) {
      s = { entries: [], offset: 0, byKey: new Map(), subjects: new Map(), checkpoints: new Map(), last: null };
      streams.set(name, s);
    }
    return s;
  };
  const clone = <T>(value: T): T => structuredClone(value);

  return {
    async append(draft: AppendDraft): Promise<AppendResult> {
      // Synchronous from here on: nothing can interleave within one stream.
      const s = get(draft.stream);
      if (draft.idempotencyKey !== undefined) {
        const earlier = s.byKey.get(draft.idempotencyKey);
        if (earlier) return { entry: clone(earlier), duplicate: true };
      }
      const seq = (s.last?.seq ?? 0) + 1;
      const prevHash = s.last?.hash ?? GENESIS_HASH;
      const [a, b, c] = envelopeParts(draft.stream, draft.time, draft.eventJcs);
      const entry: AuditEntry = {
        v: 1,
        stream: draft.stream,
        seq,
        time: draft.time,
        event: clone(draft.event),
        personal: clone(draft.personal),
        prevHash,
        hash: sha256Hex(`${a}${prevHash}${b}${seq}${c}`),
      };
      s.entries.push(entry);
      s.last = { seq, hash: entry.hash };
      s.subjects.set(seq, draft.subject);
      if (draft.idempotencyKey !== undefined) s.byKey.set(draft.idempotencyKey, entry);
      return { entry: clone(entry), duplicate: false };
    },
    async head(stream) {
      const last = streams.get(stream)?.last;
      return last ? { ...last } : null;
    },
    async read(stream, afterSeq, limit) {
      const s = streams.get(stream);
      if (!s) return [];
      const start = Math.max(0, afterSeq - s.offset);
      return s.entries.slice(start, start + limit).map(clone);
    },
    async addCheckpoint(checkpoint) {
      get(checkpoint.stream).checkpoints.set(checkpoint.id, clone(checkpoint));
    },
    async checkpoints(stream) {
      return [...(streams.get(stream)?.checkpoints.values() ?? [])].sort((a, b) => a.seq - b.seq).map(clone);
    },
    async erase(subject) {
      let n = 0;
      for (const s of streams.values()) {
        for (const entry of s.entries) {
          if (entry.personal !== null && s.subjects.get(entry.seq) === subject) {
            entry.personal = null;
            n++;
          }
        }
      }
      return n;
    },
    async prune(stream, throughSeq) {
      const s = streams.get(stream);
      if (!s) return 0;
      if (!Number.isInteger(throughSeq)) throw new AuditError('retention_boundary', 'throughSeq must be an integer');
      const n = Math.max(0, Math.min(s.entries.length, throughSeq - s.offset));
      for (const entry of s.entries.slice(0, n)) {
        s.subjects.delete(entry.seq);
        if (entry.event.idempotencyKey !== undefined) s.byKey.delete(entry.event.idempotencyKey);
      }
      s.entries.splice(0, n);
      s.offset += n;
      return n;
    },
    async streams() {
      return [...streams.keys()];
    },
  };
}
