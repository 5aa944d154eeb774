/**
 * Small HTTP helpers of the service: the JSON content-type guard (415), cookie reading,
 * the Node `clientError` answer (431/400 as problem+json), and a JSON logger.
 *
 * @module
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Request, RequestHandler } from 'express';
import { ArmorError, toProblemDetails } from '@armor/errors';

/** Methods whose requests may carry a body; anything with a body must be JSON. */
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Whether the request carries a body: a `Transfer-Encoding`, or a `Content-Length` above 0.
 * `Content-Length: 0` (and no length at all) is no body. The one test used both for
 * the 415 check and in front of the JSON parser ({@link jsonBodies}), so the two never disagree.
 */
export function hasBody(req: IncomingMessage): boolean {
  if (req.headers['transfer-encoding'] !== undefined) return true;
  // Number(undefined) is NaN, and NaN > 0 is false.
  return Number(req.headers['content-length']) > 0;
}

function unsupportedMediaType(req: Request): ArmorError {
  return new ArmorError('UNSUPPORTED_MEDIA_TYPE', 'Request bodies must be application/json', { details: { received: String(req.headers['content-type'] ?? 'none').slice(0, 100) } });
}

/**
 * 415 for a request body that is not `application/json` on a POST, PUT, PATCH or DELETE (an
 * empty body is fine), then `parse` (e.g. `express.json()`), in one middleware: requests without
 * a body ({@link hasBody}: most GETs, and `Content-Length: 0`) skip both, without the work the
 * parser does first (adding `req.body = undefined`).
 */
export function jsonBodies(parse: RequestHandler): RequestHandler {
  return (req, res, next) => {
    if (!hasBody(req)) return next();
    if (BODY_METHODS.has(req.method) && !req.is('application/json')) return next(unsupportedMediaType(req));
    parse(req, res, next);
  };
}

/**
 * Runs `routes` (a router of GET routes) only for GET and HEAD requests whose path `prefix`
 * matches, and passes every other request on at once: one test instead of a router layer per
 * route for each request that cannot match. `prefix` must match every path the routes answer
 * (Express matches paths case-insensitively by default: use the `i` flag). Other methods never
 * enter, so the router's automatic OPTIONS answer never replaces what the app would answer.
 */
export function getsUnder(prefix: RegExp, routes: RequestHandler): RequestHandler {
  return (req, res, next) => ((req.method === 'GET' || req.method === 'HEAD') && prefix.test(req.path) ? routes(req, res, next) : next());
}

/**
 * Runs `handlers` one after the other as one middleware, with Express's own semantics for each
 * (a thrown error or a rejected promise goes to `next(error)`, `next('route')` moves on to the
 * following handler, `next('router')` leaves the router): one router layer instead of one per
 * handler, for chains every request of a path walks through.
 */
export function series(...handlers: RequestHandler[]): RequestHandler {
  return (req, res, next) => new Series(handlers, req, res, next).step();
}

/**
 * One walk of a {@link series}. A class, not a closure per request: the `step` callback is bound
 * once per request, and no function is created (or named, under tsx's `keepNames`) per step.
 */
class Series {
  private i = 0;
  /** {@link Series.step} bound to this walk: the `next` every handler gets. */
  private readonly advance: (signal?: unknown) => void;
  constructor(
    private readonly handlers: readonly RequestHandler[],
    private readonly req: Parameters<RequestHandler>[0],
    private readonly res: Parameters<RequestHandler>[1],
    private readonly next: Parameters<RequestHandler>[2],
  ) {
    this.advance = this.step.bind(this);
  }

  /** The `next` each handler gets: runs the following handler, or leaves the series. */
  step(signal?: unknown): void {
    if (signal !== undefined && signal !== null && signal !== 'route') {
      this.next(signal);
      return;
    }
    if (this.i === this.handlers.length) {
      this.next();
      return;
    }
    const handler = this.handlers[this.i++]!;
    try {
      const result: unknown = handler(this.req, this.res, this.advance);
      if (result instanceof Promise) result.then(undefined, (error: unknown) => this.next(error ?? new Error('Rejected promise')));
    } catch (error) {
      this.next(error);
    }
  }
}

/** Reads one cookie from the `Cookie` header (no dependency on cookie-parser). */
export function readCookie(req: Request, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/** A structured JSON logger on stdout/stderr. */
export function jsonLogger() {
  const write = (level: string, entry: object) => {
    const line = JSON.stringify({ level, time: new Date().toISOString(), ...entry });
    if (level === 'error') process.stderr.write(`${line}\n`);
    else process.stdout.write(`${line}\n`);
  };
  return {
    error: (entry: object) => write('error', entry),
    warn: (entry: object) => write('warn', entry),
    info: (entry: object) => write('info', entry),
  };
}

/**
 * Answers requests Node rejects before Express sees them (headers over 16 KB, malformed
 * request lines) with problem+json instead of an empty 400/431.
 */
export function installClientErrorHandler(server: Server): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) return socket.destroy();
    const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    const problem = toProblemDetails(new ArmorError(status === 408 ? 'REQUEST_TIMEOUT' : 'BAD_REQUEST', status === 431 ? 'Request headers or URL too large' : 'Malformed HTTP request', { status }));
    const body = JSON.stringify({ ...problem, status, title: status === 431 ? 'Request Header Fields Too Large' : problem.title });
    socket.end(
      `HTTP/1.1 ${status} ${status === 431 ? 'Request Header Fields Too Large' : status === 408 ? 'Request Timeout' : 'Bad Request'}\r\n` +
        `Content-Type: application/problem+json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}
