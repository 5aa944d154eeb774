import { expectReadmeRuns } from '@armor/test-utils';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

it('every README code block type-checks under strict nodenext and runs', async () => {
  const [usage] = await expectReadmeRuns(fileURLToPath(new URL('..', import.meta.url)), { blocks: 1 });
  expect(usage).toContain('did you mean "maxAttempts"');
  expect(usage).toContain('Redis is not connected');
  expect(usage).toContain("12 { lcp: 1830 }");
  expect(usage).toContain('{ tooLarge: true }');
}, 120_000);
