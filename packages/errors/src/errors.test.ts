import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import {
  ArmorError,
  ConfigurationError,
  ERROR_STATUS,
  InternalError,
  NotFoundError,
  RateLimitError,
  ValidationError,
  createErrorHandler,
  fingerprint,
  fromUnknown,
  invalidType,
  isArmorError,
  problemResponse,
  toProblemDetails,
  parseRetryAfter,
  BadRequestError,
  AuthenticationError,
  AuthorizationError,
  ConflictError,
  PayloadTooLargeError,
  DatabaseError,
  ExternalServiceError,
  ServiceUnavailableError,
  CircuitOpenError,
  TimeoutError,
  type ProblemDetails,
} from './index.js';

describe('ArmorError classes', () => {
  it.each([
    [BadRequestError, 400, 'BAD_REQUEST'],
    [ValidationError, 400, 'VALIDATION_FAILED'],
    [AuthenticationError, 401, 'UNAUTHENTICATED'],
    [AuthorizationError, 403, 'FORBIDDEN'],
    [NotFoundError, 404, 'NOT_FOUND'],
    [ConflictError, 409, 'CONFLICT'],
    [PayloadTooLargeError, 413, 'PAYLOAD_TOO_LARGE'],
    [RateLimitError, 429, 'RATE_LIMITED'],
    [InternalError, 500, 'INTERNAL'],
    [DatabaseError, 500, 'DATABASE_ERROR'],
    [ExternalServiceError, 502, 'EXTERNAL_SERVICE_ERROR'],
    [ServiceUnavailableError, 503, 'SERVICE_UNAVAILABLE'],
    [CircuitOpenError, 503, 'CIRCUIT_OPEN'],
    [TimeoutError, 504, 'TIMEOUT'],
  ] as const)('%o has status %i and code %s', (Cls, status, code) => {
    const error = new Cls();
    expect(error).toBeInstanceOf(ArmorError);
    expect(error).toBeInstanceOf(Error);
    expect(error.status).toBe(status);
    expect(error.code).toBe(code);
    expect(error.name).toBe(Cls.name);
    expect(error.expose).toBe(status < 500);
    expect(error.retryable).toBe([429, 502, 503, 504].includes(status));
    expect(ERROR_STATUS[code]).toBe(status);
  });

  it('keeps cause, details and retryAfterMs; toJSON is plain data', () => {
    const cause = new Error('root');
    const error = new RateLimitError('slow down', { cause, details: { key: 'ip' }, retryAfterMs: 1500 });
    expect(error.cause).toBe(cause);
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      name: 'RateLimitError',
      code: 'RATE_LIMITED',
      status: 429,
      message: 'slow down',
      expose: true,
      retryable: true,
      details: { key: 'ip' },
      retryAfterMs: 1500,
    });
  });

  it('ignores invalid retryAfterMs', () => {
    expect(new RateLimitError('x', { retryAfterMs: Number.NaN }).retryAfterMs).toBeUndefined();
    expect(new RateLimitError('x', { retryAfterMs: -1 }).retryAfterMs).toBeUndefined();
  });

  it('ConfigurationError names the option and the received value', () => {
    const error = new ConfigurationError('maxAttempts', 'must be an integer >= 1', { received: -1 });
    expect(error.message).toBe('Invalid option "maxAttempts": must be an integer >= 1 (received -1)');
    expect(error.option).toBe('maxAttempts');
    expect(error.details).toEqual({ option: 'maxAttempts' });
    expect(error.status).toBe(500);
    expect(new ConfigurationError('fn', 'must be a function', { received: 'x' }).message).toContain('(received "x")');
  });

  it('isArmorError works across copies (marker, not instanceof) and checks codes', () => {
    const foreign = Object.assign(new Error('x'), { [Symbol.for('armor.error')]: true, code: 'NOT_FOUND' });
    expect(isArmorError(foreign)).toBe(true);
    expect(isArmorError(foreign, 'NOT_FOUND')).toBe(true);
    expect(isArmorError(foreign, 'CONFLICT')).toBe(false);
    expect(isArmorError(new Error('x'))).toBe(false);
    expect(isArmorError(null)).toBe(false);
    const hostile = new Proxy({}, { get: () => { throw new Error('trap'); } });
    expect(isArmorError(hostile)).toBe(false);
  });

  it.each([
    [42, 'number'],
    [undefined, 'undefined'],
    [null, 'null'],
    [{ id: 1 }, 'object'],
    [['a'], 'array'],
    [new Date(0), 'Date'],
    [() => 1, 'function'],
  ])('invalidType(%o) is a 400 ValidationError with one invalid_type issue naming the type %s', (value, type) => {
    const error = invalidType('fn expects x to be a string', 'a string', value);
    expect(error).toBeInstanceOf(ValidationError);
    expect(isArmorError(error, 'VALIDATION_FAILED')).toBe(true);
    expect(error).toMatchObject({ status: 400, expose: true, message: 'fn expects x to be a string' });
    expect(error.issues).toEqual([{ path: '', message: `Expected a string, received ${type}`, code: 'invalid_type' }]);
    expect(invalidType('m', 'an array', 'x', '/scopes').issues).toEqual([{ path: '/scopes', message: 'Expected an array, received string', code: 'invalid_type' }]);
  });
});

