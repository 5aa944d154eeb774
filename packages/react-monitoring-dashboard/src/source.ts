/**
 * `httpSource()`: load `MonitoringSnapshot`s over HTTP with `fetch`.
 *
 * @module
 */
import { ArmorError, ConfigurationError, type ArmorErrorOptions, type ErrorCode } from '@armor/errors';
import { readProblem } from '@armor/errors/client';
import type { MonitoringSnapshot, SnapshotSource } from './types.js';

/**
 * The longest delay a runtime timer holds (2^31 − 1 ms, about 24.8 days; a longer one fires after
 * about 1 ms). The same limit as `MAX_TIMER_MS` of `@armor/core`, kept as a constant here so the
 * dashboard bundle does not carry the kernel's scheduler: options above it are refused, and a
 * server's longer `Retry-After` is shortened to it (24.8 days, not the ~1 ms of an overflow).
 */
export const MAX_TIMER_MS = 2_147_483_647;

/** The only snapshot contract version this dashboard understands. */
export const SUPPORTED_SNAPSHOT_VERSION = 1;

/**
 * Thrown (rejected) by {@link httpSource} when a snapshot cannot be loaded: network failure,
 * non-2xx status (`details.httpStatus`), timeout (`code: 'TIMEOUT'`), a body that is not JSON or
 * not a version-1 snapshot. `retryAfterMs` carries the server's `Retry-After`, which the dashboard
 * honours for its next retry.
 */
export class SnapshotSourceError extends ArmorError {
  override name = 'SnapshotSourceError' as const;
  constructor(code: ErrorCode, message: string, options: ArmorErrorOptions = {}) {
    super(code, message, { expose: true, ...options });
  }
}

/** Options of {@link httpSource}. */
export interface HttpSourceOptions {
  /**
   * Request headers, e.g. `{ authorization: 'Bearer …' }`, or a function returning them
   * (called before every request, so tokens can rotate).
   * @default none
   */
  headers?: HeadersInit | (() => HeadersInit | Promise<HeadersInit>);
  /**
   * Abort a request that takes longer than this (milliseconds).
   * @default 10000
   */
  timeoutMs?: number;
  /**
   * `fetch` credentials mode (send cookies cross-origin with `'include'`).
   * @default 'same-origin'
   */
  credentials?: RequestCredentials;
  /**
   * The `fetch` implementation.
   * @default globalThis.fetch
   */
  fetch?: typeof fetch;
}

/**
 * A {@link SnapshotSource} that GETs a JSON `MonitoringSnapshot` from `url` (for example the
 * endpoint served by `@armor/metrics/express`, or `@armor/fleet`'s `handleRequest`). Safe to
 * create inline in JSX: its `key` is the URL, so re-creating it on every render does not restart
 * polling. The `query` the dashboard passes to `load` (after the user picks a fleet instance or
 * range: `?instance=<name>&range=1h`) is set on the URL, replacing parameters of the same name.
 *
 * @param url - absolute or page-relative URL of the snapshot endpoint
 * @param options - headers, timeout, credentials, fetch
 * @throws ConfigurationError for an empty `url` or a bad `timeoutMs`
 * @example
 * ```tsx
 * <MonitoringDashboard source={httpSource('/monitoring/snapshot', { headers: { authorization: `Bearer ${token}` } })} />
 * ```
 */
