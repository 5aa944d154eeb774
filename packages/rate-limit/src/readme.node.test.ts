/**
 * Every TypeScript block of the README type-checks under strict `nodenext` and runs with tsx
 * against the source (`checkReadme` of `@armor/test-utils`); the Redis block gets a real
 * redis-server through `REDIS_URL`.
 */
import { fileURLToPath } from 'node:url';
import { checkReadme, startRedis, type RedisServer } from '@armor/test-utils';
import { afterAll, beforeAll, expect, it } from 'vitest';

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(() => redis.stop());

it('every README code block type-checks under strict nodenext and runs', async () => {
  const { typeErrors, runs } = await checkReadme(fileURLToPath(new URL('..', import.meta.url)), { env: { REDIS_URL: redis.url }, timeoutMs: 60_000 });
  expect(typeErrors).toBe('');
  expect(runs.length).toBe(6);
  for (const run of runs) expect(run, `block ${run.block.index} (line ${run.block.line})\n${run.stderr}`).toMatchObject({ code: 0 });
  const [usage, redisBlock, expressBlock, waitFor, convex, transactional] = runs.map((r) => r.stdout);
  expect(usage).toMatch(/^200 "default";r=99;t=\d+\n$/);
  expect(redisBlock).toBe('true 59\n');
  expect(expressBlock).toBe(`${Array(10).fill(201).join(' ')} 429\n`);
  expect(waitFor).toMatch(/^7 calls in \d+ ms\n$/);
  expect(convex).toBe('');
  expect(transactional).toBe('true false\n');
  // The README's client import is the named one (the default import does not type-check under nodenext).
  expect(runs[1]!.block.code).toContain("import { Redis } from 'ioredis'");
}, 240_000);
