/**
 * Convex adapter: Armor errors to and from `ConvexError`, so a Convex client can branch on
 * `error.data.code`.
 *
 * @module
 */
import { ConvexError, type Value } from 'convex/values';
import type { ArmorError } from './armor-error.js';
import { fromUnknown, safeGet } from './from-unknown.js';
import { genericDetail } from './problem.js';

/** The `data` of a `ConvexError` produced by {@link toConvexError}. */
export type ArmorConvexErrorData = {
  /** Always `true`: marks the data as Armor's. */
  armor: true;
  code: string;
  status: number;
  /** The exposed message, or a generic one for non-exposed errors. */
  message: string;
  details?: Record<string, Value>;
  issues?: { path: string; message: string; code: string }[];
  retryAfterMs?: number;
};

/**
 * Converts anything thrown into a `ConvexError` whose data is {@link ArmorConvexErrorData}.
 * Non-exposed errors (5xx) carry a generic message only.
 */
export function toConvexError(thrown: unknown): ConvexError<ArmorConvexErrorData> {
  if (thrown instanceof ConvexError && safeGet(thrown.data, 'armor') === true) return thrown as ConvexError<ArmorConvexErrorData>;
  const error: ArmorError = fromUnknown(thrown);
  const exposed = error.expose && error.status < 500;
  const data: ArmorConvexErrorData = {
    armor: true,
    code: error.code,
    status: error.status,
    message: exposed ? error.message : genericDetail(error.status),
  };
  if (exposed && error.details !== undefined) data.details = JSON.parse(JSON.stringify(error.details)) as Record<string, Value>;
  const issues = safeGet(error, 'issues');
  if (exposed && Array.isArray(issues)) {
    data.issues = (issues as unknown[]).map((i) => ({
      path: String(safeGet(i, 'path')),
      message: String(safeGet(i, 'message')),
      code: String(safeGet(i, 'code')),
    }));
  }
  if (error.retryAfterMs !== undefined) data.retryAfterMs = error.retryAfterMs;
  return new ConvexError(data);
}

/** Turns a `ConvexError` produced by {@link toConvexError} (or anything else) back into an ArmorError. */
export function fromConvexError(thrown: unknown): ArmorError {
  const data = safeGet(thrown, 'data');
  if (safeGet(data, 'armor') === true) return fromUnknown(data);
  return fromUnknown(thrown);
}

/**
 * Wraps a Convex handler so every thrown error leaves as an Armor `ConvexError`.
 *
 * @example
 * ```ts
 * export const get = query({ args: { id: v.id('projects') }, handler: withConvexErrors(async (ctx, { id }) => {
 *   const project = await ctx.db.get(id);
 *   if (!project) throw new NotFoundError('Project not found');
 *   return project;
 * }) });
 * ```
 */
export function withConvexErrors<Args extends unknown[], R>(handler: (...args: Args) => Promise<R> | R): (...args: Args) => Promise<R> {
  return async (...args) => {
    try {
      return await handler(...args);
    } catch (thrown) {
      throw toConvexError(thrown);
    }
  };
}
