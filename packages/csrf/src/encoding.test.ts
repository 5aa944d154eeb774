import fc from 'fast-check';
import { expect, it } from 'vitest';
import { timingSafeEqual, timingSafeEqualWhole } from './encoding.js';

const pairs = fc.oneof(
  // near-equal pairs (one character changed), ASCII and not, short and longer than the scratch
  fc.tuple(fc.string({ maxLength: 300 }), fc.nat(), fc.string({ minLength: 1, maxLength: 1, unit: 'grapheme' })).map(([a, at, ch]) => {
    const i = a.length === 0 ? 0 : at % a.length;
    return [a, a.slice(0, i) + ch + a.slice(i + ch.length)] as const;
  }),
  fc.tuple(fc.string({ maxLength: 300, unit: 'binary' }), fc.string({ maxLength: 300, unit: 'binary' })),
  fc.string({ maxLength: 300 }).map((a) => [a, `${a}`] as const),
);

it('timingSafeEqualWhole agrees with === (ASCII, non-ASCII, lone surrogates, > 256 chars)', () => {
  fc.assert(
    fc.property(pairs, ([a, b]) => {
      expect(timingSafeEqualWhole(a, b)).toBe(a === b);
    }),
    { numRuns: 2000 },
  );
  expect(timingSafeEqualWhole('a\uD800', 'a\uD801')).toBe(false);
  expect(timingSafeEqualWhole('x'.repeat(257), 'x'.repeat(257))).toBe(true);
});

it('timingSafeEqual compares a range of the text without copying it', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 60 }), fc.string({ maxLength: 60 }), fc.nat(), fc.nat(), (expected, text, x, y) => {
      const from = text.length ? x % (text.length + 1) : 0;
      const to = from + (text.length - from ? y % (text.length - from + 1) : 0);
      expect(timingSafeEqual(expected, text, from, to)).toBe(text.slice(from, to) === expected);
    }),
    { numRuns: 2000 },
  );
});
