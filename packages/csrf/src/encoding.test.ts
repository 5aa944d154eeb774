import fc from 'fast-check';
import { expect, it } from 'vitest';
import { compareDoubleSubmit, timingSafeEqual, timingSafeEqualWhole } from './encoding.js';

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

it('compareDoubleSubmit agrees with === for the cookie and the tail (ASCII, non-ASCII, > 256 chars)', () => {
  fc.assert(
    fc.property(pairs, fc.string({ maxLength: 60 }), fc.nat(), ([cookie, submitted], tail, at) => {
      const from = submitted.length ? at % (submitted.length + 1) : 0;
      const expected = (cookie === submitted ? 0 : 1) | (submitted.slice(from) === tail ? 0 : 2);
      expect(compareDoubleSubmit(cookie, submitted, tail, from)).toBe(expected);
      // the real tail at its real offset
      expect(compareDoubleSubmit(cookie, submitted, submitted.slice(from), from)).toBe(cookie === submitted ? 0 : 1);
    }),
    { numRuns: 2000 },
  );
  const token = `v1.abc.${'n'.repeat(22)}.${'t'.repeat(16)}.${'m'.repeat(43)}`;
  const at = token.lastIndexOf('.') + 1;
  expect(compareDoubleSubmit(token, token, 'm'.repeat(43), at)).toBe(0);
  expect(compareDoubleSubmit(token, token, `${'m'.repeat(42)}x`, at)).toBe(2);
  expect(compareDoubleSubmit(`${token.slice(0, -1)}x`, token, 'm'.repeat(43), at)).toBe(1);
  expect(compareDoubleSubmit(`${token.slice(0, -1)}x`, token, `x${'m'.repeat(42)}`, at)).toBe(3);
  expect(compareDoubleSubmit(token, token, 'm'.repeat(44), at)).toBe(2);
});

it('compareDoubleSubmit also checks a middle segment (the session tag) when given', () => {
  const token = `v1.abc.${'n'.repeat(22)}.${'t'.repeat(16)}.${'m'.repeat(43)}`;
  const at = token.lastIndexOf('.') + 1;
  const tagAt = token.indexOf('t');
  expect(compareDoubleSubmit(token, token, 'm'.repeat(43), at, 't'.repeat(16), tagAt)).toBe(0);
  expect(compareDoubleSubmit(token, token, 'm'.repeat(43), at, `${'t'.repeat(15)}x`, tagAt)).toBe(2);
  expect(compareDoubleSubmit(token, token, 'm'.repeat(43), at, 't'.repeat(16), tagAt + 1)).toBe(2);
  expect(compareDoubleSubmit(token, token, 'm'.repeat(43), at, 't'.repeat(16), at - 1)).toBe(2); // overlaps the tail
  expect(compareDoubleSubmit(`${token}ü`, `${token}ü`, 'm'.repeat(43) + 'ü', at, 't'.repeat(16), tagAt)).toBe(0); // the charCodeAt path
  expect(compareDoubleSubmit(`${token}ü`, `${token}ü`, 'm'.repeat(43) + 'ü', at, 'x'.repeat(16), tagAt)).toBe(2);
  fc.assert(
    fc.property(fc.string({ maxLength: 80 }), fc.string({ maxLength: 20 }), fc.nat(), fc.nat(), (text, mid, x, y) => {
      const from = x % (text.length + 1);
      const midFrom = y % (from + 1);
      const ok = midFrom + mid.length <= from && text.slice(midFrom, midFrom + mid.length) === mid;
      expect(compareDoubleSubmit(text, text, text.slice(from), from, mid, midFrom)).toBe(ok ? 0 : 2);
    }),
    { numRuns: 2000 },
  );
});
