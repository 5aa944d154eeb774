/**
 * @internal The Web-standard core the Hono, Fastify and Next.js validation adapters share:
 * options checked once, a byte-capped body read, and one parse of body, query and params
 * (structure limits first, then the schema) into values or a `ValidationError`.
 *
 * @module
 */
import { checkInt, checkOneOf, checkOptions, checkRequired } from '@armor/core';
import { readBodyText } from '@armor/core/body';
import { PayloadTooLargeError, ValidationError, type ArmorError, type ValidationIssue } from '@armor/errors';
import type { z } from 'zod';
import { limits as createLimits, type LimitsOptions, type StructureGuard } from './limits.js';
import { toIssues } from './parse.js';
import { assertZod4 } from './zod-version.js';

/** Options the framework adapters share. */
export interface AdapterValidateOptions<B extends z.ZodType | undefined, Q extends z.ZodType | undefined, P extends z.ZodType | undefined> {
  /** Schema for the JSON body. @default undefined (not validated) */
  body?: B;
  /** Schema for the query (values are strings, or arrays of strings for repeated keys). @default undefined */
  query?: Q;
  /** Schema for the route params (strings). @default undefined */
  params?: P;
  /** Structure limits checked before the schema (`false` turns them off). @default limits() */
  limits?: LimitsOptions | StructureGuard | false | undefined;
  /** Largest body in bytes; bigger bodies get 413 problem+json. @default 1048576 (1 MiB) */
  maxBytes?: number | undefined;
  /** `'respond'` answers 400/413 problem+json; `'next'` throws the error to the framework's error handler. @default 'respond' */
  onError?: 'respond' | 'next' | undefined;
}

/** The parsed values, typed by the schemas. */
export interface Validated<B, Q, P> {
  body: B;
  query: Q;
  params: P;
}

/** The output type of a schema, or `Fallback` when there is none. */
export type Out<S, Fallback> = S extends z.ZodType ? z.output<S> : Fallback;

const tooLarge = (maxBytes: number) => new PayloadTooLargeError(`Request body larger than ${maxBytes} bytes`, { details: { maxBytes } });

function isGuard(value: unknown): value is StructureGuard {
  return typeof value === 'object' && value !== null && typeof (value as StructureGuard).check === 'function';
}

/** @internal Checks options once and returns the parser. */
export function createValidator(component: string, options: AdapterValidateOptions<z.ZodType | undefined, z.ZodType | undefined, z.ZodType | undefined>, extraKeys: readonly string[] = []) {
  checkRequired('options', options, 'an object with body, query and/or params schemas');
  checkOptions(component, options, ['body', 'query', 'params', 'limits', 'maxBytes', 'onError', ...extraKeys]);
  checkOneOf('onError', options.onError, ['respond', 'next']);
  checkInt('maxBytes', options.maxBytes, 0);
  const guard: StructureGuard | undefined = options.limits === false ? undefined : isGuard(options.limits) ? options.limits : createLimits(options.limits ?? {});
  const parts: { name: 'params' | 'query' | 'body'; schema: z.ZodType; prefix: string; guarded: boolean }[] = [];
  for (const name of ['params', 'query', 'body'] as const) {
    const schema = options[name];
    if (schema === undefined) continue;
    assertZod4(schema, name);
    parts.push({ name, schema, prefix: `/${name}`, guarded: guard !== undefined && name !== 'params' });
  }
  return {
    maxBytes: options.maxBytes ?? 1_048_576,
    toNext: options.onError === 'next',
    hasBody: options.body !== undefined,
    /** Parses the inputs: the values by part, or the validation error. Never throws for bad input. */
    parse(input: { body?: unknown; query?: unknown; params?: unknown }): { values: Record<string, unknown> } | { error: ValidationError } {
      const values: Record<string, unknown> = { body: input.body, query: input.query, params: input.params };
      let issues: ValidationIssue[] | undefined;
      for (const { name, schema, prefix, guarded } of parts) {
        const value = input[name];
        if (guarded) {
          const issue = guard!.check(value, prefix);
          if (issue !== undefined) {
            (issues ??= []).push(issue);
            continue;
          }
        }
        try {
          const result = schema.safeParse(value);
          if (result.success) values[name] = result.data;
          else (issues ??= []).push(...toIssues(result.error.issues, prefix));
        } catch (error) {
          if (error instanceof RangeError) (issues ??= []).push({ path: prefix, message: 'Input is nested too deeply', code: 'too_deep' });
          else throw error;
        }
      }
      return issues ? { error: new ValidationError('Request validation failed', { issues }) } : { values };
    },
  };
}

/** @internal The query of a URL as strings, arrays for repeated keys (Express's shape). */
export function queryOf(url: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
  for (const [key, value] of new URL(url).searchParams) {
    const prior = out[key];
    out[key] = prior === undefined ? value : Array.isArray(prior) ? [...prior, value] : [prior, value];
  }
  return out;
}

/**
 * @internal Reads a JSON body, at most `maxBytes` (checked on `Content-Length` and while
 * streaming, by the kernel's `readBodyText`): the value, `undefined` for an empty body, or the
 * error (413, or 400 for bad JSON).
 */
export async function readJson(request: Request, maxBytes: number): Promise<{ value: unknown } | { error: ArmorError }> {
  const read = await readBodyText(request, maxBytes);
  if (read.tooLarge) return { error: tooLarge(maxBytes) };
  if (read.bytes === 0) return { value: undefined };
  try {
    return { value: JSON.parse(read.text) as unknown };
  } catch {
    return { error: new ValidationError('Request body is not valid JSON', { issues: [{ path: '/body', message: 'Invalid JSON', code: 'invalid_json' }] }) };
  }
}
