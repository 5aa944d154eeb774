/**
 * Turns a zod failure found inside a handler (e.g. an opaque cursor that decodes to nothing)
 * into the same `ValidationError` (400, JSON-pointer paths) that `@armor/validation`'s
 * `validate()` middleware produces for params, query and body.
 *
 * @module
 */
import { ValidationError } from '@armor/errors';
import type { z } from 'zod';

/** Parses `value` with `schema` or throws a `ValidationError` whose paths start with `prefix`. */
export function parse<S extends z.ZodType>(schema: S, value: unknown, prefix: '' | '/body' | '/query' | '/params' = ''): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new ValidationError('Request validation failed', {
    issues: result.error.issues.map((i) => ({
      path: prefix + i.path.map((p) => `/${String(p).replace(/~/g, '~0').replace(/\//g, '~1')}`).join(''),
      message: i.message,
      code: i.code,
    })),
  });
}
