/**
 * Convex adapter: a table-backed rate-limit store. Add `rateLimitTable` to your schema,
 * create the store from a mutation's `ctx` and use any limiter with it. Convex mutations are
 * serializable transactions, so every `consume` is atomic across all clients.
 *
 * ```ts
 * // convex/schema.ts
 * export default defineSchema({ ...rateLimitTables, messages: defineTable({ body: v.string() }) });
 * // convex/messages.ts
 * export const send = mutation({ args: { body: v.string() }, handler: async (ctx, { body }) => {
 *   const limiter = createRateLimiter({ ...tiers.standard, store: convexStore(ctx) });
 *   const result = await limiter.consume(`send:${(await ctx.auth.getUserIdentity())?.subject ?? 'anon'}`);
 *   if (!result.allowed) throw new RateLimitError('Slow down', { retryAfterMs: result.retryAfterMs });
 *   await ctx.db.insert('messages', { body });
 * } });
 * ```
 *
 * @module
 */
import { defineTable } from 'convex/server';
import { v, type GenericId } from 'convex/values';
import { checkInt, checkNumber, checkOptions, checkString } from '@armor/core';
import { ConfigurationError } from '@armor/errors';
import { transactionalStore } from './stores/transactional.js';
import type { LimitState, RateLimitStore } from './types.js';

/**
 * The table definition: one row per limited key, indexed by `key` (lookups) and by
 * `expiresAt` (cleanup).
 */
export const rateLimitTable = defineTable({
  key: v.string(),
  state: v.object({ a: v.float64(), b: v.float64(), c: v.float64(), bu: v.float64(), s: v.float64() }),
  expiresAt: v.float64(),
})
  .index('by_key', ['key'])
  .index('by_expiresAt', ['expiresAt']);

/** `{ rateLimits: rateLimitTable }`: spread it into `defineSchema`. */
export const rateLimitTables = { rateLimits: rateLimitTable };

/** A rate-limit row. */
interface RateLimitRow {
  _id: GenericId<string>;
  key: string;
  state: LimitState;
  expiresAt: number;
}

interface IndexRange {
  eq(field: string, value: unknown): IndexRange;
  lt(field: string, value: unknown): IndexRange;
}

/** The part of Convex's `ctx.db` (a mutation's database writer) the store uses. */
export interface ConvexDatabaseLike {
  query(table: string): unknown;
  insert(table: string, value: Record<string, unknown>): Promise<unknown>;
  patch(id: never, value: Record<string, unknown>): Promise<void>;
  delete(id: never): Promise<void>;
}

interface QueryChain {
  withIndex(index: string, range: (q: IndexRange) => IndexRange): QueryChain;
  unique(): Promise<RateLimitRow | null>;
  take(n: number): Promise<RateLimitRow[]>;
}

/** Options of {@link convexStore}. */
export interface ConvexStoreOptions {
  /** The table name you gave `rateLimitTable` in your schema. @default 'rateLimits' */
  table?: string;
}

/**
 * A store on the Convex database of a mutation (or, for `peek` only, a query) context.
 * Create it per function call: `convexStore(ctx)`.
 *
 * @example
 * ```ts
 * const store = convexStore(ctx);
 * const result = await createRateLimiter({ ...tiers.strict, store }).consume(userId);
 * ```
 */
export function convexStore(ctx: { db: unknown }, options: ConvexStoreOptions = {}): RateLimitStore {
  checkOptions('convexStore', options, ['table']);
  const { table = 'rateLimits' } = options;
  checkString('table', table);
  const db = ctx?.db as ConvexDatabaseLike | undefined;
  if (!db || typeof db.query !== 'function') {
    throw new ConfigurationError('ctx', 'must be a Convex query or mutation ctx (with ctx.db)', { received: ctx });
  }
  const ids = new Map<string, RateLimitRow['_id']>();
  return transactionalStore({
    async get(key) {
      const row = await (db.query(table) as QueryChain).withIndex('by_key', (q) => q.eq('key', key)).unique();
      if (!row) return null;
      ids.set(key, row._id);
      return { state: row.state, expiresAt: row.expiresAt };
    },
    async set(key, value) {
      const id = ids.get(key);
      const fields = { state: { ...value.state }, expiresAt: value.expiresAt };
      if (id !== undefined) await db.patch(id as never, fields);
      else ids.set(key, (await db.insert(table, { key, ...fields })) as RateLimitRow['_id']);
    },
    async delete(key) {
      const id = ids.get(key);
      if (id === undefined) return;
      ids.delete(key);
      await db.delete(id as never);
    },
  });
}

/**
 * Deletes up to `batchSize` expired rows (via the `by_expiresAt` index); call it from a cron
 * mutation. Returns how many were deleted (schedule again when it equals `batchSize`).
 *
 * @example
 * ```ts
 * export const cleanup = internalMutation({ handler: (ctx) => deleteExpiredRateLimits(ctx) });
 * // crons.interval('rate-limit cleanup', { hours: 1 }, internal.rateLimits.cleanup);
 * ```
 */
export async function deleteExpiredRateLimits(
  ctx: { db: unknown },
  options: ConvexStoreOptions & { batchSize?: number; now?: number } = {},
): Promise<number> {
  checkOptions('deleteExpiredRateLimits', options, ['table', 'batchSize', 'now']);
  const { table = 'rateLimits', batchSize = 500, now = Date.now() } = options;
  checkString('table', table);
  checkInt('batchSize', batchSize, 1);
  checkNumber('now', now);
  const db = ctx?.db as ConvexDatabaseLike | undefined;
  if (!db || typeof db.query !== 'function') {
    throw new ConfigurationError('ctx', 'must be a Convex mutation ctx (with ctx.db)', { received: ctx });
  }
  const rows = await (db.query(table) as QueryChain).withIndex('by_expiresAt', (q) => q.lt('expiresAt', now)).take(batchSize);
  for (const row of rows) await db.delete(row._id as never);
  return rows.length;
}

export { transactionalStore } from './stores/transactional.js';
export type { StoredLimit, TransactionalStoreAdapter } from './stores/transactional.js';
