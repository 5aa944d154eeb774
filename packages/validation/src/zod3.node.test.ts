import { ConfigurationError } from '@armor/errors';
import { z as z3 } from 'zod-v3';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { validate } from './express.js';
import { parse, safeParse, schemas, zodVersionOf } from './index.js';

describe('a schema from zod 3 (a real zod 3.25 install)', () => {
  it('is a ConfigurationError naming the zod version where it is used, never a 400', () => {
    const title = { title: 'A perfectly valid title' };
    // the case: the project's zod 3 object around an Armor schema
    const mixed = z3.object({ title: schemas.safeString() as never });
    for (const run of [() => parse(mixed as never, title), () => safeParse(mixed as never, title), () => parse(z3.object({ title: z3.string() }) as never, title)]) {
      let thrown: unknown;
      try {
        run();
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(ConfigurationError);
      expect((thrown as Error).message).toMatch(/zod 3\.x; @armor\/validation needs zod \^4\.0\.0/);
      expect((thrown as ConfigurationError).status).toBe(500);
    }
  });

  it('the Express adapter refuses it at construction', () => {
    expect(() => validate({ body: z3.object({ title: z3.string() }) as never })).toThrow(/Invalid option "body": was built with zod 3\.x/);
  });

  it('zod 4 schemas pass and report their version', () => {
    expect(zodVersionOf(z.string())).toMatch(/^4\.\d+\.\d+$/);
    expect(parse(z.object({ title: schemas.safeString() }), { title: 'ok' })).toEqual({ title: 'ok' });
    expect(zodVersionOf({})).toBe('unknown');
  });
});
