/**
 * CSP violation reports: parsing both wire formats (the legacy `application/csp-report`
 * body of `report-uri` and the Reporting API's `application/reports+json` of `report-to`)
 * into one shape, and a Web `Request` handler for the endpoint.
 *
 * @module
 */
import { checkInt } from '@armor/core';
import { readBodyText } from '@armor/core/body';

/** One CSP violation, normalized from either report format. */
export interface CspViolation {
  /** The page where the violation happened. */
  documentUrl: string;
  /** The directive that was violated, e.g. `script-src-elem`. */
  effectiveDirective: string;
  /** What was blocked: a URL, or `inline`, `eval`, `wasm-eval`, … */
  blockedUrl: string;
  /** `enforce` or `report` (report-only). */
  disposition: 'enforce' | 'report' | 'unknown';
  /** The full policy that was violated. */
  originalPolicy: string;
  /** Source file, line and column of the violation when the browser sent them. */
  sourceFile?: string;
  lineNumber?: number;
  columnNumber?: number;
  /** First 40 characters of the inline script/style, when the policy has `'report-sample'`. */
  sample?: string;
  /** HTTP status of the document. */
  statusCode?: number;
  /** The reporting browser's user agent (Reporting API only). */
  userAgent?: string;
}

const MAX_REPORTS = 100;
const str = (value: unknown, max = 2048): string | undefined => (typeof value === 'string' ? value.slice(0, max) : undefined);
const num = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);

function normalize(body: Record<string, unknown>, legacy: boolean, userAgent?: string): CspViolation | undefined {
  const get = (modern: string, old: string) => (legacy ? body[old] : body[modern]);
  const documentUrl = str(get('documentURL', 'document-uri'));
  const effectiveDirective = str(get('effectiveDirective', 'effective-directive')) ?? str(body['violated-directive']);
  if (documentUrl === undefined || effectiveDirective === undefined) return undefined;
  const disposition = str(body.disposition);
  const violation: CspViolation = {
    documentUrl,
    effectiveDirective,
    blockedUrl: str(get('blockedURL', 'blocked-uri')) ?? '',
    disposition: disposition === 'enforce' || disposition === 'report' ? disposition : 'unknown',
    originalPolicy: str(get('originalPolicy', 'original-policy'), 8192) ?? '',
  };
  const sourceFile = str(get('sourceFile', 'source-file'));
  if (sourceFile !== undefined) violation.sourceFile = sourceFile;
  const line = num(get('lineNumber', 'line-number'));
  if (line !== undefined) violation.lineNumber = line;
  const column = num(get('columnNumber', 'column-number'));
  if (column !== undefined) violation.columnNumber = column;
  const sample = str(get('sample', 'script-sample'), 256);
  if (sample) violation.sample = sample;
  const status = num(get('statusCode', 'status-code'));
  if (status !== undefined) violation.statusCode = status;
  if (userAgent !== undefined) violation.userAgent = userAgent;
  return violation;
}

/**
 * Parses a CSP report body (already JSON-decoded, or a JSON string) from either format.
 * Malformed input yields `[]`, never throws; at most 100 reports are returned.
 *
 * @example
 * ```ts
 * parseCspReports({ 'csp-report': { 'document-uri': 'https://a.test/', 'effective-directive': 'script-src-elem', 'blocked-uri': 'inline' } });
 * // [{ documentUrl: 'https://a.test/', effectiveDirective: 'script-src-elem', blockedUrl: 'inline', disposition: 'unknown', originalPolicy: '' }]
 * ```
 */
export function parseCspReports(body: unknown): CspViolation[] {
  let data = body;
  if (typeof data === 'string') {
    try {
      data = JSON.parse(data) as unknown;
    } catch {
      return [];
    }
  }
  const out: CspViolation[] = [];
  if (Array.isArray(data)) {
    for (const report of data.slice(0, MAX_REPORTS) as unknown[]) {
      if (typeof report !== 'object' || report === null) continue;
      const r = report as Record<string, unknown>;
      if (r.type !== 'csp-violation' || typeof r.body !== 'object' || r.body === null) continue;
      const v = normalize(r.body as Record<string, unknown>, false, str(r.user_agent, 512));
      if (v) out.push(v);
    }
  } else if (typeof data === 'object' && data !== null) {
    const inner = (data as Record<string, unknown>)['csp-report'];
    if (typeof inner === 'object' && inner !== null) {
      const v = normalize(inner as Record<string, unknown>, true);
      if (v) out.push(v);
    }
  }
  return out;
}

/** Options of {@link cspReportHandler}. */
export interface CspReportHandlerOptions {
  /**
   * Largest accepted body in bytes (UTF-8, an integer ≥ 0); bigger bodies get 413. Checked on
   * `Content-Length` and while the body streams: reading stops (the stream is cancelled) as soon
   * as it passes the limit. @default 65536
   */
  maxBytes?: number | undefined;
}

/**
 * A Web `Request → Response` handler for the report endpoint (Convex HTTP actions, edge
 * workers, `fetch`-style servers). Calls `onReport` with the parsed violations and answers
 * 204; non-POST → 405, oversized → 413 (the body is read with `@armor/core/body`'s bounded
 * reader, so at most `maxBytes` bytes of it are ever held). Failures of `onReport` are swallowed
 * (reports are best-effort). Throws `ConfigurationError` for a `maxBytes` that is not an
 * integer ≥ 0.
 *
 * @example
 * ```ts
 * const handle = cspReportHandler((violations) => logger.warn({ violations }, 'csp violation'));
 * ```
 */
export function cspReportHandler(
  onReport: (violations: CspViolation[], request: Request) => void | Promise<void>,
  options: CspReportHandlerOptions = {},
): (request: Request) => Promise<Response> {
  const maxBytes = options.maxBytes ?? 65_536;
  checkInt('maxBytes', maxBytes, 0);
  return async (request) => {
    if (request.method !== 'POST') return new Response(null, { status: 405, headers: { allow: 'POST' } });
    const read = await readBodyText(request, maxBytes);
    if (read.tooLarge) return new Response(null, { status: 413 });
    const violations = parseCspReports(read.text);
    if (violations.length) {
      try {
        await onReport(violations, request);
      } catch {
        // best effort
      }
    }
    return new Response(null, { status: 204 });
  };
}
