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
 * Throws a `ConfigurationError` naming the zod version unless `schema` is a zod 4 schema.
 *
 * @param where - Names the option or argument, e.g. `schema` or `body`.
 */
export function assertZod4(schema: unknown, where = 'schema'): void {
  const version = zodVersionOf(schema);
  if (version.startsWith('4')) return;
  throw new ConfigurationError(
    where,
    version === 'unknown'
      ? 'must be a zod 4 schema (z.object(...), z.string(), ...)'
      : `was built with zod ${version}; @armor/validation needs zod ^4.0.0 (its peer dependency). Install zod 4, or import z from 'zod/v4' with zod 3.25+`,
    { received: `zod ${version}` },
  );
}
