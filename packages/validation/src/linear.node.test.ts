/**
 * Linear time on hostile input (issue 24): every function of this package that takes request
 * data costs about `factor` times more when its input grows by `factor`. Costs are compared
 * as ratios of minimum timings (see `growthRatio` in @armor/test-utils), never as absolute
 * milliseconds: a linear function grows ~16× from n to 16n, a quadratic one ~256×; the bound
 * is 16 × 4 = 64 (timings on a loaded 2-core machine were seen to double now and then). Generators are adversarial: repeated keywords and openers, nested and unclosed
 * constructs, followed by a character that makes a pattern fail late.
 */
import fc from 'fast-check';
import { growthRatio } from '@armor/test-utils';
import { describe, expect, it } from 'vitest';
import { detectInjection, limits, safeParse, sanitizeHtml, schemas, stripTags } from './index.js';

const FACTOR = 16;
const BOUND = FACTOR * 4;
/** Wall-clock limit of the heavier tests: the measure is CPU time, but a loaded machine stretches wall time. */
const SLOW = { timeout: 240_000 };

/** Fragments an attacker repeats: rule openers and keywords, unclosed and nested constructs. */
const FRAGMENTS = [
  ' ', '\t', 'a', '1', '<', '>', '< ', '<a ', '<a on', '"on', '<%', '<%=', '%', '{{', '{{a', '{{1+', '#{', '#{a', '${', '${1', '${j', '${${',
  '$(', '$(ls ', '`ls ', "'", "' or ", "' or a ", '"', ')', ';', '; ', '/*', '/**/', 'union ', 'union /*', 'union/**/', ' or 1=', 'and ',
  '--', '../', '..', '%2e', '%25', '%3C', '%253C', 'on', 'javascript', 'data:', 'sleep(', '{', '{$', '{ "', 'nc -', 'nc -e', '/dev/', '\\', '=',
];
const REJECT = ['', '!', '\n', 'x'];

const detectAll = (s: string) => detectInjection(s, { maxLength: 1 << 24 });
const repeatTo = (unit: string, suffix: string) => (size: number) => unit.repeat(Math.max(1, Math.ceil(size / unit.length))) + suffix;

describe('detectInjection is linear on hostile input', SLOW, () => {
  // The reproductions of issue 24.
  it("'union ' + '/**/'.repeat(n) + 'x' grows linearly (was exponential: 30 comments took 4.7 s)", () => {
    // 2 → 24 comments: before the fix the big input took ~0.3 s against microseconds (ratio ~10⁵).
    expect(growthRatio(detectAll, (n) => `union ${'/**/'.repeat(n)}x`, { n: 2, factor: 12, below: 12 * 4 }).ratio).toBeLessThan(12 * 4);
    expect(growthRatio(detectAll, (n) => `union ${'/**/'.repeat(n)}x`, { n: 1_000, factor: FACTOR, below: BOUND }).ratio).toBeLessThan(BOUND);
  });

  it.each([
    ['${${ (nested lookups, unclosed)', '${${', ''],
    ['${ (JSON body of lookups)', '{"a":"${', '"}'],
    ['<% (unclosed templates)', '<%', ''],
    ['<%= a < (template bodies with <)', '<%= a <', ''],
    ['<<<< (tag openers)', '<', ''],
    ['$(ls (unclosed substitutions)', '$(ls ', ''],
    ['{{a{{ (unclosed expressions)', '{{a', ''],
    ['%3C (percent-encoded openers)', '%3C', ''],
  ])('%s', (_name, unit, suffix) => {
    const { ratio } = growthRatio(detectAll, repeatTo(unit, suffix), { n: 4_000, factor: FACTOR, below: BOUND });
    expect(ratio).toBeLessThan(BOUND);
  });

  it('property: any repeated mix of rule fragments, with a failing suffix, grows linearly', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...FRAGMENTS), { minLength: 1, maxLength: 4 }).map((parts) => parts.join('')),
        fc.constantFrom(...REJECT),
        (unit, suffix) => {
          const { ratio } = growthRatio(detectAll, repeatTo(unit, suffix), { n: 2_000, factor: FACTOR, below: BOUND });
          expect(ratio, JSON.stringify(unit)).toBeLessThan(BOUND);
        },
      ),
      { numRuns: 15 },
    );
  });

  it('every single fragment, repeated, grows linearly', () => {
    for (const unit of FRAGMENTS) {
      for (const suffix of ['']) {
        const { ratio } = growthRatio(detectAll, repeatTo(unit, suffix), { n: 2_000, factor: FACTOR, below: BOUND, samples: 3, minSampleMs: 2 });
        expect(ratio, JSON.stringify(unit + suffix)).toBeLessThan(BOUND);
      }
    }
  });

  it('wide and deep JSON-like values grow linearly in their size', () => {
    const wide = (n: number) => Object.fromEntries(Array.from({ length: n / 10 }, (_, i) => [`k${i}`, '${${<%{{']));
    expect(growthRatio((v) => detectInjection(v, { maxValues: 1 << 20 }), wide, { n: 2_000, factor: FACTOR, below: BOUND }).ratio).toBeLessThan(BOUND);
  });
});

