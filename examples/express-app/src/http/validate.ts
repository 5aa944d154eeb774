/**
 * Request validation helpers: zod schemas for every route's params, query and body, with
 * failures turned into `ValidationError`s (400, JSON-pointer paths).
 *
 * @module
 */
import { ValidationError } from '@armor/errors';
import { z } from 'zod';

/** Rejects control characters (NUL breaks Postgres text; the rest are never legitimate here). */
const noControl = (s: string) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u202a-\u202e\u2066-\u2069]/.test(s);

/** A trimmed, NFC-normalized single-line string without control or bidi-override characters. */
export const text = (max: number) =>
  z
    .string()
    .transform((s) => s.normalize('NFC').trim())
    .pipe(z.string().min(1, 'must not be empty').max(max, `must be at most ${max} characters`).refine(noControl, 'must not contain control characters'));

/** A UUID path parameter. */
export const uuid = z.uuid({ error: 'must be a UUID' });

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
