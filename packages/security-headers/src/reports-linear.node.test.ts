/**
 * Linear time on hostile input (issue 24): `parseCspReports` reads report bodies that anyone
 * can POST. Its cost must grow no faster than the body (many reports, long fields, deep or
 * malformed JSON), measured as a ratio of CPU times (`growthRatio` in @armor/test-utils), never
 * as absolute milliseconds.
 */
import fc from 'fast-check';
import { growthRatio } from '@armor/test-utils';
import { describe, expect, it } from 'vitest';
import { parseCspReports } from './reports.js';

const FACTOR = 16;
const BOUND = FACTOR * 4;
const REPORT = { type: 'csp-violation', body: { documentURL: 'https://a.test/', effectiveDirective: 'script-src', blockedURL: 'inline', disposition: 'enforce' } };

describe('parseCspReports is linear on hostile bodies', { timeout: 240_000 }, () => {
  it.each([
    ['many Reporting API reports', (n: number) => JSON.stringify(Array.from({ length: Math.ceil(n / 120) }, () => REPORT))],
    ['one legacy report with long fields', (n: number) => JSON.stringify({ 'csp-report': { 'document-uri': 'x'.repeat(n), 'effective-directive': 'y'.repeat(n), 'original-policy': 'z'.repeat(n) } })],
    ['deeply nested arrays', (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`],
    ['an unclosed JSON string', (n: number) => `[{"type":"csp-violation","body":{"documentURL":"${'a'.repeat(n)}`],
  ])('%s', (_name, make) => {
    expect(growthRatio((body: string) => parseCspReports(body), make, { n: 2_000, factor: FACTOR, below: BOUND }).ratio).toBeLessThan(BOUND);
  });

  it('property: repeated JSON-ish fragments', () => {
    const fragments = ['[', ']', '{', '}', '"', ',', ':', '"csp-report"', '"type":"csp-violation"', '\\', '\\u', 'a', ' '];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...fragments), { minLength: 1, maxLength: 4 }).map((parts) => parts.join('')), (unit) => {
        const make = (n: number) => unit.repeat(Math.max(1, Math.ceil(n / unit.length)));
        expect(growthRatio((body: string) => parseCspReports(body), make, { n: 2_000, factor: FACTOR, below: BOUND, samples: 3 }).ratio, JSON.stringify(unit)).toBeLessThan(BOUND);
      }),
      { numRuns: 20 },
    );
  });
});
