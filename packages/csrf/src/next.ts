/**
 * `@armor/csrf/next`: CSRF protection for Next.js (App Router) route handlers and `proxy.ts`.
 * Web-standard only (no import of `next`; Web Crypto): Node and edge runtimes.
 *
 * @module
 */
import { problemResponse } from '@armor/errors';
import type { Csrf, CsrfOptions } from './csrf.js';
import { csrfFrom } from './hono.js';

/** Options of {@link withCsrf} and {@link csrfProxy}. */
export type NextCsrfOptions = CsrfOptions & {
  /** The session the token is bound to; `undefined` means "no session" (unsafe requests fail). */
  getSessionId: (request: Request) => string | undefined | Promise<string | undefined>;
  /** Reuse an existing protector instead of creating one from these options. */
  csrf?: Csrf | undefined;
};

function build(component: string, options: NextCsrfOptions) {
  const csrf = csrfFrom(component, options);
  const { getSessionId } = options;
  /** The 403 problem+json of a refused request, or `undefined`. The header token only: the body stays unread for the handler. */
  const refusal = async (request: Request): Promise<Response | undefined> => {
    if (csrf.isSafeMethod(request.method)) return undefined;
    try {
      await csrf.verify(request, (await getSessionId(request)) ?? '');
      return undefined;
    } catch (error) {
      return problemResponse(error, { instance: new URL(request.url).pathname });
    }
  };
  return { csrf, refusal, getSessionId };
}

/**
 * Wraps a route handler: unsafe methods need a valid token in the `x-csrf-token` header. Issue
 * tokens with `issue(request)` (returns the token and the `Set-Cookie` value).
 *
 * @example
 * ```ts no-run
 * const csrfOptions = { secret: process.env.CSRF_SECRET!, getSessionId: (request: Request) => sessionOf(request) };
 * export const POST = withCsrf(async (request: Request) => Response.json(await save(request)), csrfOptions);
 * ```
 */
export function withCsrf<A extends unknown[]>(
  route: (request: Request, ...rest: A) => Response | Promise<Response>,
  options: NextCsrfOptions,
): ((request: Request, ...rest: A) => Promise<Response>) & { readonly csrf: Csrf; issue(request: Request): Promise<{ token: string; setCookie: string }> } {
  const { csrf, refusal, getSessionId } = build('withCsrf', options);
  const wrapped = async (request: Request, ...rest: A) => (await refusal(request)) ?? route(request, ...rest);
  return Object.assign(wrapped, {
    csrf,
    async issue(request: Request) {
      const issued = await csrf.issueToken((await getSessionId(request)) ?? '');
      return { token: issued.token, setCookie: issued.setCookie };
    },
  });
}

/**
 * The CSRF check for `proxy.ts`: resolves to the 403 problem+json to return, or `undefined` when
 * the request may go on.
 *
 * @example
 * ```ts no-run
 * const csrf = csrfProxy({ secret: process.env.CSRF_SECRET!, getSessionId: (request) => sessionOf(request) });
 * export async function proxy(request: NextRequest) {
 *   return (await csrf(request)) ?? NextResponse.next();
 * }
 * ```
 */
export function csrfProxy(options: NextCsrfOptions): (request: Request) => Promise<Response | undefined> {
  return build('csrfProxy', options).refusal;
}
