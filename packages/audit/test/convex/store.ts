// Fixture functions: each AuditStore method as a Convex function over convexAuditStore(ctx), so
// the conformance suite drives the real table store through convex-test. Drafts travel as JSON
// text (event metadata keys are free-form, not Convex field names).
import { v } from 'convex/values';
import { convexAuditStore } from '../../src/convex.js';
import { createAuditLog } from '../../src/index.js';
import { mutation, query } from './_generated/server.js';

export const append = mutation({
  args: { draft: v.string() },
  handler: async (ctx, { draft }) => JSON.stringify(await convexAuditStore(ctx).append(JSON.parse(draft))),
});
export const head = query({ args: { stream: v.string() }, handler: (ctx, { stream }) => convexAuditStore(ctx).head(stream) });
export const read = query({
  args: { stream: v.string(), afterSeq: v.number(), limit: v.number() },
  handler: async (ctx, { stream, afterSeq, limit }) => JSON.stringify(await convexAuditStore(ctx).read(stream, afterSeq, limit)),
});
export const addCheckpoint = mutation({ args: { checkpoint: v.string() }, handler: (ctx, { checkpoint }) => convexAuditStore(ctx).addCheckpoint(JSON.parse(checkpoint)) });
export const checkpoints = query({ args: { stream: v.string() }, handler: async (ctx, { stream }) => JSON.stringify(await convexAuditStore(ctx).checkpoints(stream)) });
export const erase = mutation({ args: { subject: v.string() }, handler: (ctx, { subject }) => convexAuditStore(ctx).erase(subject) });
export const prune = mutation({ args: { stream: v.string(), throughSeq: v.number() }, handler: (ctx, { stream, throughSeq }) => convexAuditStore(ctx).prune(stream, throughSeq) });
export const streams = query({ args: {}, handler: (ctx) => convexAuditStore(ctx).streams() });

/** A business mutation that audits and then fails: the entry must roll back with it. */
export const failingChange = mutation({
  args: {},
  handler: async (ctx) => {
    await createAuditLog({ store: convexAuditStore(ctx) }).append({ action: 'role.changed', actor: { id: 'u1' } });
    throw new Error('business rule failed');
  },
});
/** Appending from a query ctx is refused with a clear error. */
export const appendFromQuery = query({
  args: {},
  handler: async (ctx) => {
    await createAuditLog({ store: convexAuditStore(ctx) }).append({ action: 'x', actor: { id: 'u1' } });
  },
});
