/**
 * Convex adapter: turn a zod object into Convex argument validators (`zodToConvexArgs`), run the
 * full zod schema inside the handler (`withZod`, failures leave as a `ConvexError` with Armor's
 * `{ code: 'VALIDATION_FAILED', issues }` data), and reference Convex ids from zod (`zid`).
 *
 * Convex validators check structure (types, optional fields, ids); zod adds what they cannot
 * express (formats, lengths, refinements, transforms). Use both.
 *
 * @module
 */
import { ConfigurationError, ValidationError } from '@armor/errors';
import { toConvexError } from '@armor/errors/convex';
import { v, type GenericId, type GenericValidator, type Validator } from 'convex/values';
import { z } from 'zod';
import { toIssues } from './parse.js';

const TABLES = new WeakMap<object, string>();

/**
 * A zod schema for a Convex document id of `table`. In zod it checks only "non-empty string";
 * converted with {@link zodToConvex} it becomes `v.id(table)`, which Convex checks for real.
 *
 * @example
 * ```ts
 * const Args = z.object({ projectId: zid('projects'), name: z.string().min(1) });
 * ```
 */
export function zid<Table extends string>(table: Table): z.ZodType<GenericId<Table>, string> {
  if (typeof table !== 'string' || table === '') throw new ConfigurationError('table', 'must be a table name', { received: table });
  const schema = z.string().min(1) as unknown as z.ZodType<GenericId<Table>, string>;
  TABLES.set(schema, table);
  return schema;
}

interface Def {
  type: string;
  [key: string]: unknown;
}

function defOf(schema: unknown): Def {
  const def = (schema as { _zod?: { def?: Def } } | null)?._zod?.def;
  if (def === undefined) throw new ConfigurationError('schema', 'must be a zod 4 schema', { received: schema });
  return def;
}

/** Validator of a literal value (Convex literals are strings, numbers, bigints or booleans). */
function literal(value: unknown, path: string): GenericValidator {
  if (value === null) return v.null();
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return v.literal(value);
  throw new ConfigurationError('schema', `literal at ${path || '/'} cannot be represented in Convex`, { received: value });
}

function union(members: GenericValidator[]): GenericValidator {
  if (members.length === 1) return members[0]!;
  return v.union(...members);
}

function convert(schema: unknown, path: string, optional: boolean): GenericValidator {
  const inner = convertRequired(schema, path);
  return optional ? v.optional(inner as Validator<unknown, 'required', string>) : inner;
}

/** Whether a field may be omitted by the client. */
function isOptional(schema: unknown): boolean {
  const def = defOf(schema);
  switch (def.type) {
    case 'optional':
    case 'default':
    case 'prefault':
    case 'catch':
      return true;
    case 'readonly':
    case 'nonoptional':
      return def.type === 'readonly' ? isOptional(def.innerType) : false;
    case 'pipe':
      return isOptional(def.in);
    default:
      return false;
  }
}

function convertRequired(schema: unknown, path: string): GenericValidator {
  const table = typeof schema === 'object' && schema !== null ? TABLES.get(schema) : undefined;
  if (table !== undefined) return v.id(table);
  const def = defOf(schema);
  switch (def.type) {
    case 'string':
    case 'template_literal':
      return v.string();
    case 'number':
    case 'int':
    case 'nan':
      return v.float64();
    case 'bigint':
      return v.int64();
    case 'boolean':
      return v.boolean();
    case 'null':
      return v.null();
    case 'any':
    case 'unknown':
    case 'lazy':
      return v.any();
    case 'literal':
      return union((def.values as unknown[]).map((value) => literal(value, path)));
    case 'enum':
      return union(Object.values(def.entries as Record<string, unknown>).map((value) => literal(value, path)));
    case 'array':
      return v.array(convertRequired(def.element, `${path}/*`) as Validator<unknown, 'required', string>);
    case 'tuple': {
      const items = [...(def.items as unknown[]), ...(def.rest ? [def.rest] : [])];
      return v.array(union(items.map((item, i) => convertRequired(item, `${path}/${i}`))) as Validator<unknown, 'required', string>);
    }
    case 'set':
      throw new ConfigurationError('schema', `Set at ${path || '/'} cannot be represented in Convex; use an array`);
    case 'object': {
      const shape = def.shape as Record<string, unknown>;
      const fields: Record<string, GenericValidator> = {};
      for (const [key, field] of Object.entries(shape)) fields[key] = convert(field, `${path}/${key}`, isOptional(field));
      return v.object(fields);
    }
    case 'record':
      return v.record(v.string(), convertRequired(def.valueType, `${path}/*`) as Validator<unknown, 'required', string>);
    case 'union':
      return union((def.options as unknown[]).map((option) => convertRequired(option, path)));
    case 'intersection':
      throw new ConfigurationError('schema', `intersection at ${path || '/'} is not supported; use .extend()`);
    case 'optional':
    case 'default':
    case 'prefault':
    case 'catch':
    case 'readonly':
    case 'nonoptional':
      return convertRequired(def.innerType, path);
    case 'nullable':
      return v.union(convertRequired(def.innerType, path) as Validator<unknown, 'required', string>, v.null());
    case 'pipe':
      return convertRequired(def.in, path);
    case 'transform':
      return v.any();
    default:
      throw new ConfigurationError('schema', `zod type "${def.type}" at ${path || '/'} cannot be represented in Convex`);
  }
}