export function httpSource(url: string | URL, options: HttpSourceOptions = {}): SnapshotSource {
  const href = typeof url === 'string' ? url : url instanceof URL ? url.href : undefined;
  if (href === undefined || href.trim() === '') {
    throw new ConfigurationError('url', 'must be a non-empty string or URL', { received: url });
  }
  const timeoutMs = options.timeoutMs ?? 10_000;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0 || timeoutMs > MAX_TIMER_MS) {
    throw new ConfigurationError('timeoutMs', 'must be a finite number of milliseconds > 0 and at most 2147483647 (2^31 − 1, the longest timer a runtime holds)', { received: timeoutMs });
  }
  if (options.fetch !== undefined && typeof options.fetch !== 'function') {
    throw new ConfigurationError('fetch', 'must be a function', { received: options.fetch });
  }
  const { headers, credentials = 'same-origin' } = options;

  return {
    key: `http:${href}`,
    async load({ signal, query }) {
      const target = query === undefined ? href : withQuery(href, query);
      const doFetch = options.fetch ?? globalThis.fetch;
      const controller = new AbortController();
      let timedOut = false;
      const onAbort = () => controller.abort(signal.reason);
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
      const timer = setTimeout(() => {
        timedOut = true;
        controller.abort();
      }, timeoutMs);
      (timer as { unref?: () => void }).unref?.();
      try {
        const resolvedHeaders = typeof headers === 'function' ? await headers() : headers;
        const init: RequestInit = { method: 'GET', credentials, signal: controller.signal, cache: 'no-store' };
        const merged = new Headers(resolvedHeaders);
        if (!merged.has('accept')) merged.set('accept', 'application/json');
        init.headers = merged;
        let response: Response;
        try {
          response = await doFetch(target, init);
        } catch (cause) {
          if (timedOut) throw new SnapshotSourceError('TIMEOUT', `Snapshot request timed out after ${timeoutMs} ms`, { cause });
          if (signal.aborted) throw cause;
          throw new SnapshotSourceError('EXTERNAL_SERVICE_ERROR', `Snapshot request failed: ${messageOf(cause)}`, { cause });
        }
        if (!response.ok) {
          // The server's problem+json (code, detail, Retry-After) is read by @armor/errors/client;
          // readProblem, not fromResponse: the dashboard needs the fields, not every error class.
          const problem = await readProblem(response);
          const detail = problem.status < 500 && problem.detail !== undefined && problem.detail !== problem.code ? ` — ${problem.detail}` : '';
          throw new SnapshotSourceError(
            response.status === 503 ? 'SERVICE_UNAVAILABLE' : 'EXTERNAL_SERVICE_ERROR',
            `Snapshot request failed: HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}${detail}`,
            {
              details: { httpStatus: response.status, code: problem.code },
              cause: problem.body ?? { status: problem.status, body: problem.text.slice(0, 500) },
              ...(problem.retryAfterMs === undefined ? {} : { retryAfterMs: problem.retryAfterMs }),
            },
          );
        }
        let body: unknown;
        try {
          body = await response.json();
        } catch (cause) {
          if (timedOut) throw new SnapshotSourceError('TIMEOUT', `Snapshot request timed out after ${timeoutMs} ms`, { cause });
          throw new SnapshotSourceError('EXTERNAL_SERVICE_ERROR', 'Snapshot response is not valid JSON', { cause });
        }
        return parseSnapshot(body);
      } finally {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
      }
    },
  };
}

/**
 * Checks that the value is a version-1 snapshot (an object with `version: 1` and a numeric
 * `generatedAt`) without a schema library, and returns it typed. A missing or malformed section
 * (`requests`, `health`, `errors`, …) is not refused: `normalizeSnapshot` repairs it and the
 * dashboard marks only the panels that show it as unavailable. Full validation is the server's
 * job (`monitoringSnapshotSchema` in `@armor/metrics`).
 *
 * @throws SnapshotSourceError when the value is not a version-1 snapshot
 * @example
 * ```ts
 * const snapshot = parseSnapshot(await response.json());
 * ```
 */
export function parseSnapshot(value: unknown): MonitoringSnapshot {
  const fail = (problem: string): never => {
    throw new SnapshotSourceError('EXTERNAL_SERVICE_ERROR', `Invalid snapshot: ${problem}`);
  };
  if (!isRecord(value)) return fail('not an object');
  if (value.version !== SUPPORTED_SNAPSHOT_VERSION) return fail(`unsupported version ${JSON.stringify(value.version) ?? 'undefined'} (expected 1)`);
  if (typeof value.generatedAt !== 'number') fail('generatedAt must be a number');
  // a missing or malformed section is not fatal: normalizeSnapshot repairs it, and only its
  // panels say "unavailable"
  return value as unknown as MonitoringSnapshot;
}

/**
 * `href` with the parameters of `query` set (replacing same-named ones), keeping a relative URL
 * relative and the fragment in place.
 */
function withQuery(href: string, query: Readonly<Record<string, string>>): string {
  const hashAt = href.indexOf('#');
  const hash = hashAt === -1 ? '' : href.slice(hashAt);
  const rest = hashAt === -1 ? href : href.slice(0, hashAt);
  const queryAt = rest.indexOf('?');
  const params = new URLSearchParams(queryAt === -1 ? '' : rest.slice(queryAt + 1));
  for (const [name, value] of Object.entries(query)) params.set(name, value);
  const search = params.toString();
  return `${queryAt === -1 ? rest : rest.slice(0, queryAt)}${search ? `?${search}` : ''}${hash}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
