import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileCondition, compileFn, evaluate } from './condition.js';

const scalar = fc.constantFrom<string | number | boolean | null>('a', 'b', 0, 1, 5, true, false, null);
const value = fc.oneof(scalar, fc.constantFrom({ principal: 'id' }, { principal: 'n' }, { principal: 'missing' }));
const num = fc.oneof(fc.constantFrom(0, 1, 5), fc.constantFrom({ principal: 'n' }, { principal: 'missing' }));
const ops = fc.oneof(
  value.map((v) => v),
  fc.record({ ne: value }, { requiredKeys: [] }),
  fc.record({ in: fc.array(scalar, { maxLength: 3 }) }),
  fc.record({ nin: fc.array(scalar, { maxLength: 3 }) }),
  fc.record({ lt: num, gte: num }, { requiredKeys: [] }),
);
const leaf = fc.dictionary(fc.constantFrom('f', 'g'), ops, { maxKeys: 2 });
const cond = fc.oneof(leaf, fc.record({ anyOf: fc.array(leaf, { minLength: 1, maxLength: 3 }) }));
const record = fc.dictionary(fc.constantFrom('f', 'g'), scalar, { maxKeys: 2 });
const principal = fc.record({ id: scalar, n: fc.oneof(fc.constantFrom(0, 3), scalar) }, { requiredKeys: [] });

describe('compiled conditions', () => {
  it('the closures decide exactly like the reference interpreter (allow and deny polarity)', () => {
    fc.assert(
      fc.property(cond, record, principal, fc.boolean(), (c, r, p, onMissing) => {
        const node = compileCondition(c, 'when');
        expect(compileFn(node, onMissing)(r, p)).toBe(evaluate(node, r, p, onMissing));
      }),
      { numRuns: 3000 },
    );
  });

  it('never reads inherited properties: Object.prototype names are refused as fields and attributes', () => {
    expect(() => compileCondition({ constructor: 'x' }, 'when')).toThrow(/Object.prototype/);
    expect(() => compileCondition({ f: { principal: 'toString' } }, 'when')).toThrow(/Object.prototype/);
    expect(() => compileCondition({ ['__proto__']: 1 } as never, 'when')).toThrow(/Object.prototype/); // an own __proto__ key too
  });
});
