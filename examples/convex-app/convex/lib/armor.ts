/**
 * Armor's function wrappers for Convex — our own thin equivalent of convex-helpers' custom
 * functions (simpler here: three small functions, no extra dependency).
 *
 * Every wrapper:
 * - validates args with zod through `@armor/validation` (`parse`), so a bad argument reaches
 *   the client as `ConvexError({ code: 'VALIDATION_FAILED', issues })` instead of Convex's
 *   untyped argument error;
 * - turns every thrown error into an Armor `ConvexError` (`@armor/errors/convex`), so clients
 *   branch on `error.data.code`;
 * - mutations and actions: applies a rate-limit tier through the table-backed store
 *   (`@armor/rate-limit/convex`), counting each decision in `rateLimitStats`, and mutations
 *   write an audit row in the same transaction.
 *
 * Convex specifics worth knowing (documented in the README):
 * - A thrown error rolls back every write of a query/mutation — so a rejected rate-limit
 *   consume costs nothing, and error groups for queries/mutations are reported by the client
 *   (`monitoring.reportClientError`); actions record their own errors (they are not
 *   transactional).
 * - Queries and mutations see a frozen `Date.now()`, so latency is measured in actions and on
 *   the client (mutation round trips, and queries from subscription to first result) and
 *   recorded through `monitoring.recordSamples` / `monitoring.recordClientSamples`.
 * - A refused mutation's rate-limit count is rolled back with it; the client reports the
 *   refusal (`rateLimit.reportRejected`). See `./rateLimit.ts`.
 */
import { toConvexError } from '@armor/errors/convex';
import { fromUnknown, fingerprint } from '@armor/errors';
import { parse } from '@armor/validation';
import type { z } from 'zod';
import { internal } from '../_generated/api';
import { action, mutation, query, type ActionCtx, type MutationCtx, type QueryCtx } from '../_generated/server';
import { assertRegisteredMutation, enforceRateLimit, rateLimitError, type TierName } from './rateLimit';
import type { RegisteredAction, RegisteredMutation, RegisteredQuery } from 'convex/server';

/** Who is calling: the auth subject, or `anonymous`. */
export async function actorOf(ctx: { auth: QueryCtx['auth'] }): Promise<string> {
  const identity = await ctx.auth.getUserIdentity();
  return identity?.subject ?? 'anonymous';
}

/** The client-side argument type of a wrapped function: the schema's input. */
type Args<S extends z.ZodType> = z.input<S> & Record<string, unknown>;

type Handler<Ctx, S extends z.ZodType, R> = (ctx: Ctx, args: z.output<S>) => Promise<R>;

interface RateLimitOption<S extends z.ZodType> {
  /** One of @armor/rate-limit's tiers. */
  tier: TierName;
  /** Limiter key; default: the caller's identity subject (or `anonymous`). */
  key?: (args: z.output<S>, actor: string) => string;
}

/** A query whose args are validated with `args` (a zod schema). */
export function armorQuery<S extends z.ZodType, R>(definition: { args: S; handler: Handler<QueryCtx, S, R> }) {
  return query({
    handler: async (ctx, ...rest: unknown[]) => {
      const raw = rest[0];
      try {
        return await definition.handler(ctx, parse(definition.args, raw ?? {}));
      } catch (thrown) {
        throw toConvexError(thrown);
      }
    },
  }) as unknown as RegisteredQuery<'public', Args<S>, Promise<R>>;
}

/**
 * A mutation: validated, rate-limited (optional tier), audited (unless `audit: false`).
 * Put `audit` after `handler` when it reads the result, so TypeScript infers the result type first.
 */
export function armorMutation<S extends z.ZodType, R>(definition: {
  name: string;
  args: S;
  rateLimit?: RateLimitOption<S>;
  audit?: boolean | ((args: z.output<S>, result: NoInfer<R>) => { target?: string; summary?: string });
  handler: Handler<MutationCtx, S, R>;
}) {
  if (definition.rateLimit) assertRegisteredMutation(definition.name, definition.rateLimit.tier);
  return mutation({
    handler: async (ctx, ...rest: unknown[]) => {
      const raw = rest[0];
      try {
        const args = parse(definition.args, raw ?? {});
        const actor = await actorOf(ctx);
        if (definition.rateLimit) {
          const key = definition.rateLimit.key?.(args, actor) ?? actor;
          await enforceRateLimit(ctx, { tier: definition.rateLimit.tier, limiter: definition.name, key });
        }
        const result = await definition.handler(ctx, args);
        if (definition.audit !== false) {
          const extra = typeof definition.audit === 'function' ? definition.audit(args, result) : {};
          await ctx.db.insert('auditLog', { action: definition.name, actor, at: Date.now(), ...extra });
        }
        return result;
      } catch (thrown) {
        throw toConvexError(thrown);
      }
    },
  }) as unknown as RegisteredMutation<'public', Args<S>, Promise<R>>;
}

/**
 * An action: validated, rate-limited (optional tier, through an internal mutation), timed
 * (actions see a moving clock), and its errors recorded as error groups server-side.
 */
export function armorAction<S extends z.ZodType, R>(definition: {
  name: string;
  args: S;
  rateLimit?: RateLimitOption<S>;
  handler: Handler<ActionCtx, S, R>;
}) {
  return action({
    handler: async (ctx, ...rest: unknown[]) => {
      const raw = rest[0];
      const started = Date.now();
      let ok = false;
      try {
        const args = parse(definition.args, raw ?? {});
        if (definition.rateLimit) {
          const actor = await actorOf(ctx);
          const key = definition.rateLimit.key?.(args, actor) ?? actor;
          const { tier } = definition.rateLimit;
          // The decision (and its count in rateLimitStats) commits either way; the refusal is
          // thrown here, outside that transaction.
          const decision = await ctx.runMutation(internal.rateLimit.consume, { tier, limiter: definition.name, key });
          if (!decision.allowed) throw rateLimitError(tier, decision.retryAfterMs);
        }
        const result = await definition.handler(ctx, args);
        ok = true;
        return result;
      } catch (thrown) {
        const error = fromUnknown(thrown);
        await ctx.runMutation(internal.monitoring.recordError, {
          fingerprint: fingerprint(error),
          code: error.code,
          status: error.status,
          name: error.name,
          message: error.message,
          ...(typeof error.stack === 'string' ? { stack: error.stack.slice(0, 4000) } : {}),
          source: definition.name,
        });
        throw toConvexError(thrown);
      } finally {
        await ctx.runMutation(internal.monitoring.recordSamples, {
          samples: [{ name: definition.name, kind: 'action', durationMs: Date.now() - started, ok }],
        });
      }
    },
  }) as unknown as RegisteredAction<'public', Args<S>, Promise<R>>;
}
