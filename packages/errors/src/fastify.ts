/**
 * Fastify adapter: a plugin (`fastify-plugin`, so it applies to the whole app) that answers every
 * error and unmatched route with problem+json through the central handler. Fastify's own errors
 * (schema validation → 400, body too large → 413, bad JSON → 400, unsupported media type → 415)
 * keep their status. Imports Fastify's types only.
 *
 * @module
 */
import type { FastifyPluginCallback } from 'fastify';
import fp from 'fastify-plugin';
import { NotFoundError, ValidationError } from './classes.js';
import { createErrorHandler, type ErrorHandler, type ErrorHandlerOptions } from './handler.js';

/** Options of {@link armorErrors}. */
export type FastifyErrorOptions = ErrorHandlerOptions & {
  /** Reuse a handler created with `createErrorHandler` (its options win). */
  handler?: ErrorHandler | undefined;
};

interface FastifyValidationError {
  validation?: { instancePath?: string; message?: string; keyword?: string }[];
  validationContext?: string;
}

/** Fastify's schema errors as a {@link ValidationError} with field paths (no values echoed). */
function fromFastify(error: unknown): unknown {
  const v = (error as FastifyValidationError | null)?.validation;
  if (!Array.isArray(v)) return error;
  const where = (error as FastifyValidationError).validationContext ?? 'body';
  return new ValidationError('Validation failed', {
    cause: error,
    issues: v.map((item) => ({ path: `/${where}${item.instancePath ?? ''}`, message: item.message ?? 'invalid', code: item.keyword ?? 'invalid' })),
  });
}

const plugin: FastifyPluginCallback<FastifyErrorOptions> = (fastify, options, done) => {
  const handler = options.handler ?? createErrorHandler(options);
  const send = (error: unknown, url: string, method: string, reply: { code(n: number): unknown; headers(h: Record<string, string>): unknown; send(b: string): unknown }) => {
    const path = url.split('?')[0];
    const handled = handler.handle(fromFastify(error), { instance: path, log: { method } });
    reply.code(handled.status);
    reply.headers(handled.headers);
    return reply.send(JSON.stringify(handled.body));
  };
  fastify.setErrorHandler((error, request, reply) => send(error, request.url, request.method, reply));
  fastify.setNotFoundHandler((request, reply) => send(new NotFoundError('Route not found'), request.url, request.method, reply));
  done();
};

/**
 * The Fastify plugin.
 *
 * @example
 * ```ts no-run
 * await app.register(armorErrors, { logger: console });
 * ```
 */
export const armorErrors = fp(plugin, { fastify: '5.x', name: '@armor/errors' });
