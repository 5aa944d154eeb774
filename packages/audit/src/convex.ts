/**
 * Convex adapter: a table-backed audit store. Spread `auditTables` into your schema and create
 * the store from a mutation's `ctx` (`convexAuditStore(ctx)`). Convex mutations are serializable
 * transactions, so concurrent appends to one stream never fork the chain: a conflicting
 * mutation is retried by Convex and reads the new head. An append commits with the rest of the
 * mutation or not at all.
 *
 * @module
 */
import { defineTable } from 'convex/server';
import { v } from 'convex/values';
import { checkOptions, checkString } from '@armor/core';
import { ConfigurationError } from '@armor/errors';
import type { Checkpoint } from './checkpoint.js';
import { envelopeParts, GENESIS_HASH, sha256Hex, type AuditEntry, type PersonalData, type StoredEvent } from './entry.js';
import type { AppendDraft, AppendResult, AuditStore, ChainHead } from './store.js';

/** Entries: one row per event; `event` and `personal` are JSON text (free-form keys are not Convex field names). */
export const auditEntryTable = defineTable({
  stream: v.string(),
  seq: v.float64(),
  time: v.string(),
  event: v.string(),
  prevHash: v.string(),
  hash: v.string(),
  subject: v.string(),
  personal: v.union(v.string(), v.null()),
  idempotencyKey: v.optional(v.string()),
})
  .index('by_stream_seq', ['stream', 'seq'])
  .index('by_stream_key', ['stream', 'idempotencyKey'])
  .index('by_subject', ['subject']);

/** Checkpoints: `body` is the checkpoint as JSON. */
export const auditCheckpointTable = defineTable({ checkpointId: v.string(), stream: v.string(), seq: v.float64(), body: v.string() })
  .index('by_stream_seq', ['stream', 'seq'])
  .index('by_checkpoint_id', ['checkpointId']);

/** `{ auditEntries, auditCheckpoints }`: spread into `defineSchema`. */
export const auditTables = { auditEntries: auditEntryTable, auditCheckpoints: auditCheckpointTable };

interface Range {
  eq(field: string, value: unknown): Range;
  gt(field: string, value: unknown): Range;
  lte(field: string, value: unknown): Range;
}
interface Row {
  _id: unknown;
  [field: string]: unknown;
}
interface Query {
  withIndex(index: string, range?: (q: Range) => Range): Query;
  order(order: 'asc' | 'desc'): Query;
  first(): Promise<Row | null>;
  unique(): Promise<Row | null>;
  take(n: number): Promise<Row[]>;
  collect(): Promise<Row[]>;
}
interface Db {
  query(table: string): Query;
  insert?(table: string, value: Record<string, unknown>): Promise<unknown>;
  patch?(id: unknown, value: Record<string, unknown>): Promise<void>;
  delete?(id: unknown): Promise<void>;
}

/** Options of {@link convexAuditStore}. */
export interface ConvexAuditStoreOptions {
  /** @default 'auditEntries' */
  entries?: string;
  /** @default 'auditCheckpoints' */
  checkpoints?: string;
  /** Rows `erase` and `prune` change per call (Convex limits writes per mutation); call again while the result equals it. @default 1000 */
  batchSize?: number;
}

function toEntry(row: Row): AuditEntry {
  return {
    v: 1,
    stream: String(row.stream),
    seq: Number(row.seq),
    time: String(row.time),
    event: JSON.parse(String(row.event)) as StoredEvent,
    personal: row.personal === null || row.personal === undefined ? null : (JSON.parse(String(row.personal)) as PersonalData),
    prevHash: String(row.prevHash),
    hash: String(row.hash),
  };
}

/**
 * An {@link AuditStore} on a Convex function's `ctx.db` (writes need a mutation ctx). Create
 * it per function call.
 *
 * @example
 * ```ts no-run
 * export const revokeKey = mutation({ args: { keyId: v.string() }, handler: async (ctx, { keyId }) => {
 *   // ... revoke ...
 *   await createAuditLog({ store: convexAuditStore(ctx) }).append({ action: 'api_key.revoked', actor: { id: userId }, targets: [{ type: 'api_key', id: keyId }] });
 * } });
 * ```
 */
