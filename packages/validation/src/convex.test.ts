import { ConfigurationError } from '@armor/errors';
import { fromConvexError } from '@armor/errors/convex';
import { ConvexError, v, type GenericValidator } from 'convex/values';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { withZod, zid, zodToConvex, zodToConvexArgs } from './convex.js';
import { schemas } from './schemas.js';

// `json` is Convex's serialized form of a validator (marked internal in its types).
const json = (validator: GenericValidator) => (validator as unknown as { json: unknown }).json;

describe('zodToConvexArgs / zodToConvex', () => {
  it('maps a zod object to the equivalent Convex validators', () => {
    const Args = z.object({
      id: zid('projects'),
      name: schemas.safeString({ max: 80 }),
      email: z.email().optional(),
      count: z.number().int().default(1),
      big: z.bigint(),
      flag: z.boolean().nullable(),
      kind: z.enum(['a', 'b']),
      one: z.literal('x'),
      tags: z.array(z.string()),
      meta: z.record(z.string(), z.number()),
      nested: z.object({ at: z.number(), note: z.string().optional() }),
      either: z.union([z.string(), z.number()]),
      anything: z.unknown(),
    });
    const args = zodToConvexArgs(Args);
    const expected = {
      id: v.id('projects'),
      name: v.string(), // string().transform(): the input side; zod checks the rest in withZod
      email: v.optional(v.string()),
      count: v.optional(v.float64()),
      big: v.int64(),
      flag: v.union(v.boolean(), v.null()),
      kind: v.union(v.literal('a'), v.literal('b')),
      one: v.literal('x'),
      tags: v.array(v.string()),
      meta: v.record(v.string(), v.float64()),
      nested: v.object({ at: v.float64(), note: v.optional(v.string()) }),
      either: v.union(v.string(), v.float64()),
      anything: v.any(),
    };
    expect(Object.keys(args)).toEqual(Object.keys(expected));
    for (const key of Object.keys(expected) as (keyof typeof expected)[]) {
      expect(json(args[key] as GenericValidator), key).toEqual(json(expected[key] as GenericValidator));
    }
  });

  it('uses the input side of pipes and unwraps readonly/catch', () => {
    expect(json(zodToConvex(z.string().pipe(z.coerce.number())))).toEqual(json(v.string()));
    expect(json(zodToConvex(z.array(z.number()).readonly()))).toEqual(json(v.array(v.float64())));
  });

  it('throws ConfigurationError naming the path for types Convex cannot hold', () => {
    expect(() => zodToConvexArgs(z.object({ when: z.date() }))).toThrow(ConfigurationError);
    expect(() => zodToConvexArgs(z.object({ a: z.object({ s: z.set(z.string()) }) }))).toThrow(/\/a\/s/);
    expect(() => zodToConvex({} as never)).toThrow(/zod 4 schema/);
  });
});

describe('withZod', () => {
  const Rename = z.object({ id: zid('projects'), name: schemas.safeString({ max: 10 }) });
  const handler = withZod(Rename, async (ctx: { calls: string[] }, args) => {
    ctx.calls.push(args.name);
    return args.name.length;
  });

  it('calls the handler with the parsed, typed args', async () => {
    const ctx = { calls: [] as string[] };
    expect(await handler(ctx, { id: 'p1', name: '  Zoë ' })).toBe(3);
    expect(ctx.calls).toEqual(['Zoë']);
  });

  it('throws a ConvexError with Armor VALIDATION_FAILED data and JSON-pointer issues', async () => {
    const ctx = { calls: [] as string[] };
    const error = await handler(ctx, { id: 'p1', name: 'a\u202Eb-too-long-name' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConvexError);
    const data = (error as ConvexError<{ code: string; status: number; issues: { path: string }[] }>).data;
    expect(data.code).toBe('VALIDATION_FAILED');
    expect(data.status).toBe(400);
    expect(data.issues[0]?.path).toBe('/name');
    expect(fromConvexError(error).code).toBe('VALIDATION_FAILED');
    expect(ctx.calls).toEqual([]);
  });
});
