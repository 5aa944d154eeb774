/**
 * The zod this package works with is zod 4 (a peer dependency, `^4.0.0`). A schema built with
 * another zod (a project on zod 3, or a second zod installed beside ours) is a configuration
 * error, reported where the schema is used — never a 400 sent to a client.
 *
 * @module
 */
import { ConfigurationError } from '@armor/errors';

/** What the schema says about the zod that built it: `4.x.y`, `3.x` (no `_zod` marker), or `unknown`. */
export function zodVersionOf(schema: unknown): string {
  try {
    const zod = (schema as { _zod?: { version?: { major?: unknown; minor?: unknown; patch?: unknown } } } | null)?._zod;
    if (zod !== undefined) {
      const v = zod.version;
      return v && typeof v.major === 'number' ? `${v.major}.${String(v.minor)}.${String(v.patch)}` : '4 (no version)';
    }
    if (typeof (schema as { _def?: unknown } | null)?._def === 'object') return '3.x';
  } catch {
    // a hostile object: unknown
  }
  return 'unknown';
}

/**
 * The version of the `zod` package that this package resolves (its peer dependency), read from
 * `zod/package.json`. Node only (through `process.getBuiltinModule`, so the entry point stays free
 * of `node:` imports); `undefined` in other runtimes or when it cannot be read.
 */
export function installedZodVersion(): string | undefined {
  try {
    const getBuiltinModule = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule;
    const nodeModule = getBuiltinModule?.('node:module') as { createRequire?: (from: string) => (id: string) => unknown } | undefined;
    if (typeof nodeModule?.createRequire !== 'function') return undefined;
    const version = (nodeModule.createRequire(import.meta.url)('zod/package.json') as { version?: unknown } | null)?.version;
    return typeof version === 'string' ? version : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The message for a schema built with another zod than zod 4: names the zod that built it and
 * the installed one, and gives advice that works with Armor's own `schemas.*` helpers (they are
 * built from the installed `zod`, so `import { z } from 'zod/v4'` of zod 3.25 would mix two zods).
 *
 * @param version - What {@link zodVersionOf} says about the schema, e.g. `3.x`.
 * @param installed - The installed zod's version ({@link installedZodVersion}), if known.
 */
export function zodMismatchMessage(version: string, installed: string | undefined): string {
  const built = version === '3.x' ? 'zod 3' : `zod ${version}`;
  if (installed?.startsWith('4')) {
    return `was built with ${built}, but the zod installed for @armor/validation is ${installed}: the schema comes from a second copy of zod (another package's zod, or 'zod/v3'). Build it with z from 'zod' (the same zod as schemas.*)`;
  }
  return `was built with ${built}${installed ? ` (installed: zod ${installed})` : ''}; @armor/validation needs zod ^4.0.0 (its peer dependency). Upgrade with \`npm install zod@^4\` (importing from 'zod/v4' of zod 3.25 does not help: schemas.* are built from 'zod', which is zod 3 there)`;
}

/**
 * Throws a `ConfigurationError` naming the zod version unless `schema` is a zod 4 schema.
 *
 * @param where - Names the option or argument, e.g. `schema` or `body`.
 */
export function assertZod4(schema: unknown, where = 'schema'): void {
  const version = zodVersionOf(schema);
  if (version.startsWith('4')) return;
  throw new ConfigurationError(
    where,
    version === 'unknown' ? 'must be a zod 4 schema (z.object(...), z.string(), ...)' : zodMismatchMessage(version, installedZodVersion()),
    { received: version === '3.x' ? 'zod 3' : `zod ${version}` },
  );
}