describe('fromUnknown', () => {
  it('returns Armor errors unchanged', () => {
    const error = new NotFoundError('gone');
    expect(fromUnknown(error)).toBe(error);
  });

  it('wraps plain errors as non-exposed INTERNAL with the cause kept', () => {
    const cause = new Error('db password=hunter2');
    const error = fromUnknown(cause);
    expect(error.code).toBe('INTERNAL');
    expect(error.expose).toBe(false);
    expect(error.cause).toBe(cause);
    expect(toProblemDetails(error).detail).toBe('An internal error occurred.');
  });

  it('maps http-errors objects (body parsers)', () => {
    const parse = Object.assign(new SyntaxError('Unexpected token } in JSON at position 9'), {
      status: 400,
      statusCode: 400,
      expose: true,
      type: 'entity.parse.failed',
    });
    const mapped = fromUnknown(parse);
    expect(mapped.status).toBe(400);
    expect(mapped.code).toBe('BAD_REQUEST');
    expect(mapped.message).toBe('Malformed request body');
    const big = fromUnknown(Object.assign(new Error('request entity too large'), { status: 413, expose: true, type: 'entity.too.large' }));
    expect(big.code).toBe('PAYLOAD_TOO_LARGE');
    const bareStatus = fromUnknown(Object.assign(new URIError("Failed to decode param '%E0%A4%A'"), { status: 400 }));
    expect(bareStatus.status).toBe(400);
    expect(bareStatus.code).toBe('BAD_REQUEST');
    expect(bareStatus.message).toBe('Bad Request');
    expect(fromUnknown({ status: 404, message: 'plain object' }).status).toBe(500);
    const hidden = fromUnknown(Object.assign(new Error('secret'), { status: 500, expose: false }));
    expect(hidden.expose).toBe(false);
  });

  it('rebuilds Armor-shaped data, including validation issues', () => {
    const error = fromUnknown({ armor: true, code: 'VALIDATION_FAILED', message: 'bad', issues: [{ path: '/name', message: 'Required', code: 'invalid_type' }] });
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues).toEqual([{ path: '/name', message: 'Required', code: 'invalid_type' }]);
  });

  it('reads Armor data carried by a ConvexError-shaped error', () => {
    const error = fromUnknown(Object.assign(new Error('[CONVEX Q(x)] Uncaught ConvexError'), { data: { armor: true, code: 'NOT_FOUND', status: 404, message: 'Project not found' } }));
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error.message).toBe('Project not found');
  });

  it('handles DOM timeout errors', () => {
    const error = fromUnknown(Object.assign(new Error('signal timed out'), { name: 'TimeoutError' }));
    expect(error.code).toBe('TIMEOUT');
  });

  it('never throws: circular causes, throwing getters, proxies, odd primitives', () => {
    const circular: Record<string, unknown> = { message: 'loop' };
    circular.cause = circular;
    const getter = Object.defineProperty(new Error('x'), 'message', { get() { throw new Error('boom'); } });
    const proxy = new Proxy({}, { get() { throw new Error('trap'); }, has() { throw new Error('trap'); } });
    for (const value of [undefined, null, 0, Number.NaN, 1n, Symbol('s'), '', 'text', [], {}, circular, getter, proxy, () => 1]) {
      const error = fromUnknown(value);
      expect(error).toBeInstanceOf(ArmorError);
      expect(error.status).toBe(500);
    }
  });

  it('an Error whose cause chain loops back to itself normalizes, serializes and renders', () => {
    const a = new Error('outer failure');
    const b = new Error('inner failure', { cause: a });
    (a as { cause?: unknown }).cause = b;
    const error = fromUnknown(a);
    expect(error).toBeInstanceOf(ArmorError);
    expect(error.status).toBe(500);
    expect(() => JSON.stringify(error.toJSON())).not.toThrow();
    expect(() => fingerprint(error)).not.toThrow();
    const problem = toProblemDetails(error);
    expect(problem.detail).not.toContain('failure');
    const armorLoop = new InternalError('loop');
    (armorLoop as { cause?: unknown }).cause = armorLoop;
    expect(() => JSON.stringify(fromUnknown(armorLoop).toJSON())).not.toThrow();
    expect(() => createErrorHandler({ logger: { error: () => undefined } }).handle(a)).not.toThrow();
  });
});

