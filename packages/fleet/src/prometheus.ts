/**
 * A small client for the Prometheus HTTP API (`/api/v1/query`, `/api/v1/query_range`) on the
 * Web `fetch`, so it runs in Node and edge runtimes. Every call has a timeout and fails with an
 * `ExternalServiceError` naming the query.
 *
 * Hand-written: the official `prometheus-query` style clients pull in axios and Node-only code,
 * and we need two endpoints.
 *
 * @module
 */
import { ExternalServiceError } from '@armor/errors';
import { checkFunction, checkMs, checkOptions, checkRequired, checkString } from '@armor/core';

/** One sample: `[epoch seconds, value]`. */
export type Sample = [number, number];

/** One series of a matrix (range vector) result. */
export interface MatrixSeries {
  metric: Record<string, string>;
  values: Sample[];
}

/** One element of an instant vector. */
export interface VectorSample {
  metric: Record<string, string>;
  value: Sample;
}

/** Options of {@link createPrometheusClient}. */
export interface PrometheusClientOptions {
  /** Base URL of Prometheus, e.g. `http://127.0.0.1:9090`. */
  url: string;
  /** Milliseconds each query may take. @default 5_000 */
  timeoutMs?: number;
  /** The `fetch` to use. @default globalThis.fetch */
  fetch?: typeof fetch;
}

/** The client. */
export interface PrometheusClient {
  /** An instant query at `time` (epoch ms, default now): a vector, or a matrix for a range selector. */
  query(expr: string, time?: number): Promise<{ resultType: 'vector'; result: VectorSample[] } | { resultType: 'matrix'; result: MatrixSeries[] }>;
  /** A range query from `start` to `end` (epoch ms) every `stepMs`. */
  queryRange(expr: string, start: number, end: number, stepMs: number): Promise<MatrixSeries[]>;
}

const toSample = (raw: unknown): Sample => {
  const [t, v] = raw as [number, string];
  return [Number(t), Number(v)];
};

/**
 * Creates a Prometheus HTTP API client.
 *
 * @example
 * ```ts no-run
 * const prometheus = createPrometheusClient({ url: 'http://127.0.0.1:9090' });
 * const { result } = await prometheus.query('up');
 * ```
 */
export function createPrometheusClient(options: PrometheusClientOptions): PrometheusClient {
  checkOptions('createPrometheusClient', options, ['url', 'timeoutMs', 'fetch']);
  checkRequired('url', options?.url, 'the Prometheus base URL, e.g. http://127.0.0.1:9090');
  checkString('url', options.url);
  const { timeoutMs = 5_000 } = options;
  checkMs('timeoutMs', timeoutMs, { min: 1 });
  checkFunction('fetch', options.fetch);
  const base = options.url.replace(/(?<!\/)\/+$/, '');

  async function call(path: string, params: Record<string, string>, expr: string): Promise<{ resultType: string; result: unknown[] }> {
    const doFetch = options.fetch ?? globalThis.fetch;
    const body = new URLSearchParams(params);
    let response: Response;
    try {
      response = await doFetch(`${base}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (cause) {
      throw new ExternalServiceError(`Prometheus did not answer the query ${expr} within ${timeoutMs} ms or refused it`, { cause });
    }
    let json: { status?: string; error?: string; data?: { resultType: string; result: unknown[] } };
    try {
      json = (await response.json()) as typeof json;
    } catch (cause) {
      throw new ExternalServiceError(`Prometheus answered ${response.status} with a body that is not JSON for ${expr}`, { cause });
    }
    if (json.status !== 'success' || !json.data || !Array.isArray(json.data.result)) {
      throw new ExternalServiceError(`Prometheus refused the query ${expr}: ${json.error ?? `HTTP ${response.status}`}`);
    }
    return json.data;
  }

  return {
    async query(expr, time = Date.now()) {
      const data = await call('/api/v1/query', { query: expr, time: String(time / 1000) }, expr);
      if (data.resultType === 'matrix') {
        return { resultType: 'matrix', result: (data.result as { metric: Record<string, string>; values: unknown[] }[]).map((s) => ({ metric: s.metric, values: s.values.map(toSample) })) };
      }
      if (data.resultType === 'vector') {
        return { resultType: 'vector', result: (data.result as { metric: Record<string, string>; value: unknown }[]).map((s) => ({ metric: s.metric, value: toSample(s.value) })) };
      }
      throw new ExternalServiceError(`Prometheus answered a ${data.resultType} for ${expr}; expected a vector or a matrix`);
    },
    async queryRange(expr, start, end, stepMs) {
      const data = await call('/api/v1/query_range', { query: expr, start: String(start / 1000), end: String(end / 1000), step: `${stepMs / 1000}s` }, expr);
      return (data.result as { metric: Record<string, string>; values: unknown[] }[]).map((s) => ({ metric: s.metric, values: s.values.map(toSample) }));
    },
  };
}
