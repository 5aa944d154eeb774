/**
 * Linear time on hostile input (issue 24): `readCookie` reads the client's `Cookie` header. Its
 * cost must grow no faster than the header, whatever the client repeats (the cookie name
 * itself, prefixes of it, separators, unclosed quotes), measured as a ratio of CPU times
 * (`growthRatio` in @armor/test-utils), never as absolute milliseconds.
 */
import fc from 'fast-check';
import { growthRatio } from '@armor/test-utils';
import { describe, expect, it } from 'vitest';
import { readCookie } from './index.js';

const FACTOR = 16;
const BOUND = FACTOR * 4;
const NAME = '__Host-csrf';
const FRAGMENTS = [NAME, '__Host-', '__Host-csrf=', ';', '; ', ' ', '=', '"', 'a', `x${NAME}`, `${NAME}x=`, `${NAME} `, '__', '_'];

describe('readCookie is linear on hostile Cookie headers', { timeout: 240_000 }, () => {
  it('property: repeated mixes of the cookie name, its prefixes and separators', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...FRAGMENTS), { minLength: 1, maxLength: 4 }).map((parts) => parts.join('')), (unit) => {
        const make = (n: number) => unit.repeat(Math.max(1, Math.ceil(n / unit.length)));
        expect(growthRatio((header: string) => readCookie(header, NAME), make, { n: 2_000, factor: FACTOR, below: BOUND, samples: 3 }).ratio, JSON.stringify(unit)).toBeLessThan(BOUND);
      }),
      { numRuns: 30 },
    );
  });
});
