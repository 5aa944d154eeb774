/**
 * Text-format helpers shared by the Prometheus 0.0.4 and OpenMetrics 1.0 renderers.
 *
 * @module
 */
import type { MetricsFormat } from './metric-types.js';

/** Escapes a label value: backslash, double quote and newline. */
export function escapeLabelValue(value: string): string {
  // Fast path: most label values need no escaping.
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 92 || c === 34 || c === 10) return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
  }
  return value;
}

/** Escapes HELP text (0.0.4: backslash and newline; OpenMetrics also double quotes). */
export function formatHelp(help: string, format: MetricsFormat): string {
  const text = help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
  return format === 'openmetrics' ? text.replace(/"/g, '\\"') : text;
}

/** Renders a sample value; `canonical` forces a float form (`1.0`) as OpenMetrics prefers for `le`. */
export function formatValue(value: number, canonical = false): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  if (canonical && Number.isInteger(value)) return `${value}.0`;
  return String(value);
}

/** `a="x",b="y"` for default labels followed by the metric's labels. */
export function labelPairs(defaultNames: readonly string[], defaultValues: readonly string[], names: readonly string[], values: readonly string[]): string {
  let out = '';
  for (let i = 0; i < defaultNames.length; i++) out += `${out ? ',' : ''}${defaultNames[i]}="${escapeLabelValue(defaultValues[i]!)}"`;
  for (let i = 0; i < names.length; i++) out += `${out ? ',' : ''}${names[i]}="${escapeLabelValue(values[i]!)}"`;
  return out;
}

/** Content type of Prometheus text format 0.0.4. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
/** Content type of OpenMetrics 1.0. */
export const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

/**
 * Picks the exposition format from an `Accept` header: OpenMetrics when the client prefers
 * `application/openmetrics-text` (as Prometheus does), otherwise Prometheus text 0.0.4.
 *
 * @example
 * ```ts
 * const { format, contentType } = negotiateFormat(request.headers.get('accept'));
 * return new Response(registry.metrics(format), { headers: { 'content-type': contentType } });
 * ```
 */
export function negotiateFormat(accept: string | null | undefined): { format: MetricsFormat; contentType: string } {
  const prom = { format: 'prometheus' as const, contentType: PROMETHEUS_CONTENT_TYPE };
  if (!accept) return prom;
  let om = -1;
  let text = -1;
  for (const part of accept.split(',')) {
    const [type = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    let q = 1;
    let version: string | undefined;
    for (const p of params) {
      if (p.startsWith('q=')) q = Number(p.slice(2)) || 0;
      else if (p.startsWith('version=')) version = p.slice(8);
    }
    if (type === 'application/openmetrics-text' && (version === undefined || version.startsWith('1.'))) om = Math.max(om, q);
    else if (type === 'text/plain' || type === '*/*') text = Math.max(text, q);
  }
  return om > 0 && om >= text ? { format: 'openmetrics', contentType: OPENMETRICS_CONTENT_TYPE } : prom;
}
