/**
 * API keys of the service, on `@armor/api-keys`: `xapp_live_<40 base62>_<checksum>` keys,
 * only their SHA-256 stored (`api_keys.hash`), looked up by their public id
 * (`api_keys.lookup`). Typos fail the checksum before any lookup.
 *
 * @module
 */
import { generateApiKey, hashApiKey } from '@armor/api-keys';

/** The prefix of every key this service issues (shows up in secret scanners). */
export const KEY_PREFIX = 'xapp_live';

/** A new key: show `key` once; store `id` (lookup) and `hash`. */
export async function issueKey(): Promise<{ key: string; lookup: string; hash: string }> {
  const { key, id, hash } = await generateApiKey({ prefix: KEY_PREFIX });
  return { key, lookup: id, hash };
}

/** The stored form of any key (used for the ADMIN_API_KEY, hashed once at boot). */
export const hashKey = (key: string): Promise<string> => hashApiKey(key);
