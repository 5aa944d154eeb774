/**
 * Issue 24: `redact` on attacker-chosen input runs in linear time (the catches are in
 * `redact-catches.test.ts`).
 *
 * Growth is measured as a ratio of minimum timings (`growthRatio` in @armor/test-utils),
 * never against absolute milliseconds: linear grows ~16× from n to 16n, quadratic ~256×; the
 * bound is 16 × 4 = 64 (timings on a loaded 2-core machine were seen to double now and then).
 */
import fc from 'fast-check';
import { growthRatio } from '@armor/test-utils';
import { describe, expect, it } from 'vitest';
import { createRedactor } from './index.js';

const FACTOR = 16;
const BOUND = FACTOR * 4;
/** Wall-clock limit of the heavier tests: the measure is CPU time, but a loaded machine stretches wall time. */
const SLOW = { timeout: 240_000 };
const redactor = createRedactor();
const repeatTo = (unit: string, suffix: string) => (size: number) => unit.repeat(Math.max(1, Math.ceil(size / unit.length))) + suffix;

/** Keywords and openers of the built-in rules, repeated by the generators. */
const FRAGMENTS = [
  'token-', 'token', 'password', 'password_', 'secret-', '_key', 'api-', 'access', 'Token', 'accessToken', 'a_', 'A1_', 'x-', '-', '_', '=', ':', ' ', '"', "'",
  '"a":', 'token=', 'password:', '-----BEGIN PRIVATE KEY-----', '-----BEGIN ', '-----END ', 'Bearer ', 'basic ', 'Token ', 'ApiKey ', 'eyJ', 'eyJaaaaa.', 'ghp_',
  'sk-', 'xoxb-', 'whsec_', 'ya29.', 'npm_', 'AIza', 'cookie: ', '?token=', '&', 'a://', 'a://b:', '@', 'a@', 'a.', 'a@b.', '+1', '+1 ', '(415) ', '415-',
  '1 ', '1-', '1.', '4242 ', '4242.', '4', '\\', '\\n', '%22',
];
const REJECT = ['', '!', '\n', 'x'];

describe('redact is linear on hostile input', SLOW, () => {
  it("100K characters of 'token-' (was quadratic: 7.2 s)", () => {
    expect(growthRatio(redactor, repeatTo('token-', ''), { n: 4_000, factor: FACTOR, below: BOUND }).ratio).toBeLessThan(BOUND);
  });

  it.each([
    ['keyword runs with separators', 'password_', '='],
    ['camelCase keyword runs', 'accessToken', ''],
    ['PEM openers without an END line', '-----BEGIN PRIVATE KEY-----\n', ''],
    ['PGP openers without an END line', '-----BEGIN PGP PRIVATE KEY BLOCK-----\n', ''],
    ['auth schemes without credentials', 'basic ', ''],
    ['unclosed JSON values of secret keys', '"token":"', ''],
  ])('%s', (_name, unit, suffix) => {
    expect(growthRatio(redactor, repeatTo(unit, suffix), { n: 4_000, factor: FACTOR, below: BOUND }).ratio).toBeLessThan(BOUND);
  });

  it('property: any repeated mix of rule fragments, with a failing suffix, grows linearly', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...FRAGMENTS), { minLength: 1, maxLength: 4 }).map((parts) => parts.join('')),
        fc.constantFrom(...REJECT),
        (unit, suffix) => {
          const { ratio } = growthRatio(redactor, repeatTo(unit, suffix), { n: 2_000, factor: FACTOR, below: BOUND });
          expect(ratio, JSON.stringify(unit + suffix)).toBeLessThan(BOUND);
        },
      ),
      { numRuns: 15 },
    );
  });

  it('every single fragment, repeated, grows linearly', () => {
    for (const unit of FRAGMENTS) {
      for (const suffix of ['']) {
        const { ratio } = growthRatio(redactor, repeatTo(unit, suffix), { n: 2_000, factor: FACTOR, below: BOUND, samples: 3, minSampleMs: 2 });
        expect(ratio, JSON.stringify(unit + suffix)).toBeLessThan(BOUND);
      }
    }
  });

  it('property names go through the same linear rules', () => {
    const wide = (n: number) => ({ [`${'token-'.repeat(n / 6)}`]: 1 });
    // A fresh redactor per call: a redactor remembers the names its rules left unchanged.
    expect(growthRatio((v) => createRedactor()(v), wide, { n: 4_000, factor: FACTOR, below: BOUND }).ratio).toBeLessThan(BOUND);
  });
});
