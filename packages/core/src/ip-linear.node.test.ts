/**
 * Linear time on hostile input (issue 24): IP parsing takes header values (`X-Forwarded-For`
 * entries, `Forwarded` `for=`) that the client writes. `parseIp` refuses anything over 100
 * characters before looking at it, so its cost is bounded whatever the input; the property
 * checks that the cost of the helpers grows no faster than the input, measured as a ratio of
 * CPU times (`growthRatio` in @armor/test-utils), never as absolute milliseconds.
 */
import fc from 'fast-check';
import { growthRatio } from '@armor/test-utils';
import { describe, expect, it } from 'vitest';
import { embeddedIpv4, ipInCidr, ipPrefix, ipRange, normalizeIp, parseIp } from './ip.js';

const FACTOR = 16;
const BOUND = FACTOR * 4;
const FRAGMENTS = ['0', '1', '.', ':', '::', 'f', 'ffff:', '[', ']', '%', 'eth0', ' ', '0.', '1.1.', '::ffff:', '255.', 'x', '-', ',', '\t'];

/** Every IP helper on one input, as a request handler would call them. */
function all(input: string): unknown {
  const ip = parseIp(input);
  return [normalizeIp(input), ip && ipRange(ip), ip && ipPrefix(ip, 24), ip && embeddedIpv4(ip), ipInCidr(input, '10.0.0.0/8'), ipInCidr(input, 'fd00::/8')];
}

describe('IP parsing is linear on hostile input', { timeout: 240_000 }, () => {
  it('property: repeated mixes of address fragments (long, nested brackets, zones, separators)', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...FRAGMENTS), { minLength: 1, maxLength: 4 }).map((parts) => parts.join('')), (unit) => {
        const make = (n: number) => unit.repeat(Math.max(1, Math.ceil(n / unit.length)));
        expect(growthRatio(all, make, { n: 2_000, factor: FACTOR, below: BOUND, samples: 3 }).ratio, JSON.stringify(unit)).toBeLessThan(BOUND);
      }),
      { numRuns: 30 },
    );
  });

  it('inputs up to the 100-character limit grow linearly too (the parser is reached)', () => {
    for (const unit of ['0', '1.', 'f:', '::ffff:1.', '[', '0.0.0.']) {
      const make = (n: number) => unit.repeat(Math.max(1, Math.ceil(n / unit.length))).slice(0, n);
      expect(growthRatio(all, make, { n: 6, factor: FACTOR, below: BOUND, samples: 3 }).ratio, unit).toBeLessThan(BOUND);
    }
  });
});
