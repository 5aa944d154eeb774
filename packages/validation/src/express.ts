/**
 * Express adapter: `validate({ body, query, params })` middleware that parses each part with a
 * zod schema, replaces it with the typed value, and answers `400 application/problem+json`
 * (with every issue, paths such as `/body/items/0/name`) when anything is wrong.
 *
 * @module
 */
import { ValidationError, problemHeaders, toProblemDetails, type ValidationIssue } from '@armor/errors';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { z } from 'zod';
import { limits as createLimits, type LimitsOptions, type StructureGuard } from './limits.js';
import { toIssues } from './parse.js';
import { checkOneOf, checkOptions, checkRequired } from '@armor/core';
import { assertZod4 } from './zod-version.js';

/** Options of {@link validate}. */
export interface ValidateOptions<B extends z.ZodType | undefined, Q extends z.ZodType | undefined, P extends z.ZodType | undefined> {
  /** Schema for `req.body` (parse the body first, e.g. `express.json()`). @default undefined (not validated) */
  body?: B;
  /** Schema for `req.query` (values are strings or arrays of strings). @default undefined (not validated) */
  query?: Q;
  /** Schema for `req.params` (strings). @default undefined (not validated) */
  params?: P;
  /**
   * Structural limits checked on `body` and `query` before their schemas run (see `limits()`),
   * or `false` to skip. @default limits() — maxDepth 32, maxKeys 10,000, maxStringLength 100,000
   */
  limits?: LimitsOptions | StructureGuard | false | undefined;
  /**
   * `'respond'` answers 400 problem+json itself; `'next'` calls `next(validationError)` so your
   * error middleware (e.g. `@armor/errors/express`) answers. @default 'respond'
   */
  onError?: 'respond' | 'next' | undefined;
}

type Out<S, Fallback> = S extends z.ZodType ? z.output<S> : Fallback;

/** The request handler type produced by {@link validate}: `req.body`, `req.query`, `req.params` typed. */
export type ValidatedHandler<B, Q, P> = RequestHandler<Out<P, Record<string, string>>, unknown, Out<B, unknown>, Out<Q, Record<string, unknown>>>;

/**
 * Replaces `req[name]` with the parsed value. `params` and `body` are plain data properties in
 * Express (a plain assignment, the cheap path); Express 5 defines `req.query` as a getter, and
 * anything else that will not take an assignment is shadowed with an own property.
 */
function setPart(req: Request, name: 'params' | 'query' | 'body', value: unknown): void {
  const target = req as unknown as Record<string, unknown>;
  if (name !== 'query') {
    try {
      target[name] = value;
      if (target[name] === value) return;
    } catch {
      // a getter without a setter: shadow it below
    }
  }
  Object.defineProperty(req, name, { value, writable: true, configurable: true, enumerable: true });
}

function isGuard(value: unknown): value is StructureGuard {
  return typeof value === 'object' && value !== null && typeof (value as StructureGuard).check === 'function';
}

/**
 * Validates `req.params`, `req.query` and `req.body` with zod schemas. On success each part is
 * replaced by the parsed value (typed for handlers chained after it); on failure the request
 * gets `400 application/problem+json` listing every issue of every part. Bodies and query strings
 * are first checked against structural `limits`.
 *
 * @example
 * ```ts
 * import { validate } from '@armor/validation/express';
 * app.post('/projects/:id', express.json(), validate({
 *   params: z.object({ id: schemas.id() }),
 *   query: schemas.pagination(),
 *   body: z.object({ name: schemas.safeString({ max: 80 }) }),
 * }), (req, res) => {
 *   req.body.name; // string
 *   req.query.limit; // number
 * });
 * ```
 */
export function validate<B extends z.ZodType | undefined = undefined, Q extends z.ZodType | undefined = undefined, P extends z.ZodType | undefined = undefined>(
  options: ValidateOptions<B, Q, P>,
): ValidatedHandler<B, Q, P> {
  checkRequired('options', options, 'an object with body, query and/or params schemas');
  checkOptions('validate', options, ['body', 'query', 'params', 'limits', 'onError']);
  checkOneOf('onError', options.onError, ['respond', 'next']);
  const guard: StructureGuard | undefined =
    options.limits === false ? undefined : isGuard(options.limits) ? options.limits : createLimits(options.limits ?? {});
  const respond = (options.onError ?? 'respond') === 'respond';
  type Part = { name: 'params' | 'query' | 'body'; schema: z.ZodType; prefix: string; guarded: boolean };
  const parts: Part[] = [];
  const add = (name: Part['name'], schema: z.ZodType) => {
    assertZod4(schema, name); // at construction: a zod 3 schema is a configuration error, not a 400
    parts.push({ name, schema, prefix: `/${name}`, guarded: guard !== undefined && name !== 'params' });
  };
  if (options.params !== undefined) add('params', options.params);
  if (options.query !== undefined) add('query', options.query);
  if (options.body !== undefined) add('body', options.body);
  const count = parts.length;

  const handler = (req: Request, res: Response, next: NextFunction) => {
    // Parsed values by part index; nothing on the request changes unless every part is valid
    // (a part that fails adds to `issues`, so `issues === undefined` means every part parsed).
    const values: unknown[] = new Array(count);
    let issues: ValidationIssue[] | undefined;
    for (let i = 0; i < count; i++) {
      const { name, schema, prefix, guarded } = parts[i]!;
      const input: unknown = req[name];
      if (guarded) {
        const issue = guard!.check(input, prefix);
        if (issue !== undefined) {
          (issues ??= []).push(issue);
          continue;
        }
      }
      try {
        const result = schema.safeParse(input);
        if (result.success) values[i] = result.data;
        else (issues ??= []).push(...toIssues(result.error.issues, prefix));
      } catch (error) {
        if (error instanceof RangeError) (issues ??= []).push({ path: prefix, message: 'Input is nested too deeply', code: 'too_deep' });
        else {
          next(error);
          return;
        }
      }
    }
    if (issues !== undefined) {
      const error = new ValidationError('Request validation failed', { issues });
      if (!respond) {
        next(error);
        return;
      }
      const problem = toProblemDetails(error, { instance: req.path });
      res.status(400).set(problemHeaders(error)).send(JSON.stringify(problem));
      return;
    }
    for (let i = 0; i < count; i++) setPart(req, parts[i]!.name, values[i]);
    next();
  };
  return handler as unknown as ValidatedHandler<B, Q, P>;
}
