/**
 * Formatting helpers used by the panels (deterministic, locale-independent output so server
 * and client render the same text).
 *
 * @module
 */

const pad = (n: number) => String(n).padStart(2, '0');

/** `1234.5` → `"1.23 s"`, `12.34` → `"12.3 ms"`, `null` → `"—"`. */
export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms === 0) return '0 ms';
  if (ms >= 60_000) return `${(ms / 60_000).toFixed(1)} min`;
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 100) return `${Math.round(ms)} ms`;
  if (ms >= 10) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(2)} ms`;
}

/** `1234567` → `"1,234,567"`; `1234.5` → `"1,234.5"`. */
export function formatCount(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  const rounded = Math.abs(n) >= 100 || Number.isInteger(n) ? Math.round(n) : Math.round(n * 10) / 10;
  // String() switches to exponent notation from 1e21; digit grouping would mangle it.
  if (Math.abs(rounded) >= 1e21) return rounded.toExponential(2);
  const [int = '0', frac] = String(Math.abs(rounded)).split('.');
  // Groups of three from the right, by hand (the usual lookahead regex re-reads the rest of the
  // number from every position).
  let grouped = int.slice(0, ((int.length - 1) % 3) + 1);
  for (let i = grouped.length; i < int.length; i += 3) grouped += `,${int.slice(i, i + 3)}`;
  return `${rounded < 0 ? '-' : ''}${grouped}${frac ? `.${frac}` : ''}`;
}

/**
 * A fraction in [0, 1] → `"12.3%"`. Never rounds to the extremes: `0.0004` → `"<0.1%"` and
 * `0.9996` → `">99.9%"`, so "0%" and "100%" mean exactly none and all.
 */
export function formatPercent(fraction: number | null | undefined): string {
  if (fraction === null || fraction === undefined || !Number.isFinite(fraction)) return '—';
  const pct = fraction * 100;
  if (pct === 0) return '0%';
  if (pct < 0.1) return '<0.1%';
  if (pct < 10) return `${pct.toFixed(1)}%`;
  if (pct < 99) return `${pct.toFixed(0)}%`;
  if (pct < 99.95) return `${pct.toFixed(1)}%`;
  if (pct < 100) return '>99.9%';
  return `${pct.toFixed(0)}%`;
}

/** Seconds → `"3 s"`, `"4 min"`, `"2 h 5 min"`, `"3 d 4 h"`; not finite → `"—"`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '—';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86_400)} d ${Math.floor((s % 86_400) / 3600)} h`;
}

/** Epoch ms → `"14:05:09"` (local time); not finite → `"—"`. */
export function formatClock(t: number): string {
  if (!Number.isFinite(t)) return '—';
  const d = new Date(t);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** Epoch ms → `"2026-11-25 14:05:09"` (local time); not finite → `"—"`. */
export function formatDateTime(t: number): string {
  if (!Number.isFinite(t)) return '—';
  const d = new Date(t);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${formatClock(t)}`;
}

/** `"5 s ago"`, `"just now"` relative to `now` (both epoch ms). */
export function formatAgo(t: number, now: number): string {
  if (!Number.isFinite(t) || !Number.isFinite(now)) return '—';
  const seconds = Math.round((now - t) / 1000);
  if (seconds < 1) return 'just now';
  return `${formatDuration(seconds)} ago`;
}

/** A refresh interval in ms → `"Off"`, `"5 s"`, `"1 min"`. */
export function formatInterval(ms: number): string {
  if (ms <= 0) return 'Off';
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${ms / 1000} s`;
  return `${ms / 60_000} min`;
}

/** Bytes → `"312 KB"`, `"1.2 MB"` (1 KB = 1,000 bytes, as size-limit and browsers' devtools count). */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return '—';
  if (bytes < 1000) return `${Math.round(bytes)} B`;
  if (bytes < 1_000_000) return `${(bytes / 1000).toFixed(bytes < 10_000 ? 1 : 0)} KB`;
  return `${(bytes / 1_000_000).toFixed(2)} MB`;
}
