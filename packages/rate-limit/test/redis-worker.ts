/**
 * Child process of the multi-process Redis test: waits until `startAt`, fires `count`
 * concurrent consumes for one key, prints `{"allowed":n}` and exits.
 *
 * argv: redisUrl algorithm prefix count startAt
 *
 * The store runs with its default timeout: the test shows the default holds on a saturated host.
 */
import { Redis } from 'ioredis';
import { createRateLimiter, redisStore, type Algorithm } from '../src/index.js';

const [url, algorithm, prefix, count, startAt] = process.argv.slice(2) as [string, Algorithm, string, string, string];
const client = new Redis(url, { maxRetriesPerRequest: 1 });
const limiter = createRateLimiter({ algorithm, limit: 100, windowMs: 3_600_000, prefix, store: redisStore({ client }), onStoreError: 'deny' });
await client.ping();
await new Promise((r) => setTimeout(r, Math.max(0, Number(startAt) - Date.now())));
const results = await Promise.all(Array.from({ length: Number(count) }, () => limiter.consume('shared-key')));
const errors = results.filter((r) => r.reason === 'store-error').length;
process.stdout.write(JSON.stringify({ allowed: results.filter((r) => r.allowed).length, errors }));
await client.quit();
