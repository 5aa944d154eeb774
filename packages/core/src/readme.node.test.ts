import { checkReadme } from '@armor/test-utils';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

it('every README code block type-checks under strict nodenext and runs', async () => {
  const { typeErrors, runs } = await checkReadme(fileURLToPath(new URL('..', import.meta.url)));
  expect(typeErrors).toBe('');
  expect(runs.length).toBeGreaterThan(0);
  for (const run of runs) expect(run, `block ${run.block.index} (line ${run.block.line})\n${run.stderr}`).toMatchObject({ code: 0 });
  expect(runs[0]!.stdout).toContain('did you mean "maxAttempts"');
  expect(runs[0]!.stdout).toContain('Redis is not connected');
}, 120_000);
