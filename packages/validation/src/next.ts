/**
 * `@armor/validation/next`: request validation for Next.js (App Router) route handlers. The JSON
 * body (at most `maxBytes`, 413 beyond), the query and the route params (Next's second
 * argument, `{ params }`) are checked against structure limits, then zod schemas; the handler
 * receives the parsed values. Web-standard only (no import of `next`): Node and edge runtimes.
 *
 * @module
 */
import { problemResponse } from '@armor/errors';
import type { z } from 'zod';
import { createValidator, queryOf, readJson, type AdapterValidateOptions, type Out, type Validated } from './web-validate.js';

/** Options of {@link withValidation}. */
export type NextValidateOptions<B extends z.ZodType | undefined, Q extends z.ZodType | undefined, P extends z.ZodType | undefined> = Omit<AdapterValidateOptions<B, Q, P>, 'onError'>;

/** Next's second route-handler argument. */
export interface RouteContext {
  params?: Promise<Record<string, string | string[]>> | Record<string, string | string[]>;
}

/**
 * Wraps a route handler; the handler gets the parsed values (`valid.body`, `valid.query`,
 * `valid.params`) and the original request (whose body has been read).
 *
 * @example
 * ```ts no-run
 * export const POST = withValidation({ body: z.object({ name: z.string().max(20) }) }, async (valid) => Response.json(valid.body, { status: 201 }));
 * ```
 */
export function withValidation<B extends z.ZodType | undefined = undefined, Q extends z.ZodType | undefined = undefined, P extends z.ZodType | undefined = undefined>(
  options: NextValidateOptions<B, Q, P>,
  route: (valid: Validated<Out<B, unknown>, Out<Q, Record<string, unknown>>, Out<P, Record<string, string>>>, request: Request, context: RouteContext) => Response | Promise<Response>,
): (request: Request, context?: RouteContext) => Promise<Response> {
  const validator = createValidator('withValidation', options);
  return async (request, context = {}) => {
    const instance = new URL(request.url).pathname;
    let body: unknown;
    if (validator.hasBody) {
      const read = await readJson(request, validator.maxBytes);
      if ('error' in read) return problemResponse(read.error, { instance });
      body = read.value;
    }
    const parsed = validator.parse({ body, query: queryOf(request.url), params: (await context.params) ?? {} });
    if ('error' in parsed) return problemResponse(parsed.error, { instance });
    return route(parsed.values as unknown as Validated<Out<B, unknown>, Out<Q, Record<string, unknown>>, Out<P, Record<string, string>>>, request, context);
  };
}