const HTML_FRAGMENTS = ['<b>', '<b', '<a href="', '<!--', '<![CDATA[', '<script>', '<style>', '</', '<', '&', '&#', '&#x', '"', "'", '=', '<p title="<', '<svg><', '<math>', '<table><tr>', '<li>', 'x'];

describe('sanitizing is linear on hostile input', SLOW, () => {
  // stripTags read `out.endsWith('\n')` on every implied close, flattening the growing output each time.
  it.each(['=<li>', 'a<p>', 'x<div>', '<b>'])('stripTags and sanitizeHtml on %j repeated', (unit) => {
    expect(growthRatio((s) => stripTags(s), repeatTo(unit, ''), { n: 4_000, factor: FACTOR, below: BOUND }).ratio).toBeLessThan(BOUND);
    expect(growthRatio((s) => sanitizeHtml(s), repeatTo(unit, ''), { n: 4_000, factor: FACTOR, below: BOUND }).ratio).toBeLessThan(BOUND);
  });

  it('property: sanitizeHtml and stripTags on repeated mixes of markup fragments grow linearly', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...HTML_FRAGMENTS), { minLength: 1, maxLength: 3 }).map((parts) => parts.join('')), fc.constantFrom(...REJECT), (unit, suffix) => {
        expect(growthRatio((s) => sanitizeHtml(s), repeatTo(unit, suffix), { n: 2_000, factor: FACTOR, below: BOUND }).ratio, JSON.stringify(unit)).toBeLessThan(BOUND);
        expect(growthRatio((s) => stripTags(s), repeatTo(unit, suffix), { n: 2_000, factor: FACTOR, below: BOUND }).ratio, JSON.stringify(unit)).toBeLessThan(BOUND);
      }),
      { numRuns: 20 },
    );
  });
});

describe('validation helpers are linear on hostile input', SLOW, () => {
  const safeString = schemas.safeString({ max: 1 << 24, multiline: true });
  const email = schemas.email({ max: 1 << 24 });
  const url = schemas.httpUrl({ max: 1 << 24, allowPrivate: false });
  const guard = limits({ maxStringLength: 1 << 24, maxKeys: 1 << 24 });
  const cases: [string, (s: string) => unknown][] = [
    ['schemas.safeString', (s) => safeParse(safeString, s)],
    ['schemas.email', (s) => safeParse(email, s)],
    ['schemas.httpUrl', (s) => safeParse(url, `http://${s}/`)],
    ['limits', (s) => guard.check(JSON.parse(`[${JSON.stringify(s)}]`))],
  ];
  const UNITS = ['a', 'a.', 'a@', '@a.', '\u202e', '\u0000', ' ', 'é', '-', '..', '%', '[', ':', '\\'];
  it.each(cases)('property: %s grows linearly', (_name, run) => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...UNITS), { minLength: 1, maxLength: 3 }).map((parts) => parts.join('')), fc.constantFrom(...REJECT), (unit, suffix) => {
        expect(growthRatio(run, repeatTo(unit, suffix), { n: 2_000, factor: FACTOR, below: BOUND }).ratio, JSON.stringify(unit)).toBeLessThan(BOUND);
      }),
      { numRuns: 15 },
    );
  });
});