/**
 * Converts any zod 4 schema to a Convex validator for its INPUT side (what the client sends):
 * `optional`/`default` fields become `v.optional`, `nullable` a union with `v.null()`, pipes use
 * their input, transforms accept anything (zod checks them in {@link withZod}), `zid(t)`
 * becomes `v.id(t)`. Types Convex cannot hold (Date, Map, Set, symbol, ...) throw
 * `ConfigurationError` naming the path.
 *
 * @example
 * ```ts
 * zodToConvex(z.array(z.string().email())); // v.array(v.string())
 * ```
 */
export function zodToConvex(schema: z.ZodType): GenericValidator {
  return convertRequired(schema, '');
}

type OptionalFlag<S> = undefined extends z.input<S> ? 'optional' : 'required';

/** The Convex `args` object produced by {@link zodToConvexArgs}. */
export type ConvexArgsFromZod<Shape extends z.ZodRawShape> = {
  [K in keyof Shape]: Validator<z.input<Shape[K]>, OptionalFlag<Shape[K]>, string>;
};

/**
 * Converts a zod object to Convex argument validators (`args` of `query`/`mutation`/`action`).
 *
 * @example
 * ```ts
 * const CreateProject = z.object({ name: schemas.safeString({ max: 80 }), ownerId: zid('users') });
 * export const create = mutation({
 *   args: zodToConvexArgs(CreateProject),
 *   handler: withZod(CreateProject, async (ctx, args) => ctx.db.insert('projects', args)),
 * });
 * ```
 */
export function zodToConvexArgs<Shape extends z.ZodRawShape>(schema: z.ZodObject<Shape>): ConvexArgsFromZod<Shape> {
  const def = defOf(schema);
  if (def.type !== 'object') throw new ConfigurationError('schema', 'must be a zod object', { received: def.type });
  const fields: Record<string, GenericValidator> = {};
  for (const [key, field] of Object.entries(def.shape as Record<string, unknown>)) fields[key] = convert(field, `/${key}`, isOptional(field));
  return fields as ConvexArgsFromZod<Shape>;
}

/**
 * Wraps a Convex handler: parses `args` with the zod schema (defaults, transforms, formats,
 * refinements) and calls `handler` with the typed output. Invalid args throw
 * `ConvexError<{ armor: true, code: 'VALIDATION_FAILED', status: 400, issues }>` (see
 * `@armor/errors/convex`), so clients read `error.data.issues`.
 *
 * @example
 * ```ts
 * export const rename = mutation({
 *   args: zodToConvexArgs(Rename),
 *   handler: withZod(Rename, async (ctx, { id, name }) => ctx.db.patch(id, { name })),
 * });
 * ```
 */
export function withZod<S extends z.ZodType, Ctx, R>(schema: S, handler: (ctx: Ctx, args: z.output<S>) => R): (ctx: Ctx, args: z.input<S>) => Promise<Awaited<R>> {
  defOf(schema);
  return async (ctx: Ctx, args: z.input<S>): Promise<Awaited<R>> => {
    const result = await schema.safeParseAsync(args);
    if (!result.success) {
      throw toConvexError(new ValidationError('Invalid arguments', { issues: toIssues(result.error.issues) }));
    }
    const value: Awaited<R> = await handler(ctx, result.data);
    return value;
  };
}

