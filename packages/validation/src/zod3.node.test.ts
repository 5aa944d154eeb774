import { ConfigurationError } from '@armor/errors';
import { z as z3 } from 'zod-v3';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { validate } from './express.js';
import { parse, safeParse, schemas, zodVersionOf } from './index.js';
import { installedZodVersion, zodMismatchMessage } from './zod-version.js';
import { createRequire } from 'node:module';

const installed = (createRequire(import.meta.url)('zod/package.json') as { version: string }).version;

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
      // names the installed zod (here the workspace's zod 4: the schema comes from a second zod)
      expect((thrown as Error).message).toContain(`was built with zod 3, but the zod installed for @armor/validation is ${installed}`);
      expect((thrown as Error).message).not.toContain('3.x');
      expect((thrown as Error).message).not.toMatch(/import z from 'zod\/v4'/);
      expect((thrown as ConfigurationError).status).toBe(500);
    }
  });

  it('the Express adapter refuses it at construction', () => {
    expect(() => validate({ body: z3.object({ title: z3.string() }) as never })).toThrow(/Invalid option "body": was built with zod 3, but the zod installed/);
  });

  it('the installed zod is read from zod/package.json', () => {
    expect(installedZodVersion()).toBe(installed);
  });

  it('with zod 3 installed, the advice is to upgrade zod (not zod/v4, which would mix two zods with schemas.*)', () => {
    const message = zodMismatchMessage('3.x', '3.25.76');
    expect(message).toContain('was built with zod 3 (installed: zod 3.25.76); @armor/validation needs zod ^4.0.0');
    expect(message).toContain('npm install zod@^4');
    expect(message).not.toMatch(/^.*import z from 'zod\/v4'.*$/);
    expect(zodMismatchMessage('3.x', undefined)).toMatch(/^was built with zod 3; /);
  });

  it('zod 4 schemas pass and report their version', () => {
    expect(zodVersionOf(z.string())).toMatch(/^4\.\d+\.\d+$/);
    expect(parse(z.object({ title: schemas.safeString() }), { title: 'ok' })).toEqual({ title: 'ok' });
    expect(zodVersionOf({})).toBe('unknown');
  });
});