export function convexAuditStore(ctx: { db: unknown }, options: ConvexAuditStoreOptions = {}): AuditStore {
  checkOptions('convexAuditStore', options, ['entries', 'checkpoints', 'batchSize']);
  const { entries = 'auditEntries', checkpoints = 'auditCheckpoints', batchSize = 1000 } = options;
  checkString('entries', entries);
  checkString('checkpoints', checkpoints);
  const db = ctx?.db as Db | undefined;
  if (!db || typeof db.query !== 'function') throw new ConfigurationError('ctx', 'must be a Convex query or mutation ctx (with ctx.db)', { received: ctx });
  const writer = () => {
    if (typeof db.insert !== 'function' || typeof db.patch !== 'function' || typeof db.delete !== 'function') {
      throw new ConfigurationError('ctx', 'must be a Convex mutation ctx to write (a query ctx can only read)');
    }
    return db as Required<Db>;
  };
  const headRow = (stream: string) =>
    db
      .query(entries)
      .withIndex('by_stream_seq', (q) => q.eq('stream', stream))
      .order('desc')
      .first();

  return {
    async append(draft: AppendDraft): Promise<AppendResult> {
      const w = writer();
      if (draft.idempotencyKey !== undefined) {
        const earlier = await db
          .query(entries)
          .withIndex('by_stream_key', (q) => q.eq('stream', draft.stream).eq('idempotencyKey', draft.idempotencyKey))
          .first();
        if (earlier) return { entry: toEntry(earlier), duplicate: true };
      }
      const head = await headRow(draft.stream);
      const seq = head ? Number(head.seq) + 1 : 1;
      const prevHash = head ? String(head.hash) : GENESIS_HASH;
      const [a, b, c] = envelopeParts(draft.stream, draft.time, draft.eventJcs);
      const row = {
        stream: draft.stream,
        seq,
        time: draft.time,
        event: draft.eventJcs,
        prevHash,
        hash: sha256Hex(`${a}${prevHash}${b}${seq}${c}`),
        subject: draft.subject,
        personal: draft.personal === null ? null : JSON.stringify(draft.personal),
        ...(draft.idempotencyKey !== undefined ? { idempotencyKey: draft.idempotencyKey } : {}),
      };
      await w.insert(entries, row);
      return { entry: toEntry({ _id: undefined, ...row }), duplicate: false };
    },
    async head(stream): Promise<ChainHead | null> {
      const row = await headRow(stream);
      return row ? { seq: Number(row.seq), hash: String(row.hash) } : null;
    },
    async read(stream, afterSeq, limit) {
      const rows = await db
        .query(entries)
        .withIndex('by_stream_seq', (q) => q.eq('stream', stream).gt('seq', afterSeq))
        .order('asc')
        .take(limit);
      return rows.map(toEntry);
    },
    async addCheckpoint(cp: Checkpoint) {
      const w = writer();
      const existing = await db
        .query(checkpoints)
        .withIndex('by_checkpoint_id', (q) => q.eq('checkpointId', cp.id))
        .first();
      if (!existing) await w.insert(checkpoints, { checkpointId: cp.id, stream: cp.stream, seq: cp.seq, body: JSON.stringify(cp) });
    },
    async checkpoints(stream) {
      const rows = await db
        .query(checkpoints)
        .withIndex('by_stream_seq', (q) => q.eq('stream', stream))
        .order('asc')
        .collect();
      return rows.map((row) => JSON.parse(String(row.body)) as Checkpoint);
    },
    async erase(subject) {
      const w = writer();
      const rows = await db
        .query(entries)
        .withIndex('by_subject', (q) => q.eq('subject', subject))
        .collect();
      let n = 0;
      for (const row of rows) {
        if (row.personal === null || n >= batchSize) continue;
        await w.patch(row._id, { personal: null });
        n++;
      }
      return n;
    },
    async prune(stream, throughSeq) {
      const w = writer();
      const rows = await db
        .query(entries)
        .withIndex('by_stream_seq', (q) => q.eq('stream', stream).lte('seq', throughSeq))
        .take(batchSize);
      for (const row of rows) await w.delete(row._id);
      return rows.length;
    },
    async streams() {
      // Walks the index one stream at a time (a skip scan), not every row.
      const names: string[] = [];
      let row = await db.query(entries).withIndex('by_stream_seq').order('asc').first();
      while (row) {
        const name = String(row.stream);
        names.push(name);
        row = await db
          .query(entries)
          .withIndex('by_stream_seq', (q) => q.gt('stream', name))
          .order('asc')
          .first();
      }
      return names;
    },
  };
}