const isValidProblem = (p: ProblemDetails) =>
  typeof p.type === 'string' &&
  typeof p.title === 'string' &&
  Number.isInteger(p.status) &&
  p.status >= 400 &&
  p.status <= 599 &&
  typeof p.detail === 'string' &&
  typeof p.code === 'string';

describe('toProblemDetails', () => {
  it('property: any thrown value becomes a valid problem; 5xx never leak internal text', () => {
    const secret = 'SECRET-INTERNAL-TEXT';
    const thrownValue = fc.oneof(
      fc.anything(),
      fc.string().map((s) => new Error(secret + s)),
      fc.string().map((s) => `${secret}${s}`),
      fc.record({ message: fc.constant(secret), status: fc.integer({ min: -10, max: 1000 }), expose: fc.boolean() }),
      fc.record({ armor: fc.constant(true), code: fc.constantFrom(...Object.keys(ERROR_STATUS)), message: fc.constant(secret) }),
      fc.constantFrom(...Object.keys(ERROR_STATUS)).map((code) => new ArmorError(code as never, secret)),
    );
    fc.assert(
      fc.property(thrownValue, (thrown) => {
        const problem = toProblemDetails(fromUnknown(thrown));
        expect(isValidProblem(problem)).toBe(true);
        if (problem.status >= 500) expect(JSON.stringify(problem)).not.toContain(secret);
        expect(() => JSON.stringify(problem)).not.toThrow();
      }),
      { numRuns: 500 },
    );
  });

  it('exposes 4xx messages, validation errors and details', () => {
    const problem = toProblemDetails(
      new ValidationError('Invalid body', { issues: [{ path: '/name', message: 'Required', code: 'invalid_type' }] }),
      { instance: '/projects' },
    );
    expect(problem).toEqual({
      type: 'about:blank',
      title: 'Bad Request',
      status: 400,
      detail: 'Invalid body',
      code: 'VALIDATION_FAILED',
      instance: '/projects',
      errors: [{ path: '/name', message: 'Required', code: 'invalid_type' }],
    });
  });

  it('uses typeBaseUrl and includeStack when asked', () => {
    const problem = toProblemDetails(new InternalError('db down'), { typeBaseUrl: 'https://errors.example.com/', includeStack: true });
    expect(problem.type).toBe('https://errors.example.com/internal');
    expect(problem.detail).toBe('db down');
    expect(problem.stack).toContain('db down');
  });

  it('problemResponse sets content type and Retry-After (seconds, rounded up)', async () => {
    const response = problemResponse(new RateLimitError('slow', { retryAfterMs: 1200 }));
    expect(response.status).toBe(429);
    expect(response.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
    expect(response.headers.get('retry-after')).toBe('2');
    expect((await response.json()).code).toBe('RATE_LIMITED');
    expect(problemResponse(new NotFoundError()).headers.get('retry-after')).toBeNull();
  });
});

describe('parseRetryAfter', () => {
  it('reads delta-seconds (string or number) and HTTP dates; rejects junk', () => {
    const now = Date.parse('Wed, 25 Nov 2026 10:00:00 GMT');
    expect(parseRetryAfter('2', now)).toBe(2000);
    expect(parseRetryAfter(' 1.5 ', now)).toBe(1500);
    expect(parseRetryAfter(3, now)).toBe(3000);
    expect(parseRetryAfter('Wed, 25 Nov 2026 10:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('Wed, 25 Nov 2026 09:00:00 GMT', now)).toBe(0);
    for (const bad of ['', 'soon', '-1', null, undefined, -1, Number.NaN]) expect(parseRetryAfter(bad, now)).toBeUndefined();
  });
});

describe('fingerprint', () => {
  function make(message: string) {
    return new NotFoundError(message);
  }
  it('groups messages that differ only in ids and numbers', () => {
    expect(fingerprint(make('User 42 not found'))).toBe(fingerprint(make('User 7 not found')));
    expect(fingerprint(make('Row 3f2a9c1e-1111-4a2b-9c3d-123456789abc gone'))).toBe(fingerprint(make('Row 00000000-1111-4a2b-9c3d-123456789abc gone')));
    expect(fingerprint(make('User 42 not found'))).not.toBe(fingerprint(make('Project 42 not found')));
    expect(fingerprint(make('x'))).toMatch(/^[0-9a-f]{16}$/);
  });
  it('differs by code and by throw site', () => {
    const a = new NotFoundError('same');
    const b = new ConflictError('same');
    expect(fingerprint(a)).not.toBe(fingerprint(b));
    const site1 = () => fromUnknown(new Error('boom'));
    const site2 = () => fromUnknown(new Error('boom'));
    expect(fingerprint(site1())).toBe(fingerprint(site1()));
    expect(fingerprint(site1())).not.toBe(fingerprint(site2()));
  });
});

describe('createErrorHandler', () => {
  it('logs 5xx once with redaction, calls onError once, answers generically', () => {
    const logger = { error: vi.fn(), warn: vi.fn() };
    const onError = vi.fn();
    const handler = createErrorHandler({
      logger,
      onError,
      redact: (entry) => ({ ...entry, msg: entry.msg.replace(/password=\S+/, 'password=[REDACTED]') }),
    });
    const thrown = new InternalError('db password=hunter2');
    const first = handler.handle(thrown, { instance: '/x' });
    handler.handle(thrown);
    expect(first.status).toBe(500);
    expect(first.body.detail).toBe('An internal error occurred.');
    expect(first.headers['content-type']).toContain('application/problem+json');
    expect(logger.error).toHaveBeenCalledTimes(1);
    expect(logger.error.mock.calls[0]![0].msg).toBe('INTERNAL: db password=[REDACTED]');
    expect(logger.error.mock.calls[0]![0].fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(onError).toHaveBeenCalledTimes(1);
  });

  it('logs 4xx as warnings and survives throwing loggers and reporters', async () => {
    const handler = createErrorHandler({
      logger: { error: () => { throw new Error('x'); }, warn: () => { throw new Error('y'); } },
      onError: () => { throw new Error('z'); },
    });
    expect(handler.handle(new NotFoundError('nope')).status).toBe(404);
    expect(handler.handle('string thrown').status).toBe(500);
    const response = handler.toResponse(new ServiceUnavailableError('later', { retryAfterMs: 3000 }));
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('3');
    expect((await response.json()).detail).toBe('The service is temporarily unavailable. Please try again later.');
  });

  it('logClientErrors: false keeps 4xx out of the log but still reports them', () => {
    const logger = { error: vi.fn(), warn: vi.fn() };
    const onError = vi.fn();
    const quiet = createErrorHandler({ logger, onError, logClientErrors: false });
    quiet.handle(new NotFoundError('nope'));
    quiet.handle(new InternalError('boom'));
    expect(logger.warn).not.toHaveBeenCalled();
    expect(logger.error).toHaveBeenCalledTimes(1);
    expect(onError).toHaveBeenCalledTimes(2);
    const loud = createErrorHandler({ logger });
    loud.handle(new NotFoundError('nope'));
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(logger.warn.mock.calls[0]![0]).toMatchObject({ level: 'warn', msg: 'NOT_FOUND: nope' });
  });

  it('includeStack passes through the handler: 5xx detail and stack only when asked', () => {
    const thrown = new InternalError('db password=hunter2');
    const plain = createErrorHandler().handle(thrown).body;
    expect(plain.detail).toBe('An internal error occurred.');
    expect(plain.stack).toBeUndefined();
    const dev = createErrorHandler({ includeStack: true }).handle(thrown).body;
    expect(dev.detail).toBe('db password=hunter2');
    expect(dev.stack).toContain('InternalError');
  });
});

describe('hostile values (issue 17 item 7)', () => {
  const throwing = () => {
    throw new Error('getter says no');
  };

  it('an Error whose message/name/stack getters throw is still logged (500) and the handler does not throw', () => {
    const hostile = new Error('x');
    for (const key of ['stack', 'message', 'name']) Object.defineProperty(hostile, key, { get: throwing }); // stack first: V8 formats it lazily from name and message
    const logged: Record<string, unknown>[] = [];
    const handler = createErrorHandler({ logger: { error: (e) => logged.push(e) } });
    const handled = handler.handle(hostile);
    expect(handled.status).toBe(500);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ level: 'error', msg: expect.stringMatching(/^INTERNAL: /) as unknown, cause: '(unreadable cause)' });
  });

  it('a forged marker object whose status getter throws does not make the handler throw', () => {
    const forged = { [Symbol.for('armor.error')]: true, code: 'NOT_FOUND', message: 'nope', get status(): number { throw new Error('trap'); } };
    const logged: unknown[] = [];
    const handler = createErrorHandler({ logger: { error: (e) => logged.push(e), warn: (e) => logged.push(e) } });
    const handled = handler.handle(forged);
    // rebuilt from what reads: the code is one of ours, the status comes from the code table
    expect(handled.status).toBe(404);
    expect(handled.body).toMatchObject({ status: 404, code: 'NOT_FOUND' });
    expect(logged).toHaveLength(1);
    expect(() => handler.toResponse(forged)).not.toThrow();
    // a well-formed error from another copy is still returned as it is
    const foreign = Object.assign(new Error('gone'), { [Symbol.for('armor.error')]: true, code: 'NOT_FOUND', status: 404, expose: true, retryable: false, details: undefined, retryAfterMs: undefined, toJSON: () => ({}) });
    expect(fromUnknown(foreign)).toBe(foreign);
  });

  it('a 5 MB message is truncated in the log entry (message, msg and cause)', () => {
    const huge = 'x'.repeat(5 * 1024 * 1024);
    const logged: Record<string, unknown>[] = [];
    const handler = createErrorHandler({ logger: { error: (e) => logged.push(e), warn: (e) => logged.push(e) } });
    handler.handle(new Error(huge));
    handler.handle(new BadRequestError(huge));
    expect(logged).toHaveLength(2);
    for (const entry of logged) expect(JSON.stringify(entry).length).toBeLessThan(40_000);
  });
});
