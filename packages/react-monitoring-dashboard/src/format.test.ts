import { describe, expect, it } from 'vitest';
import { formatAgo, formatClock, formatCount, formatDateTime, formatDuration, formatPercent } from './format.js';

describe('format', () => {
  it('formatPercent never rounds to 0% or 100% unless exact', () => {
    expect([0, 0.0004, 0.05, 0.123, 0.986, 0.9912, 0.9994, 0.99999, 1].map(formatPercent)).toEqual([
      '0%',
      '<0.1%',
      '5.0%',
      '12%',
      '99%',
      '99.1%',
      '99.9%',
      '>99.9%',
      '100%',
    ]);
    expect([null, undefined, Number.NaN, Number.POSITIVE_INFINITY].map(formatPercent)).toEqual(['—', '—', '—', '—']);
  });

  it('formatCount groups digits up to 2^53 and uses an exponent beyond 1e21', () => {
    expect(formatCount(9_007_199_254_740_991)).toBe('9,007,199,254,740,991');
    expect(formatCount(-1234.56)).toBe('-1,235');
    expect(formatCount(1e21)).toBe('1.00e+21');
    expect(formatCount(Number.NaN)).toBe('—');
  });

  it('time formatters show a dash for non-finite input', () => {
    expect([formatDuration(Number.NaN), formatClock(Number.NaN), formatDateTime(Number.POSITIVE_INFINITY), formatAgo(Number.NaN, 0)]).toEqual([
      '—',
      '—',
      '—',
      '—',
    ]);
    expect(formatDuration(400 * 86_400)).toBe('400 d 0 h');
  });
});
