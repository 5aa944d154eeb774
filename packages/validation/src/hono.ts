/**
 * `@armor/validation/hono`: request validation as a Hono `MiddlewareHandler`: the JSON body (at
 * most `maxBytes`, 413 beyond), the query and the route params are checked against structure
 * limits, then zod schemas; the parsed values are a typed context variable (`c.var.valid`).
 * Failures are 400 problem+json with field paths (values never echoed). Imports Hono's types only.
 *
 * @module
 */
import { problemResponse } from '@armor/errors';
import type { MiddlewareHandler } from 'hono';
import type { z } from 'zod';
import { createValidator, queryOf, readJson, type AdapterValidateOptions, type Out, type Validated } from './web-validate.js';

/** The context variables {@link validate} sets: `c.var.valid` with the parsed body, query and params. */
export interface ValidationVariables<B = unknown, Q = Record<string, unknown>, P = Record<string, string>> {
  valid: Validated<B, Q, P>;
}

/** Options of {@link validate} (Hono). */
export type HonoValidateOptions<B extends z.ZodType | undefined, Q extends z.ZodType | undefined, P extends z.ZodType | undefined> = AdapterValidateOptions<B, Q, P>;

/**
 * Validates the request of a route.
 *
 * @example
 * ```ts no-run
 * app.post('/items', validate({ body: z.object({ name: z.string().max(20) }) }), (c) => c.json(c.var.valid.body, 201));
 * ```
 */
export function validate<B extends z.ZodType | undefined = undefined, Q extends z.ZodType | undefined = undefined, P extends z.ZodType | undefined = undefined>(
  options: HonoValidateOptions<B, Q, P>,
): MiddlewareHandler<{ Variables: ValidationVariables<Out<B, unknown>, Out<Q, Record<string, unknown>>, Out<P, Record<string, string>>> }> {
  const validator = createValidator('validate', options);
  return async (c, next) => {
    let body: unknown;
    if (validator.hasBody) {
      const read = await readJson(c.req.raw, validator.maxBytes);
      if ('error' in read) {
        if (validator.toNext) throw read.error;
        return problemResponse(read.error, { instance: c.req.path });
      }
      body = read.value;
    }
    const parsed = validator.parse({ body, query: queryOf(c.req.url), params: c.req.param() });
    if ('error' in parsed) {
      if (validator.toNext) throw parsed.error;
      return problemResponse(parsed.error, { instance: c.req.path });
    }
    c.set('valid', parsed.values as unknown as Validated<Out<B, unknown>, Out<Q, Record<string, unknown>>, Out<P, Record<string, string>>>);
    await next();
  };
}
